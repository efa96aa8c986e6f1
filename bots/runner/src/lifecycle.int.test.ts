/**
 * The real runner `main.ts` as a child process in the shared life cycle. In flight when SIGTERM
 * comes: an invite being processed (its join held by the homeserver) and an appservice transaction
 * still uploading. `/health/ready` answers 503 meanwhile, the transaction gets its normal 200, the
 * invite finishes, the process exits 0 and the port closes; the event that arrived during the drain
 * stays stored and is processed by the next start. Bad configuration exits 78 naming the variable.
 *
 * The homeserver is a stub that answers what the runner asks (register, profile, join): a real
 * Synapse answers a join at once, so it cannot hold one open for the test.
 */
import { ExitCode } from '@mana/http';
import {
  createTestDatabase,
  createTestRedis,
  freePort,
  heldRequest,
  spawnService,
  type ServiceProcess,
  type TestDatabase,
  type TestRedis,
} from '@mana/testing';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const HS_TOKEN = 'hs-token-for-the-life-cycle-test';

/** A homeserver stub: every call answered at once, except joins, which wait for `releaseJoins()`. */
async function stubHomeserver() {
  const joins: string[] = [];
  const held: (() => void)[] = [];
  let holding = true;
  const server: Server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hs');
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    const join = /^\/_matrix\/client\/v3\/join\/([^/]+)$/.exec(url.pathname);
    if (join?.[1]) {
      const roomId = decodeURIComponent(join[1]);
      joins.push(roomId);
      const answer = () => json({ room_id: roomId });
      if (holding) held.push(answer);
      else answer();
    } else if (url.pathname === '/_matrix/client/v3/account/whoami') {
      json({ user_id: url.searchParams.get('user_id') ?? '@mana:mana.test' });
    } else if (url.pathname.startsWith('/_matrix/client/v3/profile/')) {
      json({ displayname: 'Todo' });
    } else {
      json({});
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    joins,
    releaseJoins() {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const invite = (n: number) => ({
  event_id: `$invite-${n}-${Date.now()}`,
  room_id: `!room${n}:mana.test`,
  type: 'm.room.member',
  sender: '@alice:mana.test',
  state_key: '@todo:mana.test',
  origin_server_ts: Date.now(),
  content: { membership: 'invite' },
});

let db: TestDatabase;
let redis: TestRedis;
let hs: Awaited<ReturnType<typeof stubHomeserver>>;
const children: ServiceProcess[] = [];
beforeAll(async () => {
  [db, redis, hs] = await Promise.all([
    createTestDatabase('runner_life'),
    createTestRedis('runner_life'),
    stubHomeserver(),
  ]);
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await hs.close();
  await redis.cleanup();
  await db.drop();
});

function start(port: number, extra: Record<string, string> = {}): ServiceProcess {
  const child = spawnService({
    entry: MAIN,
    env: {
      BOT_BOTS: 'todo',
      BOT_PORT: String(port),
      BOT_NODE_ENV: 'test',
      BOT_LOG_LEVEL: 'info',
      BOT_HOMESERVER_URL: hs.url,
      BOT_SERVER_NAME: 'mana.test',
      BOT_AS_TOKEN: 'as-token-for-the-life-cycle-test',
      BOT_HS_TOKEN: HS_TOKEN,
      BOT_DATABASE_URL: db.url,
      BOT_REDIS_URL: redis.url,
      BOT_QUEUE_PREFIX: `${redis.prefix}bull`,
      BOT_MATRIX_RETRY_MAX_MS: '5000',
      ...extra,
    },
  });
  children.push(child);
  return child;
}

const transaction = (base: string, txnId: string, events: unknown[]) =>
  fetch(`${base}/_matrix/app/v1/transactions/${txnId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${HS_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('bot runner life cycle (child process)', () => {
  it(
    'drains on SIGTERM: readiness 503, the event in progress and the open transaction finish, exit 0',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const runner = start(port);
      await runner.waitReady(`${base}/health/ready`);

      // An invite being processed: its join waits at the homeserver.
      expect((await transaction(base, 't1', [invite(1)])).status).toBe(200);
      await until('the join of room 1', () => hs.joins.includes('!room1:mana.test'));
      // A transaction still uploading.
      const second = invite(2);
      const txn = heldRequest({
        url: `${base}/_matrix/app/v1/transactions/t2`,
        method: 'PUT',
        headers: { authorization: `Bearer ${HS_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [second] }),
      });
      await txn.started;
      await new Promise((r) => setTimeout(r, 200));

      runner.child.kill('SIGTERM');
      await runner.waitForOutput(/"msg":"draining"/);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { draining: { ok: false } } });

      txn.finish();
      const answer = await txn.response;
      expect(answer.status, answer.body).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({});
      await new Promise((r) => setTimeout(r, 200));
      expect(runner.child.exitCode).toBeNull();

      hs.releaseJoins();
      expect(await runner.exited).toEqual({ code: ExitCode.Ok, signal: null });
      expect(runner.output()).toMatch(/"roomId":"!room1:mana.test"[^\n]*"msg":"joined on invite"/);
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
      // Stored during the drain, not started: left for the next run.
      expect(hs.joins).not.toContain('!room2:mana.test');

      const again = start(port);
      await again.waitReady(`${base}/health/ready`);
      await until('the join of room 2 after the restart', () => hs.joins.includes('!room2:mana.test'));
      await again.waitForOutput(/"roomId":"!room2:mana.test"[^\n]*"msg":"joined on invite"/);
      again.child.kill('SIGTERM');
      expect((await again.exited).code).toBe(ExitCode.Ok);
    },
  );

  it('an unknown bot in BOT_BOTS exits 78 and names the variable', { timeout: 60_000 }, async () => {
    const runner = start(await freePort(), { BOT_BOTS: 'todo,nonesuch' });
    expect((await runner.exited).code).toBe(ExitCode.Config);
    expect(runner.output()).toContain('BOT_BOTS');
    expect(runner.output()).toContain('nonesuch');
  });
});
