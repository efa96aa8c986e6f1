/** Signing keys in Postgres: generation, rotation with overlap, pruning, and production's refusal. */
import { connect, loadMigrations, migrate, type Database } from '@mana/db';
import { createTestDatabase, createTestRedis, type TestDatabase } from '@mana/testing';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { ConfigError } from '@mana/config';
import { loadAuthConfig } from '../config.ts';
import { createAuthService, MIGRATIONS_DIR } from '../server.ts';
import { ensureKeys, listKeys, loadKeys, MissingKeysError, pruneKeys, rotateKeys } from './keys.ts';

let tdb: TestDatabase;
let db: Database;
beforeAll(async () => {
  tdb = await createTestDatabase('keys');
  db = connect({ url: tdb.url, schema: 'auth', max: 2 });
  await migrate(db.sql, { schema: 'auth', migrations: await loadMigrations(MIGRATIONS_DIR) });
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe('signing keys', () => {
  it('production refuses to start without keys; development generates and persists one', async () => {
    await expect(ensureKeys(db.db, { production: true, now: t0 })).rejects.toBeInstanceOf(MissingKeysError);
    const first = await ensureKeys(db.db, { production: false, now: t0 });
    expect(first).toHaveLength(1);
    expect(first[0]!.privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(first[0]!.privateJwk.d).toBeTruthy();
    const again = await ensureKeys(db.db, { production: true, now: t0 });
    expect(again.map((k) => k.kid)).toEqual(first.map((k) => k.kid));
  });

  it('rotates: publishes first, signs after the overlap, removes the old key after the retention', async () => {
    const [old] = await loadKeys(db.db, t0);
    const next = await rotateKeys(db.db, { overlapSeconds: 600, retainSeconds: 3600, now: t0 });
    expect(next.kid).not.toBe(old!.kid);
    // During the overlap both are published and the old key still signs (it is first).
    expect((await loadKeys(db.db, at(300))).map((k) => k.kid)).toEqual([old!.kid, next.kid]);
    // After the overlap the new key signs, the old one is still published.
    expect((await loadKeys(db.db, at(601))).map((k) => k.kid)).toEqual([next.kid, old!.kid]);
    // After the retention the old key is gone from the JWKS, and prune deletes it.
    expect((await loadKeys(db.db, at(600 + 3601))).map((k) => k.kid)).toEqual([next.kid]);
    expect(await pruneKeys(db.db, at(600 + 3601))).toEqual([old!.kid]);
    expect((await listKeys(db.db)).map((k) => k.kid)).toEqual([next.kid]);
    const kids = new Set((await listKeys(db.db)).map((k) => k.kid));
    expect(kids.size).toBe(1);
  });

  it('the CLI rotates and lists keys', async () => {
    const before = (await listKeys(db.db)).length;
    expect(
      await runCli(['keys', 'rotate', '--overlap-seconds', '0', '--retain-seconds', '60'], {
        AUTH_DATABASE_URL: tdb.url,
      }),
    ).toBe(0);
    expect((await listKeys(db.db)).length).toBe(before + 1);
    expect(await runCli(['keys', 'list'], { AUTH_DATABASE_URL: tdb.url })).toBe(0);
    expect(await runCli(['nonsense'], { AUTH_DATABASE_URL: tdb.url })).toBe(2);
  });
});

describe('production start-up', () => {
  const prodEnv = (url: string) => ({
    AUTH_NODE_ENV: 'production',
    AUTH_BASE_URL: 'https://auth.example.org',
    AUTH_DATABASE_URL: url,
    AUTH_SECRET: 'x'.repeat(40),
    AUTH_SYNAPSE_CLIENT_SECRET: 'y'.repeat(40),
    AUTH_BOTS_CLIENT_SECRET: 'z'.repeat(40),
  });

  it('refuses development secrets and a non-https issuer, naming the variables', () => {
    try {
      loadAuthConfig({ AUTH_NODE_ENV: 'production', AUTH_BASE_URL: 'http://auth.example.org' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).issues.map((i) => i.variable).sort();
      expect(vars).toEqual([
        'AUTH_BASE_URL',
        'AUTH_BOTS_CLIENT_SECRET',
        'AUTH_SECRET',
        'AUTH_SYNAPSE_CLIENT_SECRET',
      ]);
    }
  });

  it('refuses to start without signing keys', async () => {
    const empty = await createTestDatabase('keys_prod');
    const redis = await createTestRedis('keys');
    try {
      const config = loadAuthConfig({ ...prodEnv(empty.url), AUTH_REDIS_PREFIX: redis.prefix });
      await expect(
        createAuthService({
          config,
          logger: createLogger({ service: 'auth', level: 'silent' }),
          metrics: createMetrics({ service: 'auth', defaults: false }),
        }),
      ).rejects.toBeInstanceOf(MissingKeysError);
    } finally {
      await redis.cleanup();
      await empty.drop();
    }
  });
});
