/**
 * The real `main.ts` as a child process in the shared life cycle: a token request still uploading
 * when SIGTERM comes is answered with a real token, `/health/ready` answers 503 meanwhile, then the
 * process exits 0 and the port is closed. Bad configuration exits 78 naming the variable.
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
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SECRETS } from './config.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

let db: TestDatabase;
let redis: TestRedis;
const children: ServiceProcess[] = [];
beforeAll(async () => {
  [db, redis] = await Promise.all([createTestDatabase('auth_life'), createTestRedis('auth_life')]);
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await redis.cleanup();
  await db.drop();
});

function start(port: number, extra: Record<string, string> = {}): ServiceProcess {
  const child = spawnService({
    entry: MAIN,
    env: {
      AUTH_NODE_ENV: 'test',
      AUTH_PORT: String(port),
      AUTH_BASE_URL: `http://127.0.0.1:${port}`,
      AUTH_DATABASE_URL: db.url,
      AUTH_REDIS_URL: redis.url,
      AUTH_REDIS_PREFIX: redis.prefix,
      AUTH_LOG_LEVEL: 'info',
      ...extra,
    },
  });
  children.push(child);
  return child;
}

describe('auth life cycle (child process)', () => {
  it('drains on SIGTERM: readiness 503, the open token request answered, exit 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const auth = start(port);
    await auth.waitReady(`${base}/health/ready`);

    const token = heldRequest({
      url: `${base}/token`,
      headers: {
        authorization: `Basic ${Buffer.from(`bots:${DEV_SECRETS.botsClientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'sync' }).toString(),
    });
    await token.started;
    // The server has read the headers: the request is in flight.
    await new Promise((r) => setTimeout(r, 200));

    auth.child.kill('SIGTERM');
    await auth.waitForOutput(/"msg":"draining"/);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { draining: { ok: false } } });
    expect(auth.child.exitCode).toBeNull();

    token.finish();
    const answer = await token.response;
    expect(answer.status, answer.body).toBe(200);
    const body = JSON.parse(answer.body) as { access_token?: unknown; token_type?: unknown };
    expect(body.token_type).toBe('Bearer');
    expect(String(body.access_token).split('.')).toHaveLength(3);

    expect(await auth.exited).toEqual({ code: ExitCode.Ok, signal: null });
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    expect(auth.output()).toMatch(/"msg":"drained"/);
  });

  it('bad configuration exits 78 and names the variable', async () => {
    const auth = start(await freePort(), { AUTH_BASE_URL: 'http://127.0.0.1:1/' });
    expect((await auth.exited).code).toBe(ExitCode.Config);
    expect(auth.output()).toContain('AUTH_BASE_URL');
    expect(auth.output()).toContain('"level":"fatal"');
  });

  it('production without signing keys is a configuration error too (78)', async () => {
    const fresh = await createTestDatabase('auth_life_nokeys');
    try {
      const secret = 'x'.repeat(40);
      const auth = start(await freePort(), {
        AUTH_NODE_ENV: 'production',
        AUTH_BASE_URL: 'https://auth.example.test',
        AUTH_DATABASE_URL: fresh.url,
        AUTH_SECRET: secret,
        AUTH_SYNAPSE_CLIENT_SECRET: `${secret}s`,
        AUTH_BOTS_CLIENT_SECRET: `${secret}b`,
      });
      expect((await auth.exited).code).toBe(ExitCode.Config);
      expect(auth.output()).toContain('no signing keys');
    } finally {
      await fresh.drop();
    }
  });
});
