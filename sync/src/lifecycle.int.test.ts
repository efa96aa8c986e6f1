/**
 * The real `main.ts` as a child process in the shared life cycle: on SIGTERM readiness turns red,
 * WebSockets close with 1001 and new ones are refused, a push that is still uploading when the
 * signal comes is answered normally, then the process exits 0 and the port is closed. Bad
 * configuration exits 78 naming the variable.
 */
import { ExitCode } from '@mana/http';
import { formatHlc, WsCloseCode } from '@mana/sync-protocol';
import { freePort, heldRequest, spawnService, type ServiceProcess } from '@mana/testing';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSyncTestEnv, type SyncTestEnv } from './test-support.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

let env: SyncTestEnv;
const children: ServiceProcess[] = [];
beforeAll(async () => {
  env = await createSyncTestEnv('sync_life');
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await env.close();
});

function start(vars: Record<string, string>): ServiceProcess {
  const child = spawnService({ entry: MAIN, env: vars });
  children.push(child);
  return child;
}

/** Opens a socket and authenticates; resolves with it and its close event. */
async function socket(base: string, token: string) {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/todo`);
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise<void>((res, rej) => {
    ws.once('message', () => res());
    ws.once('error', rej);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
  });
  return { ws, closed };
}

describe('sync life cycle (child process)', () => {
  it('drains on SIGTERM: readiness 503, sockets 1001, the open push answered, exit 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const sync = start(env.env({ SYNC_PORT: String(port), SYNC_LOG_LEVEL: 'info' }));
    await sync.waitReady(`${base}/health/ready`);

    const token = await env.token('life');
    const live = await socket(base, token);
    const hlc = formatHlc({ wall: Date.now(), counter: 0, clientId: 'c1' });
    const push = heldRequest({
      url: `${base}/sync/todo`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        clientId: 'c1',
        cursor: 0,
        changes: [
          {
            op: 'upsert',
            table: 'tasks',
            id: 'drain-1',
            fields: { title: { value: 'written during a drain', hlc } },
          },
        ],
      }),
    });
    await push.started;
    // The server has read the headers: the push is in flight.
    await new Promise((r) => setTimeout(r, 200));

    sync.child.kill('SIGTERM');
    await sync.waitForOutput(/"msg":"draining"/);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { draining: { ok: false } } });
    expect(await live.closed).toBe(WsCloseCode.GoingAway);
    await expect(socket(base, token)).rejects.toThrow();
    expect(sync.child.exitCode).toBeNull();

    push.finish();
    const answer = await push.response;
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ acknowledged: 1, cursor: 1 });

    expect(await sync.exited).toEqual({ code: ExitCode.Ok, signal: null });
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    expect(sync.output()).toMatch(/"msg":"drained"/);
  });

  it('bad configuration exits 78 and names the variable', async () => {
    const sync = start(env.env({ SYNC_PORT: 'not-a-port', SYNC_LOG_LEVEL: 'info' }));
    expect((await sync.exited).code).toBe(ExitCode.Config);
    expect(sync.output()).toContain('SYNC_PORT');
    expect(sync.output()).toContain('"level":"fatal"');
  });
});
