/**
 * Watching a user's data against a REAL sync server (its own process, on real Postgres and Redis,
 * tokens from a test issuer): another client's write reaches the watcher through the WebSocket
 * poke and a pull, as the changed row; a delete as `deleted`.
 */
import { SYNC_AUDIENCE } from '@mana/auth-client';
import { createLogger } from '@mana/logging';
import { createMemoryStorage, createSyncClient, type SyncClient } from '@mana/sync-client';
import {
  createTestDatabase,
  createTestRedis,
  freePort,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  type TestRedis,
} from '@mana/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotLinkedError } from './errors.ts';
import type { Identity } from './ports.ts';
import { syncWatcher, type RowChange, type Watcher } from './watch.ts';

const ALICE = '@alice:mana.test';
let issuer: TestIssuer;
let db: TestDatabase;
let redis: TestRedis;
let sync: ChildProcess;
let url: string;
let watcher: Watcher;
let other: SyncClient;

/** Alice's Matrix id maps to her account `acct-alice`; the bot's tokens act for her. */
const identity: Identity = {
  async tokenFor(userId, audience) {
    if (userId !== ALICE) throw new NotLinkedError(userId);
    return issuer.sign({ sub: 'acct-alice', aud: audience, scope: 'sync', act: { sub: 'bots' } });
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  [issuer, db, redis] = await Promise.all([
    startTestIssuer(),
    createTestDatabase('watch'),
    createTestRedis('watch'),
  ]);
  const port = await freePort();
  sync = spawn(process.execPath, [new URL('../../../sync/src/main.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      SYNC_DATABASE_URL: db.url,
      SYNC_REDIS_URL: redis.url,
      SYNC_REDIS_PREFIX: redis.prefix,
      SYNC_ISSUER: issuer.issuer,
      SYNC_JWKS_URI: issuer.jwksUri,
      SYNC_PORT: String(port),
      SYNC_HOST: '127.0.0.1',
      SYNC_LOG_LEVEL: 'warn',
      SYNC_COMPACTION_INTERVAL_SECONDS: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 300) throw new Error('sync server did not start');
    await sleep(100);
  }
  watcher = syncWatcher({
    baseUrl: url,
    clientId: 'bots',
    identity,
    audience: SYNC_AUDIENCE,
    log: createLogger({ service: 'watch-int', level: 'silent' }),
  });
  // The web app, as Alice herself.
  other = createSyncClient({
    baseUrl: url,
    apps: ['todo'],
    clientId: 'web-alice',
    getToken: () => issuer.sign({ sub: 'acct-alice', aud: SYNC_AUDIENCE, scope: 'sync' }),
    storage: createMemoryStorage(),
    WebSocket: null,
    pushDebounceMs: null,
    pullIntervalMs: null,
  });
}, 60_000);

afterAll(async () => {
  await watcher?.close();
  await other?.stop();
  if (sync && sync.exitCode === null) {
    const exited = new Promise((r) => sync.once('exit', r));
    sync.kill('SIGTERM');
    await exited;
  }
  await issuer?.close();
  await redis?.cleanup();
  await db?.drop();
});

describe('watch', () => {
  it("sees another client's write within 2 s, then its delete; not the rows there were before", async () => {
    await other.put('todo', 'tasks', 'before', { title: 'Old', priority: 1, completed: false });
    await other.sync('todo');
    const seen: RowChange[][] = [];
    const stop = await watcher.watch(ALICE, 'todo', (changes) => seen.push(changes));
    await sleep(300); // the watcher's WebSocket is up and authenticated

    const t0 = Date.now();
    await other.put('todo', 'tasks', 't1', { title: 'Milk', priority: 2, completed: false });
    await other.sync('todo');
    while (seen.length === 0 && Date.now() - t0 < 2000) await sleep(20);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject([
      { table: 'tasks', id: 't1', row: { id: 't1', title: 'Milk', priority: 2 } },
    ]);
    expect(seen[0]).toHaveLength(1);

    await other.delete('todo', 'tasks', 't1');
    await other.sync('todo');
    const t1 = Date.now();
    while (seen.length < 2 && Date.now() - t1 < 2000) await sleep(20);
    expect(seen[1]).toEqual([{ table: 'tasks', id: 't1', deleted: true }]);

    await stop();
    await other.put('todo', 'tasks', 't2', { title: 'Bread', priority: 1, completed: false });
    await other.sync('todo');
    await sleep(500);
    expect(seen).toHaveLength(2);
  });

  it('a user without an account is refused', async () => {
    await expect(watcher.watch('@bob:mana.test', 'todo', () => {})).rejects.toBeInstanceOf(NotLinkedError);
    await expect(watcher.watch(ALICE, 'nope', () => {})).rejects.toThrow(/unknown sync app/);
  });
});
