/**
 * IndexedDB storage for browsers, through Dexie. One database per signed-in user (the caller names
 * it), three tables: rows, outbox, cursors. Every engine step is one Dexie transaction.
 */
import { Dexie, type Table } from 'dexie';
import type { AppSnapshot, OutboxEntry, StoredRow, SyncStorage } from './storage.ts';

interface RowRecord extends StoredRow {
  appId: string;
}
interface OutboxRecord extends OutboxEntry {
  appId: string;
}
interface CursorRecord {
  appId: string;
  cursor: number;
}

class SyncDatabase extends Dexie {
  rows!: Table<RowRecord, [string, string, string]>;
  outbox!: Table<OutboxRecord, [string, number]>;
  cursors!: Table<CursorRecord, string>;
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      rows: '[appId+table+id], appId',
      outbox: '[appId+seq], appId',
      cursors: 'appId',
    });
  }
}

export interface DexieStorageOptions {
  /** IndexedDB database name, e.g. `mana-sync:<user id>`, so two accounts never share a replica. */
  name: string;
  /** For tests and non-browser hosts: `{ indexedDB, IDBKeyRange }` from fake-indexeddb. */
  dexieOptions?: ConstructorParameters<typeof Dexie>[1];
}

/**
 * @example
 * import { createDexieStorage } from '@mana/sync-client/dexie';
 * const storage = createDexieStorage({ name: `mana-sync:${userId}` });
 * const client = createSyncClient({ baseUrl, apps: ['todo', 'settings'], clientId, getToken, storage });
 */
export function createDexieStorage({ name, dexieOptions }: DexieStorageOptions): SyncStorage & { db: Dexie } {
  const db = new SyncDatabase(name, dexieOptions);
  return {
    db,
    async load(appId): Promise<AppSnapshot> {
      return db.transaction('r', db.rows, db.outbox, db.cursors, async () => {
        const [rows, outbox, cursor] = await Promise.all([
          db.rows.where('appId').equals(appId).toArray(),
          db.outbox.where('appId').equals(appId).sortBy('seq'),
          db.cursors.get(appId),
        ]);
        return {
          rows: rows.map(({ table, id, state }) => ({ table, id, state })),
          outbox: outbox.map(({ seq, change }) => ({ seq, change })),
          cursor: cursor?.cursor ?? 0,
        };
      });
    },
    async commit(appId, c) {
      await db.transaction('rw', db.rows, db.outbox, db.cursors, async () => {
        if (c.putRows?.length) await db.rows.bulkPut(c.putRows.map((r) => ({ ...r, appId })));
        if (c.deleteRows?.length)
          await db.rows.bulkDelete(c.deleteRows.map((r): [string, string, string] => [appId, r.table, r.id]));
        if (c.addOutbox?.length) await db.outbox.bulkPut(c.addOutbox.map((e) => ({ ...e, appId })));
        if (c.removeOutbox?.length)
          await db.outbox.bulkDelete(c.removeOutbox.map((s): [string, number] => [appId, s]));
        if (c.cursor !== undefined) await db.cursors.put({ appId, cursor: c.cursor });
      });
    },
    async close() {
      db.close();
    },
  };
}
