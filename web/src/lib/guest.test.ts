import { createMemoryStorage, createSyncClient } from '@mana/sync-client';
import { applyChange, emptyRow, formatHlc, rowValues } from '@mana/sync-protocol';
import { describe, expect, it } from 'vitest';
import {
  changesOf,
  dropLeftoverSeeds,
  guestRowsToUpload,
  isTouchedSeed,
  mergeGuestInto,
  SEED_HLC,
  seedData,
  seedIfNew,
} from './guest.ts';
import { WEB_APPS } from './replica.ts';

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
      apps: WEB_APPS,
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

const guestClient = (storage: ReturnType<typeof createMemoryStorage>, clientId = 'web-guest') =>
  createSyncClient({
    baseUrl: 'http://x.invalid',
    apps: WEB_APPS,
    clientId,
    getToken: () => '',
    storage,
    WebSocket: null,
    pushDebounceMs: null,
    pullIntervalMs: null,
  });

describe('guest upload', () => {
  it('merges what the guest made into the account replica with its clocks and queues it, idempotently', async () => {
    const guest = createMemoryStorage();
    await seedIfNew(guest, 'en', flags());
    const g = guestClient(guest);
    await g.put('todo', 'tasks', 'g1', { title: 'guest task', priority: 4, completed: false });
    await g.put('todo', 'tasks', 'seed-task-2', { title: 'my own words' });
    await g.delete('todo', 'tasks', 'seed-task-3');
    await g.stop();

    const account = createMemoryStorage();
    // The account renamed seed-task-2 on another device later (a newer clock than the guest's).
    await new Promise((r) => setTimeout(r, 5));
    const other = guestClient(account, 'web-other');
    await other.put('todo', 'tasks', 'seed-task-2', { title: 'renamed elsewhere' });
    await other.stop();

    // g1, the edited seed-task-2 with its list (seed-project), the deleted seed-task-3.
    expect(await mergeGuestInto(guest, account)).toBe(4);
    const after = await account.load('todo');
    const row = (id: string) => after.rows.find((r) => r.id === id);
    expect(rowValues(row('seed-task-2')!.state)).toMatchObject({ title: 'renamed elsewhere', priority: 4 });
    expect(row('seed-task-3')!.state.fields).toEqual({});
    expect(rowValues(row('g1')!.state)).toMatchObject({ title: 'guest task' });
    // The queued changes recreate exactly the merged guest state, old clocks included.
    const replay = new Map<string, ReturnType<typeof emptyRow>>();
    for (const e of after.outbox) {
      const k = e.change.id;
      replay.set(k, applyChange(replay.get(k) ?? emptyRow(), e.change));
    }
    expect(replay.get('seed-task-2')!.fields.priority!.hlc).toBe(SEED_HLC);

    // Running it again (a crash before the guest replica was deleted) changes no row.
    const rowsBefore = JSON.stringify(after.rows);
    await mergeGuestInto(guest, account);
    expect(JSON.stringify((await account.load('todo')).rows)).toBe(rowsBefore);
  });

  it('untouched onboarding seeds about guest mode do not follow the guest into the account', async () => {
    const guest = createMemoryStorage();
    await seedIfNew(guest, 'de', flags());
    const g = guestClient(guest);
    // Ticking a tip off, as the tip says, is following the tour, not the guest's own work.
    await g.put('todo', 'tasks', 'seed-task-2', { completed: true, completedAt: new Date().toISOString() });
    await g.stop();
    const account = createMemoryStorage();
    expect(await mergeGuestInto(guest, account)).toBe(0);
    for (const app of ['todo', 'calendar'] as const) {
      const a = await account.load(app);
      expect(a.rows, app).toEqual([]);
      expect(a.outbox, app).toEqual([]);
    }
  });

  it('a guest task in the seed list brings the list along; a guest event its calendar', async () => {
    const guest = createMemoryStorage();
    await seedIfNew(guest, 'en', flags());
    const g = guestClient(guest);
    await g.put('todo', 'tasks', 'g1', {
      title: 'mine',
      priority: 4,
      completed: false,
      projectId: 'seed-project',
    });
    await g.put('calendar', 'events', 'e1', {
      calendarId: 'default',
      title: 'Dentist',
      start: '2026-12-03T14:00:00.000Z',
      end: '2026-12-03T15:00:00.000Z',
      allDay: false,
    });
    await g.stop();
    const account = createMemoryStorage();
    await mergeGuestInto(guest, account);
    const ids = async (app: 'todo' | 'calendar') => (await account.load(app)).rows.map((r) => r.id).sort();
    expect(await ids('todo')).toEqual(['g1', 'seed-project']);
    expect(await ids('calendar')).toEqual(['default', 'e1']);
  });

  it('tells touched seeds from untouched ones', async () => {
    const storage = createMemoryStorage();
    await seedIfNew(storage, 'en', flags());
    const seedRows = (await storage.load('todo')).rows;
    expect(guestRowsToUpload('todo', seedRows)).toEqual([]);
    const seed = seedRows.find((r) => r.id === 'seed-task-5')!;
    expect(isTouchedSeed(seed)).toBe(false);
    const due = { value: '2026-12-24', hlc: formatHlc({ wall: Date.now(), counter: 0, clientId: 'web-g' }) };
    expect(
      isTouchedSeed({ ...seed, state: { ...seed.state, fields: { ...seed.state.fields, dueDate: due } } }),
    ).toBe(true);
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

describe('leftover seeds in an account', () => {
  it('deletes untouched seeds an older app uploaded; keeps the edited ones and the list they sit in', async () => {
    // An account replica holding the seeds (uploaded before untouched seeds stayed behind).
    const storage = createMemoryStorage();
    await seedIfNew(storage, 'en', flags());
    const engine = guestClient(storage, 'web-account');
    await engine.put('todo', 'tasks', 'seed-task-4', { title: 'Works offline: tested it on the train' });
    await engine.put('todo', 'tasks', 'mine', { title: 'mine', priority: 4, completed: false });
    expect(await dropLeftoverSeeds(engine)).toBe(6); // four seed tasks, the seed calendar and event
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    expect(ids(await engine.query('todo', 'tasks'))).toEqual(['mine', 'seed-task-4']);
    expect(ids(await engine.query('todo', 'projects'))).toEqual(['seed-project']);
    expect(ids(await engine.query('calendar', 'events'))).toEqual([]);
    expect(ids(await engine.query('calendar', 'calendars'))).toEqual([]);
    // Nothing left to drop the next time.
    expect(await dropLeftoverSeeds(engine)).toBe(0);
    await engine.stop();
  });
});
