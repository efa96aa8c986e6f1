import { formatHlc } from '@mana/sync-protocol';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createDexieStorage } from './dexie.ts';
import { createMemoryStorage, type SyncStorage } from './storage.ts';

const hlc = formatHlc({ wall: 1, counter: 0, clientId: 'c' });
const row = (id: string, title: string) => ({
  table: 'tasks',
  id,
  state: { fields: { title: { value: title, hlc } }, deleted: null },
});
const change = (id: string) => ({ op: 'delete' as const, table: 'tasks', id, hlc });

let n = 0;
const adapters: [string, () => SyncStorage][] = [
  ['memory', () => createMemoryStorage()],
  ['dexie', () => createDexieStorage({ name: `test-${n++}`, dexieOptions: { indexedDB, IDBKeyRange } })],
];

describe.each(adapters)('%s storage', (_name, make) => {
  it('starts empty, persists rows/outbox/cursor per app and applies commits atomically', async () => {
    const s = make();
    expect(await s.load('todo')).toEqual({ rows: [], outbox: [], cursor: 0 });
    await s.commit('todo', {
      putRows: [row('a', 'A'), row('b', 'B')],
      addOutbox: [
        { seq: 2, change: change('b') },
        { seq: 1, change: change('a') },
      ],
      cursor: 7,
    });
    await s.commit('calendar', { cursor: 3 });
    await s.commit('todo', {
      putRows: [row('a', 'A2')],
      deleteRows: [{ table: 'tasks', id: 'b' }],
      removeOutbox: [1],
    });
    const todo = await s.load('todo');
    expect(todo.rows).toEqual([row('a', 'A2')]);
    expect(todo.outbox).toEqual([{ seq: 2, change: change('b') }]);
    expect(todo.cursor).toBe(7);
    expect((await s.load('calendar')).cursor).toBe(3);
    await s.close?.();
  });

  it('returns the outbox in push order', async () => {
    const s = make();
    await s.commit('todo', { addOutbox: [3, 1, 2].map((seq) => ({ seq, change: change(`r${seq}`) })) });
    expect((await s.load('todo')).outbox.map((e) => e.seq)).toEqual([1, 2, 3]);
    await s.close?.();
  });
});

describe('dexie storage', () => {
  it('survives reopening the database (a page reload)', async () => {
    const name = 'reload-test';
    const first = createDexieStorage({ name, dexieOptions: { indexedDB, IDBKeyRange } });
    await first.commit('todo', {
      putRows: [row('a', 'kept')],
      addOutbox: [{ seq: 1, change: change('a') }],
      cursor: 5,
    });
    await first.close?.();
    const second = createDexieStorage({ name, dexieOptions: { indexedDB, IDBKeyRange } });
    expect(await second.load('todo')).toEqual({
      rows: [row('a', 'kept')],
      outbox: [{ seq: 1, change: change('a') }],
      cursor: 5,
    });
    await second.close?.();
  });
});
