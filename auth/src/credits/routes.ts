/**
 * `/api/v1/credits`: the HTTP face of the ledger. The user is ALWAYS the token's `sub`; no route
 * takes a user id from the path, query or body (except the admin grant), so a bot's exchanged token
 * for @alice can only ever touch alice's account.
 *
 * Errors are thrown as `HttpError`s and rendered by the host service's `onError`
 * (`createServiceApp`), so this sub-app sets no error handler of its own.
 */
import { AuthClientError, bearerToken, type TokenVerifier } from '@mana/auth-client';
import {
  commitRequestSchema,
  consumeRequestSchema,
  getCreditCost,
  grantRequestSchema,
  idempotencyKeySchema,
  isOperation,
  releaseRequestSchema,
  reserveRequestSchema,
  transactionsQuerySchema,
} from '@mana/credits';
import { ErrCode, HttpError, jsonBody, parseWith, queryParams, readBodyText } from '@mana/http';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { creditsErrors } from './errors.ts';
import type { Ledger, Principal } from './ledger.ts';

/** Audience of tokens for this API. */
/** A user's own balance, reservations and history (also carried by bots' exchanged tokens). */
export const SCOPE_CREDITS = 'credits';
/** Grants for anyone. */
export const SCOPE_CREDITS_ADMIN = 'credits:admin';

interface Caller extends Principal {
  scopes: readonly string[];
  /** Set when a client acts for the user (token exchange): `act.sub`. */
  delegatedBy?: string;
}

export type CreditsEnv = { Variables: { caller: Caller } };

function authenticate(verifier: TokenVerifier): MiddlewareHandler<CreditsEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw creditsErrors.missingToken();
    let verified;
    try {
      verified = await verifier.verify(token);
    } catch (err) {
      if (err instanceof AuthClientError && err.code === 'ERR_JWKS_UNAVAILABLE')
        throw creditsErrors.keysUnavailable(err);
      if (err instanceof AuthClientError) throw creditsErrors.badToken(err);
      throw err;
    }
    const actor = verified.actor?.sub;
    c.set('caller', {
      userId: verified.sub,
      // The ledger records who acted: the bot when one acts for the user, else the user.
      actor: actor ?? verified.sub,
      scopes: verified.scopes,
      ...(actor === undefined ? {} : { delegatedBy: actor }),
    });
    await next();
  };
}

function requireScope(c: Context<CreditsEnv>, scope: string): Caller {
  const caller = c.get('caller');
  if (!caller.scopes.includes(scope)) throw creditsErrors.forbidden(`This needs the "${scope}" scope`);
  return caller;
}

/** The body's key, else the `Idempotency-Key` header; both present must agree. */
function idempotencyKeyOf(c: Context, fromBody: string | undefined): string {
  const header = c.req.header('idempotency-key');
  const fromHeader =
    header === undefined ? undefined : parseWith(idempotencyKeySchema, header, ErrCode.InvalidParam);
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader)
    throw new HttpError(400, ErrCode.InvalidParam, 'Idempotency-Key header and body idempotencyKey differ');
  const key = fromBody ?? fromHeader;
  if (key === undefined) throw creditsErrors.idempotencyKeyRequired();
  return key;
}

function costOf(operation: string): number {
  if (!isOperation(operation)) throw creditsErrors.unknownOperation(operation);
  return getCreditCost(operation);
}

/** Commit and release take an optional body: none, empty, or a JSON object. */
async function optionalJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await readBodyText(c);
  if (text.trim() === '') return parseWith(schema, {});
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new HttpError(400, ErrCode.NotJson, 'Request body is not valid JSON', { cause });
  }
  return parseWith(schema, raw);
}

/** A malformed id can name no reservation: 404, and Postgres never sees a bad uuid. */
function reservationIdOf(c: Context): string {
  const parsed = z.uuid().safeParse(c.req.param('id'));
  if (!parsed.success) throw creditsErrors.reservationNotFound();
  return parsed.data;
}

export function createCreditsRoutes({
  ledger,
  verifier,
}: {
  ledger: Ledger;
  verifier: TokenVerifier;
}): Hono<CreditsEnv> {
  const app = new Hono<CreditsEnv>();
  app.use(authenticate(verifier));

  app.get('/balance', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    return c.json(await ledger.balance(caller.userId));
  });

  app.get('/transactions', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const { cursor, limit } = queryParams(c, transactionsQuerySchema);
    return c.json(await ledger.transactions(caller.userId, { cursor, limit }));
  });

  app.post('/reserve', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const body = await jsonBody(c, reserveRequestSchema);
    const amount = costOf(body.operation);
    const idempotencyKey = idempotencyKeyOf(c, body.idempotencyKey);
    const r = await ledger.reserve(caller, { ...body, amount, idempotencyKey });
    return c.json(r, r.replayed ? 200 : 201);
  });

  app.post('/reservations/:id/commit', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const id = reservationIdOf(c);
    const { amount } = await optionalJsonBody(c, commitRequestSchema);
    return c.json(await ledger.commit(caller, id, amount));
  });

  app.post('/reservations/:id/release', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const id = reservationIdOf(c);
    await optionalJsonBody(c, releaseRequestSchema);
    return c.json(await ledger.release(caller, id));
  });

  app.post('/consume', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const body = await jsonBody(c, consumeRequestSchema);
    const amount = costOf(body.operation);
    const idempotencyKey = idempotencyKeyOf(c, body.idempotencyKey);
    const r = await ledger.consume(caller, { ...body, amount, idempotencyKey });
    return c.json(r, r.replayed ? 200 : 201);
  });

  app.post('/grant', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS_ADMIN);
    // A client acting for a user never mints credits, even if it was somehow given the scope.
    if (caller.delegatedBy !== undefined)
      throw creditsErrors.forbidden('Delegated tokens cannot grant credits');
    const body = await jsonBody(c, grantRequestSchema);
    const idempotencyKey = idempotencyKeyOf(c, body.idempotencyKey);
    const r = await ledger.grant(caller, { ...body, idempotencyKey });
    return c.json(r, r.replayed ? 200 : 201);
  });

  return app;
}
