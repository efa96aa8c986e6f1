/**
 * Guest mode: the first visit gets onboarding seed data, kept on the device. Signing in uploads what
 * the guest made into the account's replica and deletes the guest replica. The onboarding seeds are
 * about guest mode ("these tasks live on your device only", "sign in under Account"), so a seed the
 * guest left untouched stays behind; a seed the guest edited is the guest's own work and comes along.
 *
 * Seed rows carry one fixed clock from the distant past (`SEED_HLC`) and fixed ids, so the same seed
 * coming from two devices is the same write (no duplicates), and every real edit anywhere, including
 * a delete, wins over it. Uploaded rows keep the clocks they were written with, so the field-by-field
 * merge decides exactly as if the guest device had been signed in all along.
 */
import type { Change, RowState, TableName } from '@mana/sync-protocol';
import { formatHlc, isLive, mergeRow } from '@mana/sync-protocol';
import type { OutboxEntry, StorageCommit, StoredRow, SyncClient, SyncStorage } from '@mana/sync-client';
import type { Lang } from './i18n.ts';
import { WEB_APPS, type WebApp } from './replica.ts';

export const GUEST_DB = 'mana-sync:guest';
export const SEED_HLC = formatHlc({ wall: 1, counter: 0, clientId: 'seed' });
export const SEEDED_KEY = 'mana:seeded';

type Seed = { app: WebApp; table: string; id: string; values: Record<string, unknown> };

const SEED_TEXT = {
  de: {
    project: 'Erste Schritte',
    calendar: 'Persönlich',
    tasks: [
      'Willkommen bei Mana! Diese Aufgaben liegen nur auf deinem Gerät',
      'Hake eine Aufgabe ab, indem du ihr Kästchen anklickst',
      'Klicke auf einen Titel, um ihn zu bearbeiten (Enter speichert, Escape bricht ab)',
      'Funktioniert auch offline: Änderungen werden synchronisiert, sobald du wieder online bist',
      'Melde dich unter „Konto“ an, um mit deinen Geräten und dem Todo-Bot in Matrix zu synchronisieren',
    ],
    event: 'Mana ausprobieren',
  },
  en: {
    project: 'Getting started',
    calendar: 'Personal',
    tasks: [
      'Welcome to Mana! These tasks live on your device only',
      'Tick a task off by clicking its checkbox',
      'Click a title to edit it (Enter saves, Escape cancels)',
      'Works offline too: changes sync when you are back online',
      'Sign in under “Account” to sync with your devices and the todo bot in Matrix',
    ],
    event: 'Try out Mana',
  },
} as const;

const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function seedData(lang: Lang, now = new Date()): Seed[] {
  const text = SEED_TEXT[lang];
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 10, 0);
  const created = new Date(0).toISOString();
  return [
    {
      app: 'todo',
      table: 'projects',
      id: 'seed-project',
      values: { name: text.project, color: '#4f6df5', order: 0 },
    },
    ...text.tasks.map((title, i) => ({
      app: 'todo' as const,
      table: 'tasks',
      id: `seed-task-${i + 1}`,
      values: {
        title,
        priority: i === 0 ? 2 : 4,
        completed: false,
        projectId: 'seed-project',
        order: i,
        createdAt: created,
        ...(i === 4 ? { dueDate: isoDay(now) } : {}),
      },
    })),
    {
      app: 'calendar',
      table: 'calendars',
      id: 'default',
      values: { name: text.calendar, color: '#4f6df5', visible: true },
    },
    {
      app: 'calendar',
      table: 'events',
      id: 'seed-event',
      values: {
        calendarId: 'default',
        title: text.event,
        start: tomorrow.toISOString(),
        end: new Date(tomorrow.getTime() + 30 * 60_000).toISOString(),
        allDay: false,
      },
    },
  ];
}

const seedState = (values: Record<string, unknown>): RowState => ({
  fields: Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, { value: v as never, hlc: SEED_HLC }]),
  ),
  deleted: null,
});

/** Writes the seed rows into an empty guest replica, once per profile. Runs in the leader only. */
export async function seedIfNew(
  storage: SyncStorage,
  lang: Lang,
  flags: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
): Promise<boolean> {
  if (flags.getItem(SEEDED_KEY)) return false;
  const existing = await Promise.all(WEB_APPS.map((app) => storage.load(app)));
  if (existing.some((s) => s.rows.length > 0)) {
    flags.setItem(SEEDED_KEY, '1');
    return false;
  }
  const seeds = seedData(lang);
  for (const app of WEB_APPS) {
    const putRows: StoredRow[] = seeds
      .filter((s) => s.app === app)
      .map((s) => ({ table: s.table, id: s.id, state: seedState(s.values) }));
    await storage.commit(app, { putRows });
  }
  flags.setItem(SEEDED_KEY, '1');
  return true;
}

