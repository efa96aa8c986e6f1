/**
 * Where a replica keeps its rows, its outbox of unacknowledged changes and its cursor, per app.
 * The engine keeps a working copy in memory and persists every step through `commit`, which must be
 * atomic: a crash leaves either all of a step or none of it.
 */
import type { Change, RowState } from '@mana/sync-protocol';

export interface StoredRow {
  table: string;
  id: string;
  state: RowState;
}

export interface OutboxEntry {
  /** Grows with every local write; entries are pushed in this order. */
  seq: number;
  change: Change;
}

export interface AppSnapshot {
  rows: StoredRow[];
  outbox: OutboxEntry[];
  cursor: number;
}

export interface StorageCommit {
  putRows?: StoredRow[];
  deleteRows?: { table: string; id: string }[];
  addOutbox?: OutboxEntry[];
  removeOutbox?: number[];
  cursor?: number;
}

export interface SyncStorage {
  load(appId: string): Promise<AppSnapshot>;
  commit(appId: string, commit: StorageCommit): Promise<void>;
  close?(): Promise<void>;
}

const rowKey = (table: string, id: string) => `${table}\u0000${id}`;

/**
 * In-memory storage for Node (bots) and tests. Pass the same instance to a new client to model a
 * restart with persistent storage.
 *
 * @example
 * const storage = createMemoryStorage();
 * const client = createSyncClient({ baseUrl, apps: ['todo'], clientId: 'bot-todo', getToken, storage });
 */
export function createMemoryStorage(): SyncStorage {
  const apps = new Map<
    string,
    { rows: Map<string, StoredRow>; outbox: Map<number, OutboxEntry>; cursor: number }
  >();
  const app = (appId: string) => {
    let a = apps.get(appId);
    if (!a) apps.set(appId, (a = { rows: new Map(), outbox: new Map(), cursor: 0 }));
    return a;
  };
  return {
    async load(appId) {
      const a = app(appId);
      return {
        rows: [...a.rows.values()].map((r) => structuredClone(r)),
        outbox: [...a.outbox.values()].sort((x, y) => x.seq - y.seq).map((e) => structuredClone(e)),
        cursor: a.cursor,
      };
    },
    async commit(appId, c) {
      const a = app(appId);
      for (const r of c.putRows ?? []) a.rows.set(rowKey(r.table, r.id), structuredClone(r));
      for (const r of c.deleteRows ?? []) a.rows.delete(rowKey(r.table, r.id));
      for (const e of c.addOutbox ?? []) a.outbox.set(e.seq, structuredClone(e));
      for (const s of c.removeOutbox ?? []) a.outbox.delete(s);
      if (c.cursor !== undefined) a.cursor = c.cursor;
    },
  };
}
