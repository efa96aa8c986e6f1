/**
 * `POST /sync/:appId` (push, answers with what changed after the client's cursor) and
 * `GET /sync/:appId/pull` (pages through changes after a cursor).
 */
import { bearerToken, type TokenVerifier } from '@mana/auth-client';
import {
  bodyLimit,
  ErrCode,
  HttpError,
  parseWith,
  queryParams,
  readBodyText,
  requestHeader,
} from '@mana/http';
import {
  SYNC_PROTOCOL_VERSION,
  SyncErrCode,
  acceptChange,
  changeSchema,
  clientIdSchema,
  cursorSchema,
  validateApp,
  validateChange,
  type Change,
} from '@mana/sync-protocol';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { assertMayUse, authenticate, type Principal } from './auth.ts';
import type { SyncConfig } from './config.ts';
import { issueError, syncError } from './errors.ts';
import type { Fanout } from './fanout.ts';
import type { SyncMetrics } from './metrics.ts';
import type { Store } from './store.ts';

export interface RouteDeps {
  store: Store;
  verifier: TokenVerifier;
  fanout: Fanout;
  metrics: SyncMetrics;
  config: Pick<
    SyncConfig,
    | 'maxBodyBytes'
    | 'maxChanges'
    | 'maxFieldBytes'
    | 'pullLimit'
    | 'maxPullLimit'
    | 'maxClockSkewMs'
    | 'pokeMaxBytes'
  >;
}

// The envelope is checked before the changes, so a huge batch is refused before it is parsed.
const envelopeSchema = z.object({
  protocolVersion: z.literal(SYNC_PROTOCOL_VERSION).optional(),
  clientId: clientIdSchema,
  cursor: cursorSchema,
  changes: z.array(z.unknown()),
});

async function streamFor(
  c: Context,
  verifier: TokenVerifier,
): Promise<{ principal: Principal; appId: string }> {
  const principal = await authenticate(verifier, bearerToken(requestHeader(c, 'authorization')));
  const appId = c.req.param('appId') ?? '';
  const bad = validateApp(appId);
  if (bad) throw issueError(bad);
  assertMayUse(principal, appId);
  return { principal, appId };
}

async function readJson(c: Context, maxBytes: number): Promise<{ value: unknown; chars: number }> {
  try {
    const text = await readBodyText(c, maxBytes);
    return { value: JSON.parse(text) as unknown, chars: text.length };
  } catch (cause) {
    if (cause instanceof HttpError) throw cause;
    throw new HttpError(400, ErrCode.NotJson, 'Request body is not valid JSON', { cause });
  }
}

export function registerSyncRoutes(app: Hono, deps: RouteDeps): void {
  const { store, verifier, fanout, metrics, config } = deps;
  const pullQuery = z.object({
    cursor: z.coerce.number().pipe(cursorSchema).default(0),
    limit: z.coerce.number().int().min(1).max(config.maxPullLimit).default(config.pullLimit),
  });

  app.use(
    '/sync/*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw syncError(SyncErrCode.PayloadTooLarge, `Request body exceeds ${config.maxBodyBytes} bytes`, {
          limit: config.maxBodyBytes,
        });
      },
    }),
  );

  app.post('/sync/:appId', async (c) => {
    const { principal, appId } = await streamFor(c, verifier);
    const started = performance.now();
    const body = await readJson(c, config.maxBodyBytes);
    const envelope = parseWith(envelopeSchema, body.value, SyncErrCode.BadRequest);
    if (envelope.changes.length > config.maxChanges)
      throw syncError(
        SyncErrCode.TooManyChanges,
        `A push may carry at most ${config.maxChanges} changes (got ${envelope.changes.length})`,
        { limit: config.maxChanges },
      );
    const maxWallMs = Date.now() + config.maxClockSkewMs;
    const limits = { maxFieldBytes: config.maxFieldBytes, maxWallMs };
    const changes: Change[] = envelope.changes.map((raw, i) => {
      // The common, valid change in one cheap pass; anything else gets the thorough check below,
      // which names the problem exactly as it always did.
      const accepted = acceptChange(appId, raw, limits);
      if (accepted) return accepted;
      const path = `changes.${i}`;
      const parsed = changeSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = [path, ...(issue?.path ?? []).map(String)].join('.');
        throw syncError(SyncErrCode.BadRequest, `Invalid request: ${where}: ${issue?.message ?? 'invalid'}`, {
          path: where,
        });
      }
      const issue = validateChange(appId, parsed.data, {
        path,
        maxFieldBytes: config.maxFieldBytes,
        maxWallMs,
      });
      if (issue) throw issueError(issue);
      return parsed.data;
    });
    const result = await store.push(
      { userId: principal.userId, appId },
      { cursor: envelope.cursor, changes, limit: config.pullLimit },
    );
    if (result.rowsChanged > 0) {
      // Rows carry every field of the row, so they are at least about the size of the changes that
      // made them: a body over the limit is not serialized only to be found too large.
      const json = body.chars <= config.pokeMaxBytes ? JSON.stringify(result.written) : undefined;
      const small = json !== undefined && Buffer.byteLength(json) <= config.pokeMaxBytes;
      fanout.publish({
        userId: principal.userId,
        appId,
        version: result.head,
        ...(small && { rows: { from: result.base, json } }),
      });
    }
    metrics.changesApplied.inc({ app: appId }, result.fieldsApplied);
    metrics.pullRows.inc({ app: appId }, result.changes.length);
    metrics.pushDuration.observe({ app: appId }, (performance.now() - started) / 1000);
    return c.json({
      protocolVersion: SYNC_PROTOCOL_VERSION,
      cursor: result.cursor,
      changes: result.changes,
      hasMore: result.hasMore,
      acknowledged: changes.length,
    });
  });

  app.get('/sync/:appId/pull', async (c) => {
    const { principal, appId } = await streamFor(c, verifier);
    const { cursor, limit } = queryParams(c, pullQuery);
    const page = await store.pull({ userId: principal.userId, appId }, cursor, limit);
    metrics.pullRows.inc({ app: appId }, page.changes.length);
    return c.json({ protocolVersion: SYNC_PROTOCOL_VERSION, ...page });
  });
}
