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
  CREDIT_PACKAGES,
  getCreditCost,
  giftRequestSchema,
  grantRequestSchema,
  HOW_TO_GET_CREDITS,
  redeemRequestSchema,
  revokeByCodeRequestSchema,
  idempotencyKeySchema,
  isOperation,
  releaseRequestSchema,
  reserveRequestSchema,
  transactionsQuerySchema,
} from '@mana/credits';
import {
  ErrCode,
  HttpError,
  jsonBody,
  parseWith,
  queryParams,
  readBodyText,
  requestHeader,
} from '@mana/http';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { creditsErrors } from './errors.ts';
import type { Ledger, Principal } from './ledger.ts';
import type { Limiter } from './limiter.ts';

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
    const token = bearerToken(requestHeader(c, 'authorization'));
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
  const header = requestHeader(c, 'idempotency-key');
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

// Built once: constructing a zod schema costs ~30-60 µs, many times the check itself (commit is a
// hot route: one per reserve).
const uuidSchema = z.uuid();

/** `:id` when it is a uuid, else `notFound()`: a malformed id can name nothing, and Postgres never sees it. */
function uuidParamOf(c: Context, notFound: () => Error): string {
  const parsed = uuidSchema.safeParse(c.req.param('id'));
  if (!parsed.success) throw notFound();
  return parsed.data;
}

const reservationIdOf = (c: Context) => uuidParamOf(c, creditsErrors.reservationNotFound);

/** Without a proxy-aware reader from the host: the socket's peer (@hono/node-server's `incoming`). */
function socketIp(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

const giftIdOf = (c: Context) => uuidParamOf(c, creditsErrors.giftNotFound);

export function createCreditsRoutes({
  ledger,
  verifier,
  limiter,
  redeemPerMinute,
  redeemPerIpPerMinute,
  clientIp = socketIp,
}: {
  ledger: Ledger;
  verifier: TokenVerifier;
  limiter: Limiter;
  redeemPerMinute: number;
  redeemPerIpPerMinute: number;
  clientIp?: (c: Context) => string;
}): Hono<CreditsEnv> {
  const app = new Hono<CreditsEnv>();

  // The price list is public (registered before the token check): the web app shows it signed out.
  app.get('/packages', (c) => c.json({ packages: CREDIT_PACKAGES, howToGet: HOW_TO_GET_CREDITS }));

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

  app.get('/gifts', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    return c.json({ gifts: await ledger.gifts(caller.userId) });
  });

  app.post('/gifts', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const body = await jsonBody(c, giftRequestSchema);
    const idempotencyKey = idempotencyKeyOf(c, body.idempotencyKey);
    const r = await ledger.gift(caller, { amount: body.amount, to: body.to, idempotencyKey });
    return c.json(r, r.replayed ? 200 : 201);
  });

  app.post('/gifts/redeem', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    // Counted before the body is even read: guessing codes costs attempts, malformed or not. Per
    // user always; per IP only for direct clients (a bot runner's one IP carries every user's).
    const over = await limiter.hitAll([
      { bucket: 'gift-redeem-user', key: caller.userId, limit: redeemPerMinute, windowSec: 60 },
      ...(caller.delegatedBy === undefined
        ? [{ bucket: 'gift-redeem-ip', key: clientIp(c), limit: redeemPerIpPerMinute, windowSec: 60 }]
        : []),
    ]);
    if (over) throw creditsErrors.rateLimited(over.retryAfter);
    const { code } = await jsonBody(c, redeemRequestSchema);
    return c.json(await ledger.redeem(caller, code));
  });

  // By code (what a person has; the body keeps it out of access logs) or by id (the web list).
  app.post('/gifts/revoke', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const { code } = await jsonBody(c, revokeByCodeRequestSchema);
    return c.json(await ledger.revoke(caller, { code }));
  });

  app.post('/gifts/:id/revoke', async (c) => {
    const caller = requireScope(c, SCOPE_CREDITS);
    const giftId = giftIdOf(c);
    await optionalJsonBody(c, releaseRequestSchema);
    return c.json(await ledger.revoke(caller, { giftId }));
  });

  return app;
}
