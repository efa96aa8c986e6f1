/**
 * Production implementations of the ports: identity by token exchange at auth, credits through
 * `@mana/credits`, users' data through `@mana/sync-client` (one in-memory replica per user and app).
 */
import { AuthClientError, createTokenExchanger, type TokenExchanger } from '@mana/auth-client';
import { createCreditsClient, CreditsInsufficientError, getCreditCost } from '@mana/credits';
import type { Logger } from '@mana/logging';
import { createMemoryStorage, createSyncClient, type SyncClient } from '@mana/sync-client';
import { isAppId, tableSchema, type AppId } from '@mana/sync-protocol';
import { InsufficientCreditsError, NotLinkedError } from './errors.ts';
import type { Accounts, AppStore, Credits, Identity, Stores } from './ports.ts';

/** Token exchange per audience; a refused exchange (`invalid_grant`) means "no linked account". */
export function tokenExchangeIdentity(options: {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  audiences: readonly string[];
  fetch?: typeof fetch;
}): Identity & Accounts {
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
  const tokenFor = async (userId: string, audience: string): Promise<string> => {
    const ex = exchangers.get(audience);
    if (!ex) throw new Error(`no token exchanger for audience ${audience}`);
    try {
      return await ex.tokenFor(userId);
    } catch (err) {
      if (err instanceof AuthClientError && /invalid_grant/.test(err.message))
        throw new NotLinkedError(userId, { cause: err });
      throw err;
    }
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
    async commit(token, id) {
      await client(token).commit(id);
    },
    async release(token, id) {
      await client(token).release(id);
    },
    balance: (token) => client(token).balance(),
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
 * Reads pull first (so a task added in the web app shows up at once); writes push on `flush`.
 */
export function syncStores(options: {
  baseUrl: string;
  clientId: string;
  identity: Identity;
  audience: string;
  log: Logger;
  maxClients?: number;
  fetch?: typeof fetch;
}): Stores {
  const clients = new Map<string, SyncClient>();
  const max = options.maxClients ?? 500;

  function clientFor(userId: string, appId: AppId): SyncClient {
    const key = `${userId}|${appId}`;
    let c = clients.get(key);
    if (c) {
      clients.delete(key);
      clients.set(key, c);
      return c;
    }
    c = createSyncClient({
      baseUrl: options.baseUrl,
      apps: [appId],
      clientId: options.clientId,
      getToken: () => options.identity.tokenFor(userId, options.audience),
      storage: createMemoryStorage(),
      WebSocket: null,
      pushDebounceMs: null,
      pullIntervalMs: null,
      onError: (err) => options.log.debug({ err, userId, appId }, 'sync client error'),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    clients.set(key, c);
    if (clients.size > max) {
      const [oldestKey, oldest] = clients.entries().next().value ?? [];
      if (oldestKey && oldest) {
        clients.delete(oldestKey);
        void oldest.stop();
      }
    }
    return c;
  }

  const checkTable = (appId: string, table: string) => {
    if (!tableSchema(appId, table)) throw new Error(`unknown sync table ${appId}.${table}`);
  };

  return {
    async forUser(userId, appId) {
      if (!isAppId(appId)) throw new Error(`unknown sync app ${appId}`);
      // Fails with NotLinkedError before any replica is made for a stranger.
      await options.identity.tokenFor(userId, options.audience);
      const c = clientFor(userId, appId);
      // The registry types tables per app; this port is string-keyed, so tables are checked at run time.
      type T = Parameters<typeof c.query>[1];
      const store: AppStore = {
        async list(table) {
          checkTable(appId, table);
          await c.sync(appId);
          return c.query(appId, table as T);
        },
        async get(table, id) {
          checkTable(appId, table);
          await c.sync(appId);
          return c.get(appId, table as T, id);
        },
        async upsert(table, id, fields) {
          checkTable(appId, table);
          await c.put(appId, table as T, id, fields as never);
        },
        async delete(table, id) {
          checkTable(appId, table);
          await c.delete(appId, table as T, id);
        },
        flush: () => c.sync(appId),
      };
      return store;
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.stop()));
      clients.clear();
    },
  };
}
