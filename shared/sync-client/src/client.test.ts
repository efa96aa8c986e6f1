/**
 * Engine behaviour with a small in-memory server (same merge rule, versions per row), so timing,
 * batching, retries and status can be checked without Postgres. The engine against the real server
 * is tested in sync/src/*.int.test.ts.
 */
import { applyChange, emptyRow, pushRequestSchema, type RowState, type ServerRow } from '@mana/sync-protocol';
import { describe, expect, it } from 'vitest';
import { createSyncClient, type SyncStatus } from './client.ts';

function fakeServer() {
  const rows = new Map<string, ServerRow>();
  let head = 0;
  const requests: { method: string; path: string; changes?: number }[] = [];
  let failNext = 0;
  const page = (cursor: number) => {
    const changes = [...rows.values()]
      .filter((r) => r.version > cursor)
      .sort((a, b) => a.version - b.version);
    return { protocolVersion: 1, cursor: head, changes, hasMore: false };
  };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (failNext > 0) {
      failNext--;
      throw new TypeError('fetch failed');
    }
    if (init?.method === 'POST') {
      const body = pushRequestSchema.parse(JSON.parse(typeof init.body === 'string' ? init.body : ''));
      requests.push({ method: 'POST', path: url.pathname, changes: body.changes.length });
      for (const c of body.changes) {
        const cur = rows.get(c.id);
        const before: RowState = cur ? { fields: cur.fields, deleted: cur.deleted } : emptyRow();
        const after = applyChange(before, c);
        if (after !== before) rows.set(c.id, { table: c.table, id: c.id, version: ++head, ...after });
      }
      return Response.json({ ...page(body.cursor), acknowledged: body.changes.length });
    }
    requests.push({ method: 'GET', path: url.pathname });
    return Response.json(page(Number(url.searchParams.get('cursor'))));
  };
  const put = (r: ServerRow) => {
    rows.set(r.id, r);
    head = Math.max(head, r.version);
  };
  return { fetch, rows, requests, put, fail: (n: number) => (failNext = n) };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await wait(5);
  }
}
const task = { priority: 1, completed: false } as const;

