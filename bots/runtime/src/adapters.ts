/**
 * Production implementations of the ports: identity by token exchange at auth, credits through
 * `@mana/credits`, users' data through `@mana/sync-client` (one in-memory replica per user and app).
 */
import { AuthClientError, createTokenExchanger, type TokenExchanger } from '@mana/auth-client';
import { createCreditsClient, CreditsInsufficientError, getCreditCost } from '@mana/credits';
import type { Logger } from '@mana/logging';
import {
  createMemoryStorage,
  createSyncClient,
  type SyncClient,
  type WebSocketConstructor,
} from '@mana/sync-client';
import { isAppId, tableSchema, type AppId } from '@mana/sync-protocol';
import { InsufficientCreditsError, NotLinkedError } from './errors.ts';
import type { Accounts, AppStore, Credits, Identity, Stores } from './ports.ts';

/** A cached token is renewed in the background once it has less than this left… */
const RENEW_AHEAD_MS = 60_000;
/** …and only waited for when it has less than this left (or none is cached). */
const MIN_VALID_MS = 10_000;
const MAX_CACHED_TOKENS = 10_000;

/**
 * Token exchange per audience; a refused exchange (`invalid_grant`) means "no linked account".
 * Tokens are cached and renewed ahead of expiry in the background, so an active user's command
 * never waits for an exchange at auth (only the first one, or one after a long pause, does).
 */
