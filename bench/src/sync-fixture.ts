/**
 * What every sync benchmark needs: the sync integration-test environment (fresh database, Redis
 * prefix, token issuer) and one sync server on a real port built on it.
 */
import type { SyncServer } from '@mana/sync';
import { createSyncTestEnv } from '@mana/sync/testing';
import type { TestDatabase, TestIssuer, TestRedis } from '@mana/testing';

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
  const t = await createSyncTestEnv(label);
  const env = t.env({ SYNC_LOG_LEVEL: 'warn', ...overrides });
  const server = await t.server({ env });
  const { url } = await server.listen();
  return {
    server,
    url,
    db: t.db,
    redis: t.redis,
    issuer: t.issuer,
    env,
    token: (sub) => t.token(sub, { expiresIn: '1h' }),
    close: () => t.close(),
  };
}
