import { createMemoryStorage, createSyncClient } from '@mana/sync-client';
import { applyChange, emptyRow, rowValues } from '@mana/sync-protocol';
import { describe, expect, it } from 'vitest';
import { changesOf, mergeGuestInto, SEED_HLC, seedData, seedIfNew } from './guest.ts';

const flags = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};

describe('seed data', () => {
  it('is written once, with fixed ids and the fixed ancient clock', async () => {
    const storage = createMemoryStorage();
    const f = flags();
    expect(await seedIfNew(storage, 'en', f)).toBe(true);
    expect(await seedIfNew(storage, 'en', f)).toBe(false);
    const todo = await storage.load('todo');
    expect(todo.rows.filter((r) => r.table === 'tasks')).toHaveLength(5);
    expect(todo.outbox).toHaveLength(0); // nothing to push while a guest
    for (const r of todo.rows) for (const w of Object.values(r.state.fields)) expect(w.hlc).toBe(SEED_HLC);
    expect(seedData('de').map((s) => s.id)).toEqual(seedData('en').map((s) => s.id));
  });

  it('every seed row passes the protocol validation a push goes through', async () => {
    const client = createSyncClient({
      baseUrl: 'http://x.invalid',
      apps: ['todo', 'calendar'],
      clientId: 'web-test',
      getToken: () => '',
      WebSocket: null,
      pushDebounceMs: null,
      pullIntervalMs: null,
    });
    for (const s of seedData('en')) await client.put(s.app, s.table as never, s.id, s.values as never);
    await client.stop();
  });
});

describe('guest upload', () => {
  it('merges guest rows into the account replica with their clocks and queues them, idempotently', async () => {
    const guest = createMemoryStorage();
    await seedIfNew(guest, 'en', flags());
    const g = createSyncClient({
      baseUrl: 'http://x.invalid',
      apps: ['todo', 'calendar'],
      clientId: 'web-guest',
      getToken: () => '',
      storage: guest,
      WebSocket: null,
      pushDebounceMs: null,
      pullIntervalMs: null,
    });
    await g.put('todo', 'tasks', 'g1', { title: 'guest task', priority: 4, completed: false });
    await g.put('todo', 'tasks', 'seed-task-2', { completed: true });
    await g.delete('todo', 'tasks', 'seed-task-3');
    await g.stop();

    const account = createMemoryStorage();
    // The account already edited seed-task-2's title on another device (a newer clock than the seed).
    const other = createSyncClient({
      baseUrl: 'http://x.invalid',
      apps: ['todo'],
      clientId: 'web-other',
      getToken: () => '',
      storage: account,
      WebSocket: null,
      pushDebounceMs: null,
      pullIntervalMs: null,
    });
    await other.put('todo', 'tasks', 'seed-task-2', { title: 'renamed elsewhere' });
    await other.stop();

    const moved = await mergeGuestInto(guest, account);
    expect(moved).toBeGreaterThan(5);
    const after = await account.load('todo');
    const row = (id: string) => after.rows.find((r) => r.id === id);
    expect(rowValues(row('seed-task-2')!.state)).toMatchObject({
      title: 'renamed elsewhere',
      completed: true,
    });
    expect(row('seed-task-3')!.state.fields).toEqual({});
    expect(rowValues(row('g1')!.state)).toMatchObject({ title: 'guest task' });
    // The queued changes recreate exactly the merged guest state, old clocks included.
    const replay = new Map<string, ReturnType<typeof emptyRow>>();
    for (const e of after.outbox) {
      const k = e.change.id;
      replay.set(k, applyChange(replay.get(k) ?? emptyRow(), e.change));
    }
    expect(replay.get('seed-task-1')!.fields.title!.hlc).toBe(SEED_HLC);

    // Running it again (a crash before the guest replica was deleted) changes no row.
    const rowsBefore = JSON.stringify(after.rows);
    await mergeGuestInto(guest, account);
    expect(JSON.stringify((await account.load('todo')).rows)).toBe(rowsBefore);
  });

  it('a deleted row becomes a delete change; a live one an upsert with its clocks', () => {
    expect(changesOf({ table: 'tasks', id: 'a', state: { fields: {}, deleted: SEED_HLC } })).toEqual([
      { op: 'delete', table: 'tasks', id: 'a', hlc: SEED_HLC },
    ]);
    const fields = { title: { value: 'x', hlc: SEED_HLC } };
    expect(changesOf({ table: 'tasks', id: 'a', state: { fields, deleted: null } })).toEqual([
      { op: 'upsert', table: 'tasks', id: 'a', fields },
    ]);
  });
});
