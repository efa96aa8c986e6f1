/**
 * The appservice HTTP API (what Synapse calls), on the runner's Hono app next to /health and
 * /metrics: transactions (stored in Postgres before they are acknowledged, deduplicated by event id), user and room queries,
 * ping. Every request must carry the hs_token.
 */
import { ErrCode } from '@mana/http';
import type { Logger } from '@mana/logging';
import type { Hono } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import type { BotMetrics } from './metrics.ts';
import type { MatrixEvent, RuntimeState, StoredEvent } from './state.ts';

export interface AppserviceRoutesOptions {
  hsToken: string;
  state: Pick<RuntimeState, 'isTransactionDone' | 'storeTransaction'>;
  metrics: BotMetrics;
  /** Is this user id one of ours (so Synapse may create it on query)? */
  isBotUser: (userId: string) => boolean;
  /**
   * Events worth storing (default: all). The rest (the bots' own replies, which Synapse sends back
   * in the next transaction) are acknowledged without a database round trip.
   */
  wants?: (event: MatrixEvent) => boolean;
  log: Pick<Logger, 'warn'>;
  /**
   * The whole body of every authentic transaction, awaited before its events are stored: the E2EE
   * parts (to-device events, device lists, key counts) must reach the crypto machines before the
   * encrypted events they unlock are processed, and before Synapse hears 200 (it does not resend
   * to-device events once acknowledged).
   */
  onTransaction?: (body: Record<string, unknown>) => Promise<void>;
  /** New events of a stored transaction, to process: as soon as they are committed, before the acknowledgement. */
  onEvents: (events: StoredEvent[]) => void;
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isEvent(e: unknown): e is MatrixEvent {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return (
    typeof r.event_id === 'string' &&
    typeof r.room_id === 'string' &&
    typeof r.type === 'string' &&
    typeof r.sender === 'string'
  );
}

export function mountAppserviceRoutes(app: Hono, options: AppserviceRoutesOptions): void {
  const forbidden = { errcode: ErrCode.Forbidden, error: 'Bad or missing hs_token' };
  const checkToken = (header: string | undefined, query: string | undefined) =>
    tokenMatches(header?.replace(/^Bearer\s+/i, '') ?? query, options.hsToken);

  for (const prefix of ['/_matrix/app/v1', '']) {
    app.put(`${prefix}/transactions/:txnId`, async (c) => {
      if (!checkToken(c.req.header('authorization'), c.req.query('access_token')))
        return c.json(forbidden, 403);
      const receivedAt = performance.now();
      const txnId = c.req.param('txnId');
      const body: unknown = await c.req.json().catch(() => undefined);
      const raw =
        typeof body === 'object' && body !== null && 'events' in body && Array.isArray(body.events)
          ? (body.events as unknown[])
          : undefined;
      if (!raw) {
        // A transaction already stored is acknowledged whatever its body now looks like.
        if (await options.state.isTransactionDone(txnId)) {
          options.metrics.transactions.inc({ outcome: 'duplicate' });
          return c.json({});
        }
        return c.json({ errcode: ErrCode.BadJson, error: 'expected { events: [...] }' }, 400);
      }
      if (options.onTransaction) await options.onTransaction(body as Record<string, unknown>);
      const wants = options.wants ?? (() => true);
      const events = raw.filter(isEvent).filter((e) => wants(e));
      if (events.length === 0) {
        // Nothing to process now or after a restart, so nothing to remember either.
        options.metrics.transactions.inc({ outcome: 'ignored' });
        return c.json({});
      }
      // Stored (durably) before Synapse gets its 200. A retried transaction has no fresh events; a
      // transaction id that comes back with new events is new work (Synapse reuses ids after its
      // restart on SQLite, or after a database restore).
      const { repeatedId, fresh, durable } = await options.state.storeTransaction(txnId, events);
      const outcome = fresh.length === 0 ? 'duplicate' : repeatedId ? 'reused_id' : 'stored';
      options.metrics.transactions.inc({ outcome });
      if (outcome === 'reused_id')
        options.log.warn(
          { txnId, events: events.length, fresh: fresh.length },
          'appservice transaction id came back with events not seen before; processing them (Synapse restarted or its database was restored?)',
        );
      // Work starts while the rows go to disk; Synapse hears 200 only once they are there. A runner
      // killed in between is sent the transaction again, and its events are pending in Postgres.
      if (fresh.length > 0) options.onEvents(fresh.map((e) => ({ ...e, receivedAt })));
      await durable;
      return c.json({});
    });
    app.get(`${prefix}/users/:userId`, (c) => {
      if (!checkToken(c.req.header('authorization'), c.req.query('access_token')))
        return c.json(forbidden, 403);
      return options.isBotUser(c.req.param('userId'))
        ? c.json({})
        : c.json({ errcode: ErrCode.NotFound, error: 'not a bot of this runner' }, 404);
    });
    app.get(`${prefix}/rooms/:alias`, (c) => {
      if (!checkToken(c.req.header('authorization'), c.req.query('access_token')))
        return c.json(forbidden, 403);
      return c.json({ errcode: ErrCode.NotFound, error: 'no room aliases here' }, 404);
    });
  }
  app.post('/_matrix/app/v1/ping', (c) => {
    if (!checkToken(c.req.header('authorization'), c.req.query('access_token')))
      return c.json(forbidden, 403);
    return c.json({});
  });
}
