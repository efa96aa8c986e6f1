import { createMemoryStorage, createSyncClient, type SyncClient, type SyncStatus } from '@mana/sync-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from './server.ts';
import { createSyncTestEnv, type SyncTestEnv } from './test-support.ts';

let env: SyncTestEnv;
let server: SyncServer;
let url: string;
const clients: SyncClient[] = [];
beforeAll(async () => {
  env = await createSyncTestEnv('sync_client');
  server = await env.server();
  url = (await server.listen()).url;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await env.close();
});

function client(sub: string, clientId: string, opts: Partial<Parameters<typeof createSyncClient>[0]> = {}) {
  const c = createSyncClient({
    baseUrl: url,
    apps: ['todo', 'settings'],
    clientId,
    getToken: () => env.token(sub),
    pushDebounceMs: 5,
    backoff: { minMs: 20, maxMs: 200 },
    ...opts,
  });
  clients.push(c);
  return c;
}

function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = async () => {
      const v = await check();
      if (v) resolve(v);
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(() => void tick(), 10);
    };
    void tick();
  });
}

describe('sync client against a real server', () => {
  it('a write on device A shows up on device B live (WebSocket poke), status goes pending → synced', async () => {
    const a = client('live', 'dev-a');
    const b = client('live', 'dev-b');
    await Promise.all([a.ready, b.ready]);
    const seen: string[][] = [];
    b.subscribe('todo', 'tasks', (rows) => seen.push(rows.map((r) => String(r.title))));
    const statuses: SyncStatus[] = [];
    a.onStatus((s) => statuses.push(s));
    await until(() => b.cursor('todo') >= 0 && true);
    await a.put('todo', 'tasks', 't1', { title: 'Milk', priority: 2, completed: false });
    expect(await a.get('todo', 'tasks', 't1')).toMatchObject({ id: 't1', title: 'Milk' }); // applied locally at once
    await until(() => seen.some((titles) => titles.includes('Milk')));
    await until(() => a.status === 'synced' && a.pending === 0);
    expect(statuses).toContain('pending');
    expect(statuses).toContain('syncing');
    // And back: B edits one field, A's other fields stay.
    await b.put('todo', 'tasks', 't1', { completed: true });
    await until(async () => (await a.get('todo', 'tasks', 't1'))?.completed === true);
    expect(await a.get('todo', 'tasks', 't1')).toMatchObject({ title: 'Milk', priority: 2, completed: true });
  });

  it('works offline: writes apply locally, status offline with a pending count, then sync when back', async () => {
    let online = false;
    const realFetch = globalThis.fetch;
    const c = client('offline', 'dev-off', {
      WebSocket: null,
      fetch: (input, init) =>
        online ? realFetch(input, init) : Promise.reject(new TypeError('fetch failed')),
    });
    await c.put('todo', 'tasks', 'o1', { title: 'offline 1', priority: 1, completed: false });
    await c.put('todo', 'tasks', 'o2', { title: 'offline 2', priority: 1, completed: false });
    await c.delete('todo', 'tasks', 'o2');
    await until(() => c.status === 'offline');
    expect(c.pending).toBe(3);
    expect((await c.query('todo', 'tasks')).map((r) => r.id)).toEqual(['o1']);
    online = true;
    await c.sync();
    expect(c.status).toBe('synced');
    expect(c.pending).toBe(0);
    const other = client('offline', 'dev-other', { WebSocket: null });
    await other.sync();
    expect((await other.query('todo', 'tasks')).map((r) => r.title)).toEqual(['offline 1']);
  });

  it('keeps the outbox across a restart (persistent storage) and pushes it later', async () => {
    const storage = createMemoryStorage();
    const failing = () => Promise.reject(new TypeError('offline'));
    const first = client('restart', 'dev-r', {
      storage,
      WebSocket: null,
      fetch: failing,
      pushDebounceMs: null,
    });
    await first.put('settings', 'settings', 'user', { language: 'de', timezone: 'Europe/Berlin' });
    await first.stop();
    const second = client('restart', 'dev-r', { storage, WebSocket: null, pushDebounceMs: null });
    expect(second.pending).toBe(0); // not loaded yet
    await second.ready;
    expect(second.pending).toBe(1);
    await second.sync();
    const viewer = client('restart', 'dev-v', { WebSocket: null });
    await viewer.sync();
    expect(await viewer.get('settings', 'settings', 'user')).toEqual({
      id: 'user',
      language: 'de',
      timezone: 'Europe/Berlin',
    });
  });

  it('a bot (token exchange: act + sync:todo) writes for the user with the same engine', async () => {
    const bot = client('botuser', 'bot-todo', {
      apps: ['todo'],
      WebSocket: null,
      getToken: () => env.token('botuser', { scope: 'sync:todo', act: 'bot-todo' }),
    });
    const web = client('botuser', 'web-1');
    await web.ready;
    await bot.put('todo', 'tasks', 'from-bot', {
      title: 'Call mum',
      priority: 1,
      completed: false,
      dueDate: '2026-01-02',
    });
    await bot.sync();
    await until(async () => (await web.get('todo', 'tasks', 'from-bot'))?.title === 'Call mum');
  });

  it('reconnects its WebSocket with backoff after the server restarts, and pokes flow again', async () => {
    const first = await env.server();
    const { port, url: restartUrl } = await first.listen();
    const make = (clientId: string) =>
      client('reconnect', clientId, {
        baseUrl: restartUrl,
        pullIntervalMs: null,
        backoff: { minMs: 20, maxMs: 100 },
      });
    const a = make('dev-ra');
    const b = make('dev-rb');
    await a.put('todo', 'tasks', 'before', { title: 'before restart', priority: 1, completed: false });
    await until(async () => (await b.get('todo', 'tasks', 'before')) !== undefined);
    await first.stop();
    const second = await env.server({ env: { SYNC_PORT: String(port) } });
    await second.listen();
    // No interval pulls: B hears of this write only through its new socket (ready → pull, or a poke).
    await until(async () => {
      if (a.status !== 'synced') await a.sync().catch(() => undefined);
      return a.status === 'synced';
    });
    await a.put('todo', 'tasks', 'after', { title: 'after restart', priority: 1, completed: false });
    await until(async () => (await b.get('todo', 'tasks', 'after')) !== undefined, 8000);
    await second.stop();
  });

  it('caughtUp: once pulled after the socket is ready, a small change arrives inside its poke (no pull); a large one is pulled; not live when the socket is down', async () => {
    const own = await env.server({ env: { SYNC_POKE_MAX_BYTES: '512' } });
    const { url: liveUrl } = await own.listen();
    let readerPulls = 0;
    const reader = client('caught-up', 'dev-live', {
      baseUrl: liveUrl,
      pullIntervalMs: null,
      fetch: (input, init) => {
        const target = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
        if (target.includes('/pull')) readerPulls++;
        return globalThis.fetch(input, init);
      },
    });
    const writer = client('caught-up', 'dev-writer', { baseUrl: liveUrl, WebSocket: null });
    expect(reader.caughtUp('todo')).toBeUndefined(); // not connected yet
    await until(() => reader.caughtUp('todo') !== undefined && reader.caughtUp('settings') !== undefined);
    const pullsWhenLive = readerPulls;
    await writer.put('todo', 'tasks', 'w1', { title: 'from the writer', priority: 1, completed: false });
    await writer.sync('todo');
    await until(async () => (await reader.get('todo', 'tasks', 'w1')) !== undefined);
    await reader.caughtUp('todo');
    // The poke carried the row: the reader never asked the server.
    expect(readerPulls).toBe(pullsWhenLive);
    expect(await reader.get('todo', 'tasks', 'w1')).toMatchObject({ title: 'from the writer' });
    expect(reader.cursor('todo')).toBe(writer.cursor('todo'));
    // Over the limit (512 bytes here): the poke only says "advanced", and the reader pulls once.
    await writer.put('todo', 'tasks', 'w2', { title: 'x'.repeat(800), priority: 1, completed: false });
    await writer.sync('todo');
    await until(async () => (await reader.get('todo', 'tasks', 'w2')) !== undefined);
    await reader.caughtUp('todo');
    expect(readerPulls).toBe(pullsWhenLive + 1);
    expect(reader.cursor('todo')).toBe(writer.cursor('todo'));
    await own.stop();
    await until(() => reader.caughtUp('todo') === undefined);
  });

  it('refuses locally what the server would refuse, before it reaches the outbox', async () => {
    const c = client('strict', 'dev-s', { WebSocket: null });
    await expect(c.put('todo', 'tasks', 'x', { priority: 9 })).rejects.toMatchObject({
      code: 'SYNC_INVALID_FIELD',
    });
    await expect(c.put('todo', 'nope' as 'tasks', 'x', {})).rejects.toMatchObject({
      code: 'SYNC_UNKNOWN_TABLE',
    });
    expect(c.pending).toBe(0);
  });
});
