import { WsCloseCode, formatHlc, pullResponseSchema, type WsServerMessage } from '@mana/sync-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SyncServer } from './server.ts';
import { createSyncTestEnv, jsonInit, type SyncTestEnv } from './test-support.ts';

let env: SyncTestEnv;
let a: SyncServer;
let b: SyncServer;
let urlA: string;
let urlB: string;
beforeAll(async () => {
  env = await createSyncTestEnv('sync_ws');
  // Two instances on different ports sharing Postgres and Redis, as behind a load balancer.
  a = await env.server();
  b = await env.server();
  urlA = (await a.listen()).url;
  urlB = (await b.listen()).url;
});
afterAll(() => env.close());

interface Client {
  ws: WebSocket;
  next(type: WsServerMessage['type'], timeoutMs?: number): Promise<WsServerMessage>;
  received: WsServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
}

async function open(base: string, path = '/ws'): Promise<Client> {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + path);
  const received: WsServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    received.push(JSON.parse((d as Buffer).toString('utf8')) as WsServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => r({ code, reason: String(reason) })),
  );
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  return {
    ws,
    received,
    closed,
    async next(type, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = received.findIndex((m) => m.type === type);
        if (i >= 0) return received.splice(i, 1)[0]!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${type} message within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, left);
        });
      }
    },
  };
}

async function authed(base: string, token: string, path = '/ws'): Promise<Client> {
  const c = await open(base, path);
  c.ws.send(JSON.stringify({ type: 'auth', token }));
  await c.next('ready');
  return c;
}

async function push(
  server: SyncServer,
  token: string,
  app: string,
  table: string,
  fields: Record<string, unknown>,
) {
  const hlc = formatHlc({ wall: Date.now(), counter: 0, clientId: 'w' });
  const res = await server.app.request(
    `/sync/${app}`,
    jsonInit(token, {
      clientId: 'w',
      cursor: 0,
      changes: [
        {
          op: 'upsert',
          table,
          id: `r${Math.random()}`,
          fields: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value, hlc }])),
        },
      ],
    }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { cursor: number }).cursor;
}
const taskFields = { title: 'x', priority: 1, completed: false };

describe('WebSocket /ws', () => {
  it('closes 4001 when no auth message arrives in time', async () => {
    const strict = await env.server({ env: { SYNC_WS_AUTH_TIMEOUT_MS: '300' } });
    const c = await open((await strict.listen()).url);
    const started = Date.now();
    expect((await c.closed).code).toBe(WsCloseCode.Unauthenticated);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await strict.stop();
  });

  it('closes 4001 on an invalid token, 4000 on a malformed message, 4003 without sync scope', async () => {
    const bad = await open(urlA);
    bad.ws.send(JSON.stringify({ type: 'auth', token: 'nope' }));
    expect((await bad.closed).code).toBe(WsCloseCode.Unauthenticated);
    const garbled = await open(urlA);
    garbled.ws.send('{not json');
    expect((await garbled.closed).code).toBe(WsCloseCode.ProtocolError);
    const noScope = await open(urlA);
    noScope.ws.send(JSON.stringify({ type: 'auth', token: await env.token('u1', { scope: 'openid' }) }));
    expect((await noScope.closed).code).toBe(WsCloseCode.Forbidden);
    const wrongApp = await open(urlA, '/ws/calendar');
    wrongApp.ws.send(
      JSON.stringify({ type: 'auth', token: await env.token('u1', { scope: 'sync:todo', act: 'bot' }) }),
    );
    expect((await wrongApp.closed).code).toBe(WsCloseCode.Forbidden);
  });

  it('answers ping with pong and pokes on a push to a stream the connection may see', async () => {
    const token = await env.token('poked');
    const c = await authed(urlA, token);
    c.ws.send(JSON.stringify({ type: 'ping' }));
    await c.next('pong');
    const cursor = await push(a, token, 'todo', 'tasks', taskFields);
    // A small push carries its row: exactly what a pull from `from` returns.
    const poke = await c.next('poke');
    const res = await a.app.request(`/sync/todo/pull?cursor=${cursor - 1}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const pulled = pullResponseSchema.parse(await res.json());
    expect(poke).toEqual({ type: 'poke', appId: 'todo', cursor, from: cursor - 1, changes: pulled.changes });
    expect(pulled.changes).toHaveLength(1);
    c.ws.close();
  });

  it('pokes only the owner, and only for apps the token covers', async () => {
    const owner = await env.token('owner');
    const bot = await authed(urlA, await env.token('owner', { scope: 'sync:todo', act: 'bot-todo' }));
    const todoOnly = await authed(urlA, owner, '/ws/todo');
    const stranger = await authed(urlA, await env.token('stranger'));
    await push(a, owner, 'settings', 'settings', { language: 'en', timezone: 'UTC' });
    const cursor = await push(a, owner, 'todo', 'tasks', taskFields);
    expect(await bot.next('poke')).toMatchObject({ appId: 'todo', cursor });
    expect(await todoOnly.next('poke')).toMatchObject({ appId: 'todo', cursor });
    await new Promise((r) => setTimeout(r, 100));
    expect(bot.received).toEqual([]);
    expect(todoOnly.received).toEqual([]);
    expect(stranger.received).toEqual([]);
    for (const c of [bot, todoOnly, stranger]) c.ws.close();
  });

  it('a write through instance A pokes a client connected to instance B (Redis fan-out)', async () => {
    const token = await env.token('fanout');
    const onB = await authed(urlB, token);
    const cursor = await push(a, token, 'todo', 'tasks', taskFields);
    expect(await onB.next('poke')).toMatchObject({ type: 'poke', appId: 'todo', cursor, from: cursor - 1 });
    // And the other way round.
    const onA = await authed(urlA, token);
    const cursor2 = await push(b, token, 'todo', 'tasks', taskFields);
    expect(await onA.next('poke')).toMatchObject({
      type: 'poke',
      appId: 'todo',
      cursor: cursor2,
      from: cursor2 - 1,
      changes: [expect.objectContaining({ table: 'tasks', version: cursor2 })],
    });
    expect(
      (await (await b.app.request('/metrics')).text()).match(/sync_ws_connections\{[^}]*\} (\d+)/)?.[1],
    ).toBe('1');
    onA.ws.close();
    onB.ws.close();
  });

  it('closes sockets with 1001 when the instance drains', async () => {
    const c = await env.server();
    const url = (await c.listen()).url;
    const client = await authed(url, await env.token('drain'));
    const stopping = c.stop();
    expect((await client.closed).code).toBe(WsCloseCode.GoingAway);
    await stopping;
  });
});