/** The changes that recreate a row's state elsewhere, with its original clocks. */
export function changesOf(row: StoredRow): Change[] {
  const out: Change[] = [];
  if (row.state.deleted) out.push({ op: 'delete', table: row.table, id: row.id, hlc: row.state.deleted });
  if (Object.keys(row.state.fields).length > 0)
    out.push({ op: 'upsert', table: row.table, id: row.id, fields: row.state.fields });
  return out;
}

const SEED_KEYS = new Set(seedData('en').map((s) => `${s.app}\u0000${s.table}\u0000${s.id}`));
/** Ticking an onboarding tip off (as the tip itself says to) does not make it the guest's own. */
const TRIVIAL_FIELDS = new Set(['completed', 'completedAt']);

const isSeed = (app: WebApp, row: StoredRow) => SEED_KEYS.has(`${app}\u0000${row.table}\u0000${row.id}`);

/** A seed row the guest edited (or deleted): some field carries a clock of the guest's own. */
export function isTouchedSeed(row: StoredRow): boolean {
  return (
    row.state.deleted !== null ||
    Object.entries(row.state.fields).some(([k, w]) => w.hlc !== SEED_HLC && !TRIVIAL_FIELDS.has(k))
  );
}

/**
 * The guest rows that go into the account: everything the guest wrote, seeds the guest edited, and
 * the seeds those rows point at (the "Getting started" list of a task the guest put in it, the
 * calendar of the guest's event). Untouched onboarding seeds stay behind.
 */
export function guestRowsToUpload(app: WebApp, rows: readonly StoredRow[]): StoredRow[] {
  const keep = new Set(rows.filter((r) => !isSeed(app, r) || isTouchedSeed(r)));
  const refersTo = (r: StoredRow, id: string) =>
    Object.entries(r.state.fields).some(([k, w]) => k.endsWith('Id') && w.value === id);
  for (let grew = true; grew;) {
    grew = false;
    for (const seed of rows)
      if (!keep.has(seed) && [...keep].some((r) => refersTo(r, seed.id))) {
        keep.add(seed);
        grew = true;
      }
  }
  return rows.filter((r) => keep.has(r));
}

/**
 * Merges the guest's rows (`guestRowsToUpload`) into the account's replica (rows merged, one outbox
 * entry per change so the engine pushes them) and returns how many rows moved. Must run while no
 * engine uses `target`. Idempotent: rerunning after a crash merges the same clocks again, which
 * changes nothing.
 */
export async function mergeGuestInto(guest: SyncStorage, target: SyncStorage): Promise<number> {
  let moved = 0;
  for (const app of WEB_APPS) {
    const [g, t] = await Promise.all([guest.load(app), target.load(app)]);
    const rows = guestRowsToUpload(app, g.rows);
    if (rows.length === 0) continue;
    const existing = new Map(t.rows.map((r) => [`${r.table}\u0000${r.id}`, r]));
    let seq = t.outbox.reduce((m, e) => Math.max(m, e.seq), 0);
    const putRows: StoredRow[] = [];
    const addOutbox: OutboxEntry[] = [];
    for (const r of rows) {
      const cur = existing.get(`${r.table}\u0000${r.id}`);
      putRows.push({ table: r.table, id: r.id, state: cur ? mergeRow(cur.state, r.state) : r.state });
      for (const change of changesOf(r)) addOutbox.push({ seq: ++seq, change });
    }
    const commit: StorageCommit = { putRows, addOutbox };
    await target.commit(app, commit);
    moved += rows.length;
  }
  return moved;
}

/**
 * Untouched onboarding seeds an account still holds (uploaded by a version of the app from before
 * they stayed behind): the same rule as the upload, applied to the account's rows.
 */
export function leftoverSeeds(app: WebApp, rows: readonly StoredRow[]): StoredRow[] {
  const kept = new Set(guestRowsToUpload(app, rows));
  return rows.filter((r) => !kept.has(r) && isLive(r.state));
}

/** Deletes the account's `leftoverSeeds` once its replica has caught up with the server. */
export async function dropLeftoverSeeds(engine: SyncClient<WebApp>): Promise<number> {
  let dropped = 0;
  for (const app of WEB_APPS) {
    for (const r of leftoverSeeds(app, await engine.snapshot(app))) {
      await engine.delete(app, r.table as TableName<typeof app>, r.id);
      dropped++;
    }
  }
  return dropped;
}