describe('sync client engine', () => {
  it('debounces a burst of writes into one push and reports pending → syncing → synced', async () => {
    const server = fakeServer();
    const client = createSyncClient({
      baseUrl: 'http://s',
      apps: ['todo'],
      clientId: 'c1',
      getToken: () => 't',
      fetch: server.fetch,
      WebSocket: null,
      pushDebounceMs: 200,
      pullIntervalMs: null,
    });
    const statuses: SyncStatus[] = [];
    client.onStatus((s) => statuses.push(s));
    await client.put('todo', 'tasks', 'a', { title: 'one', ...task });
    await client.put('todo', 'tasks', 'b', { title: 'two', ...task });
    await client.put('todo', 'tasks', 'a', { title: 'one, edited' });
    expect(client.pending).toBe(3);
    await until(() => client.status === 'synced');
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([
      { method: 'POST', path: '/sync/todo', changes: 3 },
    ]);
    expect(client.status).toBe('synced');
    expect(statuses).toEqual(expect.arrayContaining(['pending', 'syncing', 'synced']));
    expect(server.rows.get('a')?.fields.title?.value).toBe('one, edited');
    await client.stop();
  });

  it('goes offline on network errors and retries by itself with backoff', async () => {
    const server = fakeServer();
    const errors: unknown[] = [];
    const client = createSyncClient({
      baseUrl: 'http://s',
      apps: ['todo'],
      clientId: 'c2',
      getToken: () => 't',
      fetch: server.fetch,
      WebSocket: null,
      pushDebounceMs: 0,
      pullIntervalMs: null,
      backoff: { minMs: 10, maxMs: 40 },
      onError: (e) => errors.push(e),
    });
    const statuses: string[] = [];
    client.onStatus((st, pending) => statuses.push(`${st}:${pending}`));
    server.fail(2);
    await client.put('todo', 'tasks', 'x', { title: 'later', ...task });
    await until(() => client.status === 'synced' && client.pending === 0);
    expect(statuses).toContain('offline:1');
    expect(server.rows.has('x')).toBe(true);
    expect(errors.length).toBe(2);
    await client.stop();
  });

  it('notifies subscribers of local and remote changes, and merges without losing pending writes', async () => {
    const server = fakeServer();
    const mk = (clientId: string) =>
      createSyncClient({
        baseUrl: 'http://s',
        apps: ['todo'],
        clientId,
        getToken: () => 't',
        fetch: server.fetch,
        WebSocket: null,
        pushDebounceMs: null,
        pullIntervalMs: null,
      });
    const a = mk('a');
    const b = mk('b');
    const seen: string[][] = [];
    b.subscribe('todo', 'tasks', (rows) => seen.push(rows.map((r) => `${r.id}:${r.title}`)));
    await a.put('todo', 'tasks', 'r', { title: 'from a', ...task });
    await a.sync();
    await b.put('todo', 'tasks', 'r', { completed: true }); // pending on b while it pulls a's row
    await b.sync();
    expect(await b.get('todo', 'tasks', 'r')).toEqual({
      id: 'r',
      title: 'from a',
      priority: 1,
      completed: true,
    });
    await a.sync();
    expect(await a.get('todo', 'tasks', 'r')).toEqual({
      id: 'r',
      title: 'from a',
      priority: 1,
      completed: true,
    });
    expect(seen.at(-1)).toEqual(['r:from a']);
    await b.delete('todo', 'tasks', 'r');
    expect(await b.query('todo', 'tasks')).toEqual([]);
    expect(seen.at(-1)).toEqual([]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('applies the rows a poke carries when they start at its cursor, and pulls when they do not', async () => {
    const server = fakeServer();
    const sockets: FakeSocket[] = [];
    class FakeSocket {
      readyState = 1;
      sent: string[] = [];
      onopen: ((ev: unknown) => void) | null = null;
      onmessage: ((ev: { data: unknown }) => void) | null = null;
      onclose: ((ev: { code: number; reason: string }) => void) | null = null;
      onerror: ((ev: unknown) => void) | null = null;
      constructor() {
        sockets.push(this);
        setTimeout(() => this.onopen?.({}), 0);
      }
      send(data: string) {
        this.sent.push(data);
      }
      close() {}
      emit(msg: object) {
        this.onmessage?.({ data: JSON.stringify(msg) });
      }
    }
    const client = createSyncClient({
      baseUrl: 'http://s',
      apps: ['todo'],
      clientId: 'c1',
      getToken: () => 'tok',
      fetch: server.fetch,
      WebSocket: FakeSocket,
      pullIntervalMs: null,
    });
    await client.ready;
    await until(() => sockets[0]?.sent.length === 1); // auth
    const ws = sockets[0]!;
    ws.emit({ type: 'ready' });
    await until(() => client.caughtUp('todo') !== undefined);
    const pulls = () => server.requests.filter((r) => r.method === 'GET').length;
    const before = pulls();
    const row = (id: string, version: number, title: string): ServerRow => ({
      table: 'tasks',
      id,
      version,
      fields: { title: { value: title, hlc: `${String(Date.now()).padStart(15, '0')}:000000:srv` } },
      deleted: null,
    });
    // At the client's cursor (0): applied as it is, no request.
    ws.emit({ type: 'poke', appId: 'todo', cursor: 1, from: 0, changes: [row('p1', 1, 'from the poke')] });
    await until(() => client.cursor('todo') === 1);
    expect(await client.get('todo', 'tasks', 'p1')).toMatchObject({ title: 'from the poke' });
    expect(pulls()).toBe(before);
    // Rows that start after a version the client never saw (it missed 2): it pulls instead.
    server.put(row('p1', 1, 'from the poke'));
    server.put(row('p2', 2, 'missed'));
    server.put(row('p3', 3, 'poked'));
    ws.emit({ type: 'poke', appId: 'todo', cursor: 3, from: 2, changes: [row('p3', 3, 'poked')] });
    await until(() => client.cursor('todo') === 3);
    expect(pulls()).toBe(before + 1);
    expect(await client.get('todo', 'tasks', 'p2')).toMatchObject({ title: 'missed' });
    // A poke the client is already past changes nothing.
    ws.emit({ type: 'poke', appId: 'todo', cursor: 2, from: 1, changes: [row('p2', 2, 'stale')] });
    await wait(20);
    expect(await client.get('todo', 'tasks', 'p2')).toMatchObject({ title: 'missed' });
    expect(pulls()).toBe(before + 1);
    await client.stop();
  });
});
