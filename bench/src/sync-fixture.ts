/**
 * What every sync benchmark needs: a fresh database, a Redis prefix, a token issuer, and a sync
 * server on a real port built on them.
 */
import { createSyncServer, loadSyncConfig, type SyncServer } from '@mana/sync';
import {
  createTestDatabase,
  createTestRedis,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  type TestRedis,
} from '@mana/testing';

export interface SyncFixture {
  server: SyncServer;
  url: string;
  db: TestDatabase;
  redis: TestRedis;
  issuer: TestIssuer;
  /** Environment for another sync process on the same database and Redis. */
  env: Record<string, string>;
  token(sub: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSyncFixture(
  label: string,
  overrides: Record<string, string> = {},
): Promise<SyncFixture> {
  const [db, redis, issuer] = await Promise.all([
    createTestDatabase(label),
    createTestRedis(label),
    startTestIssuer(),
  ]);
  const env = {
    SYNC_DATABASE_URL: db.url,
    SYNC_REDIS_URL: redis.url,
    SYNC_REDIS_PREFIX: redis.prefix,
    SYNC_ISSUER: issuer.issuer,
    SYNC_JWKS_URI: issuer.jwksUri,
    SYNC_PORT: '0',
    SYNC_LOG_LEVEL: 'warn',
    SYNC_COMPACTION_INTERVAL_SECONDS: '0',
    ...overrides,
  };
  const server = await createSyncServer({ config: loadSyncConfig(env) });
  const { url } = await server.listen();
  return {
    server,
    url,
    db,
    redis,
    issuer,
    env,
    token: (sub) => issuer.sign({ sub, aud: 'urn:mana:sync', scope: 'sync', expiresIn: '1h' }),
    async close() {
      await server.stop();
      await Promise.all([issuer.close(), redis.cleanup(), db.drop()]);
    },
  };
}
