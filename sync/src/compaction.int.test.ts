import { createSyncClient } from '@mana/sync-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from './server.ts';
import { createSyncTestEnv, inProcessFetch, jsonInit, type SyncTestEnv } from './test-support.ts';

let env: SyncTestEnv;
let server: SyncServer;
beforeAll(async () => {
  env = await createSyncTestEnv('sync_compaction');
  server = await env.server();
});
afterAll(() => env.close());

const inProcess = inProcessFetch(() => server.app);
const client = (clientId: string) =>
  createSyncClient({
    baseUrl: 'http://sync.test',
    apps: ['todo'],
    clientId,
    getToken: () => env.token('gc'),
    fetch: inProcess,
    WebSocket: null,
    pushDebounceMs: null,
    pullIntervalMs: null,
  });

describe('tombstone compaction and expired cursors', () => {
  it('keeps young tombstones, compacts old ones, expires older cursors, and the client resyncs and reconciles', async () => {
    const c = client('dev-c');
    const d = client('dev-d');
    const task = { priority: 1, completed: false } as const;
    await c.put('todo', 'tasks', 'x', { title: 'to be deleted', ...task });
    await c.put('todo', 'tasks', 'y', { title: 'stays', ...task });
    await c.sync();
    await d.sync();
    const staleCursor = d.cursor('todo');
    expect((await d.query('todo', 'tasks')).map((r) => r.id).sort()).toEqual(['x', 'y']);

    await c.delete('todo', 'tasks', 'x');
    await c.sync();
    const tombstoneVersion = c.cursor('todo');

    // Within retention nothing goes.
    expect(await server.compact(new Date(Date.now() - 3600_000))).toEqual({ streams: 0, removed: 0 });
    // Past retention (a cut-off in the future stands in for "30 days later").
    expect(await server.compact(new Date(Date.now() + 1000))).toEqual({ streams: 1, removed: 1 });

    const token = await env.token('gc');
    const expired = await server.app.request(`/sync/todo/pull?cursor=${staleCursor}`, jsonInit(token));
    expect(expired.status).toBe(410);
    expect(await expired.json()).toMatchObject({ errcode: 'SYNC_CURSOR_EXPIRED', horizon: tombstoneVersion });
    expect(
      (await server.app.request(`/sync/todo/pull?cursor=${tombstoneVersion}`, jsonInit(token))).status,
    ).toBe(200);
    const full = await server.app.request('/sync/todo/pull?cursor=0', jsonInit(token));
    expect(((await full.json()) as { changes: { id: string }[] }).changes.map((r) => r.id)).toEqual(['y']);

    // d missed the delete; it also has an unpushed write of its own.
    await d.put('todo', 'tasks', 'z', { title: 'pending on d', ...task });
    await d.sync(); // push → 410 → full resync → reconcile → push again
    expect((await d.query('todo', 'tasks')).map((r) => r.id).sort()).toEqual(['y', 'z']);
    expect(d.pending).toBe(0);
    await c.sync();
    expect((await c.query('todo', 'tasks')).map((r) => r.id).sort()).toEqual(['y', 'z']);
    await Promise.all([c.stop(), d.stop()]);
  });
});