export function tokenExchangeIdentity(options: {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  audiences: readonly string[];
  fetch?: typeof fetch;
  now?: () => number;
}): Identity & Accounts {
  const now = options.now ?? Date.now;
  const exchangers = new Map<string, TokenExchanger>();
  for (const audience of options.audiences) {
    exchangers.set(
      audience,
      createTokenExchanger({
        tokenEndpoint: options.tokenEndpoint,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        audience,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    );
  }
  const cache = new Map<string, { token: string; expiresAt: number }>();
  const inflight = new Map<string, Promise<string>>();

  const exchange = (userId: string, audience: string, ex: TokenExchanger): Promise<string> => {
    const key = `${audience}|${userId}`;
    let p = inflight.get(key);
    if (!p) {
      p = ex
        .exchange(userId)
        .then((t) => {
          cache.delete(key);
          cache.set(key, { token: t.accessToken, expiresAt: t.expiresAt });
          if (cache.size > MAX_CACHED_TOKENS) {
            const oldest = cache.keys().next().value;
            if (oldest !== undefined) cache.delete(oldest);
          }
          return t.accessToken;
        })
        .catch((err: unknown) => {
          if (err instanceof AuthClientError && /invalid_grant/.test(err.message)) {
            cache.delete(key); // unlinked since: stop acting for them
            throw new NotLinkedError(userId, { cause: err });
          }
          throw err;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  };

  const tokenFor = async (userId: string, audience: string): Promise<string> => {
    const ex = exchangers.get(audience);
    if (!ex) throw new Error(`no token exchanger for audience ${audience}`);
    const cached = cache.get(`${audience}|${userId}`);
    const left = cached ? cached.expiresAt - now() : 0;
    if (cached && left > MIN_VALID_MS) {
      if (left < RENEW_AHEAD_MS) exchange(userId, audience, ex).catch(() => undefined);
      return cached.token;
    }
    return exchange(userId, audience, ex);
  };
  return {
    tokenFor,
    async describe(userId) {
      const first = options.audiences[0];
      if (!first) return undefined;
      const token = await tokenFor(userId, first);
      // Our own token, straight from auth: read its claims (verification is the services' job).
      const payload = token.split('.')[1];
      const claims: unknown = payload ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : {};
      const c = typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
      const localpart = userId.slice(1).split(':')[0] ?? '';
      return {
        username: typeof c.preferred_username === 'string' ? c.preferred_username : localpart,
        ...(typeof c.email === 'string' ? { email: c.email } : {}),
        // Auth links a Matrix id only to an account whose email is verified.
        emailVerified: typeof c.email_verified === 'boolean' ? c.email_verified : true,
      };
    },
  };
}

/** The account a token of ours names (`sub`): read from auth's own JWT; the API verifies it. */
function subjectOf(token: string): string {
  const payload = token.split('.')[1];
  const claims: unknown = payload ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : {};
  const sub =
    typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>).sub : undefined;
  if (typeof sub !== 'string') throw new Error('token without a subject');
  return sub;
}

export function creditsApi(options: { baseUrl: string; fetch?: typeof fetch }): Credits {
  const client = (token: string) =>
    createCreditsClient({
      baseUrl: options.baseUrl,
      getToken: () => token,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  return {
    cost: (op) => getCreditCost(op),
    async reserve(token, request) {
      try {
        const r = await client(token).reserve(request);
        return { reservationId: r.reservationId, amount: r.amount };
      } catch (err) {
        if (err instanceof CreditsInsufficientError)
          throw new InsufficientCreditsError(err.required, err.available);
        throw err;
      }
    },
    async commit(token, id, amount) {
      await client(token).commit(id, amount === undefined ? {} : { amount });
    },
    async release(token, id) {
      await client(token).release(id);
    },
    balance: (token) => client(token).balance(),
    async gift(token, { amount, idempotencyKey, toToken }) {
      try {
        return await client(token).gift({
          amount,
          idempotencyKey,
          ...(toToken === undefined ? {} : { to: subjectOf(toToken) }),
        });
      } catch (err) {
        if (err instanceof CreditsInsufficientError)
          throw new InsufficientCreditsError(err.required, err.available);
        throw err;
      }
    },
    redeem: (token, code) => client(token).redeem(code),
    gifts: async (token) => (await client(token).gifts()).gifts,
    revoke: (token, code) => client(token).revoke({ code }),
    async transactions(token, limit) {
      const r = await client(token).transactions({ limit });
      return r.entries.map((e) => ({
        kind: e.kind,
        amount: e.amount,
        operation: e.operation ?? undefined,
        createdAt: e.createdAt,
      }));
    },
  };
}

/**
 * One sync replica per (user, app), in memory, least recently used ones stopped past `maxClients`.
 * Each replica follows the server's pokes over a WebSocket (`live`, the default), so an active
 * user's reads are served from memory: a read pulls only while the replica is not live (just made,
 * socket down, a poke being pulled). Then a pull that started after the command arrived
 * (`readAfter`) is shared, so a command pulls each app once, and the prefetch started next to the
 * settings read counts. Writes push on `flush`.
 */
export function syncStores(options: {
  baseUrl: string;
  clientId: string;
  identity: Identity;
  audience: string;
  log: Logger;
  maxClients?: number;
  /** Keep replicas fresh by WebSocket pokes (default), or `null`: pull on every read. */
  WebSocket?: WebSocketConstructor | null;
  fetch?: typeof fetch;
}): Stores {
  interface Replica {
    client: SyncClient;
    /** The latest pull: when it started (`performance.now()`) and its outcome. */
    pull?: { startedAt: number; done: Promise<void> };
  }
  const replicas = new Map<string, Replica>();
  const max = options.maxClients ?? 500;

  function replicaFor(userId: string, appId: AppId): Replica {
    const key = `${userId}|${appId}`;
    let r = replicas.get(key);
    if (r) {
      replicas.delete(key);
      replicas.set(key, r);
      return r;
    }
    const client = createSyncClient({
      baseUrl: options.baseUrl,
      apps: [appId],
      clientId: options.clientId,
      getToken: () => options.identity.tokenFor(userId, options.audience),
      storage: createMemoryStorage(),
      ...(options.WebSocket !== undefined ? { WebSocket: options.WebSocket } : {}),
      pushDebounceMs: null,
      // A safety net for a poke lost on a socket that looks open.
      pullIntervalMs: 60_000,
      onError: (err) => options.log.debug({ err, userId, appId }, 'sync client error'),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    r = { client };
    replicas.set(key, r);
    if (replicas.size > max) {
      const [oldestKey, oldest] = replicas.entries().next().value ?? [];
      if (oldestKey && oldest) {
        replicas.delete(oldestKey);
        void oldest.client.stop();
      }
    }
    return r;
  }

  /** Resolves when the replica holds everything the server had at `readAfter` (or later). */
  function fresh(r: Replica, appId: AppId, readAfter: number): Promise<void> {
    const live = r.client.caughtUp(appId);
    if (live) return live;
    if (r.pull && r.pull.startedAt >= readAfter) return r.pull.done;
    const pull = { startedAt: performance.now(), done: r.client.sync(appId) };
    r.pull = pull;
    // A failed pull serves nobody after it: the next read tries again.
    pull.done.catch(() => {
      if (r.pull === pull) r.pull = undefined;
    });
    return pull.done;
  }

  const checkTable = (appId: string, table: string) => {
    if (!tableSchema(appId, table)) throw new Error(`unknown sync table ${appId}.${table}`);
  };

  /** The user's replica of `appId`; throws NotLinkedError (before any replica is made) for a stranger. */
  async function open(userId: string, appId: string): Promise<{ r: Replica; appId: AppId }> {
    if (!isAppId(appId)) throw new Error(`unknown sync app ${appId}`);
    await options.identity.tokenFor(userId, options.audience);
    return { r: replicaFor(userId, appId), appId };
  }

  return {
    async forUser(userId, id, storeOptions = {}) {
      const { r, appId } = await open(userId, id);
      const c = r.client;
      const pulled = () => fresh(r, appId, storeOptions.readAfter ?? performance.now());
      // The registry types tables per app; this port is string-keyed, so tables are checked at run time.
      type T = Parameters<typeof c.query>[1];
      const store: AppStore = {
        async list(table) {
          checkTable(appId, table);
          await pulled();
          return c.query(appId, table as T);
        },
        async get(table, rowId) {
          checkTable(appId, table);
          await pulled();
          return c.get(appId, table as T, rowId);
        },
        async upsert(table, rowId, fields) {
          checkTable(appId, table);
          await c.put(appId, table as T, rowId, fields as never);
        },
        async delete(table, rowId) {
          checkTable(appId, table);
          await c.delete(appId, table as T, rowId);
        },
        flush: () => c.sync(appId),
      };
      return store;
    },
    prefetch(userId, id) {
      const started = performance.now();
      open(userId, id)
        .then(({ r, appId }) => fresh(r, appId, started))
        .catch(() => undefined);
    },
    async close() {
      await Promise.all([...replicas.values()].map((r) => r.client.stop()));
      replicas.clear();
    },
  };
}
