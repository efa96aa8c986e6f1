import { formatHlc, type PullResponse, type PushResponse } from '@mana/sync-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from './server.ts';
import { createSyncTestEnv, jsonInit, type SyncTestEnv } from './test-support.ts';

let env: SyncTestEnv;
let server: SyncServer;
beforeAll(async () => {
  env = await createSyncTestEnv('sync_pushpull');
  server = await env.server();
});
afterAll(() => env.close());

const h = (wall: number, clientId = 'c1', counter = 0) =>
  formatHlc({ wall: 1_700_000_000_000 + wall, counter, clientId });
const task = (id: string, fields: Record<string, unknown>, hlc: string) => ({
  op: 'upsert' as const,
  table: 'tasks',
  id,
  fields: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value, hlc }])),
});

async function push(token: string, cursor: number, changes: unknown[], clientId = 'c1', app = 'todo') {
  const res = await server.app.request(`/sync/${app}`, jsonInit(token, { clientId, cursor, changes }));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as PushResponse;
}
async function pull(token: string, cursor: number, limit?: number, app = 'todo') {
  const res = await server.app.request(
    `/sync/${app}/pull?cursor=${cursor}${limit ? `&limit=${limit}` : ''}`,
    jsonInit(token),
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as PullResponse;
}

describe('push and pull', () => {
  it('applies a push atomically, assigns growing versions and answers with changes after the cursor', async () => {
    const t = await env.token('alice');
    const r1 = await push(t, 0, [
      task('t1', { title: 'Milk', priority: 2, completed: false }, h(1)),
      task('t2', { title: 'Bread', priority: 4, completed: false }, h(1)),
    ]);
    // Pushed at the head: the client already holds the new row states, so they are not echoed.
    expect(r1).toMatchObject({ acknowledged: 2, hasMore: false, cursor: 2, changes: [] });
    expect((await pull(t, 0)).changes.map((c) => [c.id, c.version])).toEqual([
      ['t1', 1],
      ['t2', 2],
    ]);
    // Another device of the same user pushes from cursor 0 and receives everything, its own row too.
    const r2 = await push(
      t,
      0,
      [task('t3', { title: 'Eggs', priority: 1, completed: false }, h(2, 'c2'))],
      'c2',
    );
    expect(r2.cursor).toBe(3);
    expect(r2.changes.map((c) => c.id)).toEqual(['t1', 't2', 't3']);
    const p = await pull(t, 2);
    expect(p.changes.map((c) => [c.id, c.version])).toEqual([['t3', 3]]);
    expect(p.changes[0]?.fields.title).toEqual({ value: 'Eggs', hlc: h(2, 'c2') });
    expect(p.cursor).toBe(3);
  });

  it('merges field by field: the greater clock wins, ties go to the greater client id', async () => {
    const t = await env.token('bob');
    await push(t, 0, [task('x', { title: 'A', priority: 1, completed: false }, h(10, 'a'))], 'a');
    // b edits the title concurrently with an older clock, and the priority with a newer one.
    await push(t, 0, [task('x', { title: 'B-old' }, h(5, 'b')), task('x', { priority: 3 }, h(11, 'b'))], 'b');
    // Same wall and counter as a's title: the tie goes to client id 'c' > 'a'.
    await push(t, 0, [task('x', { title: 'C-tie' }, h(10, 'c'))], 'c');
    const row = (await pull(t, 0)).changes.find((c) => c.id === 'x');
    expect(row?.fields).toEqual({
      title: { value: 'C-tie', hlc: h(10, 'c') },
      priority: { value: 3, hlc: h(11, 'b') },
      completed: { value: false, hlc: h(10, 'a') },
    });
  });

  it('replaying a push changes nothing and does not advance the stream', async () => {
    const t = await env.token('carol');
    const changes = [task('r', { title: 'once', priority: 1, completed: false }, h(1))];
    const first = await push(t, 0, changes);
    const again = await push(t, first.cursor, changes);
    expect(again.cursor).toBe(first.cursor);
    expect(again.changes).toEqual([]);
    expect(again.acknowledged).toBe(1);
  });

  it('deletes are tombstones with a clock: older writes stay dead, newer writes revive', async () => {
    const t = await env.token('dave');
    await push(t, 0, [task('d', { title: 'doomed', priority: 1, completed: false }, h(1))]);
    const del = await push(t, 0, [{ op: 'delete', table: 'tasks', id: 'd', hlc: h(5) }]);
    const tomb = del.changes.find((c) => c.id === 'd');
    expect(tomb).toMatchObject({ fields: {}, deleted: h(5) });
    await push(t, 0, [task('d', { title: 'late edit' }, h(3, 'z'))]);
    expect((await pull(t, 0)).changes.find((c) => c.id === 'd')?.fields).toEqual({});
    await push(t, 0, [task('d', { title: 'revived' }, h(6))]);
    const revived = (await pull(t, 0)).changes.find((c) => c.id === 'd');
    expect(revived).toMatchObject({ fields: { title: { value: 'revived' } }, deleted: h(5) });
  });

  it('pages through changes with limit and hasMore, never repeating or skipping a row', async () => {
    const t = await env.token('erin');
    const changes = Array.from({ length: 25 }, (_, i) =>
      task(`p${i}`, { title: `n${i}`, priority: 1, completed: false }, h(i)),
    );
    await push(t, 0, changes);
    // Rewrite some rows, moving them to the end of the stream.
    await push(t, 25, [task('p3', { title: 'again' }, h(100)), task('p7', { title: 'again' }, h(100))]);
    const seen: string[] = [];
    let cursor = 0;
    let pages = 0;
    for (;;) {
      const p = await pull(t, cursor, 10);
      pages++;
      seen.push(...p.changes.map((c) => c.id));
      expect(p.cursor).toBeGreaterThanOrEqual(cursor);
      cursor = p.cursor;
      if (!p.hasMore) break;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    expect(seen.slice(-2)).toEqual(['p3', 'p7']);
    expect(cursor).toBe(27);
  });

  it('keeps apps apart: a stream per (user, app)', async () => {
    const t = await env.token('frank');
    await push(
      t,
      0,
      [
        {
          op: 'upsert',
          table: 'settings',
          id: 'user',
          fields: { language: { value: 'de', hlc: h(1) }, timezone: { value: 'Europe/Berlin', hlc: h(1) } },
        },
      ],
      'c1',
      'settings',
    );
    expect((await pull(t, 0, undefined, 'todo')).changes).toEqual([]);
    expect((await pull(t, 0, undefined, 'settings')).changes[0]?.fields.language?.value).toBe('de');
  });

  it('serves health, readiness and the sync metrics', async () => {
    expect((await server.app.request('/health/ready')).status).toBe(200);
    const text = await (await server.app.request('/metrics')).text();
    for (const name of [
      'sync_changes_applied_total',
      'sync_push_duration_seconds',
      'sync_ws_connections',
      'sync_pull_rows_total',
    ])
      expect(text).toContain(name);
    expect(text).toMatch(/sync_changes_applied_total\{app="todo",service="sync"\} [1-9]/);
  });
});
