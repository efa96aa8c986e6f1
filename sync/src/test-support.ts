/**
 * Integration-test setup: a fresh database, a Redis prefix and a token issuer per test file, and sync
 * servers built on them (several may share them, as instances behind a load balancer would).
 */
import { SYNC_AUDIENCE } from '@mana/auth-client';
import {
  createTestDatabase,
  createTestRedis,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  type TestRedis,
} from '@mana/testing';
import { loadSyncConfig, type SyncConfig } from './config.ts';
import { createSyncServer, type SyncServer } from './server.ts';
import type { StoreHooks } from './store.ts';

export interface SyncTestEnv {
  issuer: TestIssuer;
  db: TestDatabase;
  redis: TestRedis;
  /** The `SYNC_*` variables of a server on the shared database and Redis (e.g. for a child process). */
  env(overrides?: Record<string, string>): Record<string, string>;
  config(overrides?: Record<string, string>): SyncConfig;
  /** A sync server on the shared database and Redis; stopped by `close()` unless stopped before. */
  server(options?: { env?: Record<string, string>; hooks?: StoreHooks }): Promise<SyncServer>;
  /** A user's token (scope `sync`), or a bot's with `act` and narrower scopes. */
  token(
    sub: string,
    options?: { scope?: string; act?: string; aud?: string; expiresIn?: string | number },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function createSyncTestEnv(label: string): Promise<SyncTestEnv> {
  const [issuer, db, redis] = await Promise.all([
    startTestIssuer(),
    createTestDatabase(label),
    createTestRedis(label),
  ]);
  const servers = new Set<SyncServer>();
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    SYNC_DATABASE_URL: db.url,
    SYNC_REDIS_URL: redis.url,
    SYNC_REDIS_PREFIX: redis.prefix,
    SYNC_ISSUER: issuer.issuer,
    SYNC_JWKS_URI: issuer.jwksUri,
    SYNC_PORT: '0',
    SYNC_LOG_LEVEL: 'silent',
    SYNC_COMPACTION_INTERVAL_SECONDS: '0',
    ...overrides,
  });
  const config = (overrides: Record<string, string> = {}) => loadSyncConfig(env(overrides));
  return {
    issuer,
    db,
    redis,
    env,
    config,
    async server({ env, hooks } = {}) {
      const s = await createSyncServer({ config: config(env), ...(hooks ? { hooks } : {}) });
      const stop = s.stop.bind(s);
      let stopped = false;
      s.stop = async () => {
        if (stopped) return;
        stopped = true;
        servers.delete(s);
        await stop();
      };
      servers.add(s);
      return s;
    },
    token: (sub, { scope = 'sync', act, aud = SYNC_AUDIENCE, expiresIn } = {}) =>
      issuer.sign({
        sub,
        aud,
        scope,
        ...(act ? { act: { sub: act } } : {}),
        ...(expiresIn !== undefined ? { expiresIn } : {}),
      }),
    async close() {
      await Promise.all([...servers].map((s) => s.stop()));
      await Promise.all([issuer.close(), redis.cleanup(), db.drop()]);
    },
  };
}

/** JSON request helper for `app.request()`. */
export function jsonInit(
  token: string | undefined,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): RequestInit {
  return {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
}

/** A `fetch` that serves requests in-process with `app.request()` (no sockets). */
export function inProcessFetch(
  app: () => { request(url: string, init?: RequestInit): Response | Promise<Response> },
): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return app().request(url, init);
  };
}
