/**
 * Watching a user's data: a bot follows one user's app (a reminder list, a calendar) and hears about
 * each row that changed, whoever wrote it (the web app, another device, another bot). Built on
 * `@mana/sync-client`: the sync server's WebSocket `/ws` pokes "new version", the client pulls what
 * changed after its cursor and merges it; the watcher reports the rows that differ from what it
 * saw before (changed or new rows with their fields, removed rows as `deleted`).
 */
import type { Logger } from '@mana/logging';
import { createMemoryStorage, createSyncClient, type WebSocketConstructor } from '@mana/sync-client';
import { collections, isAppId } from '@mana/sync-protocol';
import type { Identity, Row } from './ports.ts';

export type RowChange =
  | { table: string; id: string; row: Row; deleted?: undefined }
  | { table: string; id: string; row?: undefined; deleted: true };

export interface Watcher {
  /**
   * Follows `appId` of the user; `onChange` gets the rows changed since the last pull (never the
   * rows there were at the start). Throws `NotLinkedError` for a user without an account. The
   * returned function stops watching.
   */
  watch(
    matrixUserId: string,
    appId: string,
    onChange: (changes: RowChange[]) => void,
  ): Promise<() => Promise<void>>;
  /** Stops every watch. */
  close(): Promise<void>;
}

export function syncWatcher(options: {
  baseUrl: string;
  /** Sync client id prefix (each watch gets its own replica). */
  clientId: string;
  identity: Identity;
  audience: string;
  log: Logger;
  /** Pull this often even without pokes (a lost WebSocket). Default 60 s. */
  pullIntervalMs?: number;
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
}): Watcher {
  const active = new Set<() => Promise<void>>();
  return {
    async watch(userId, appId, onChange) {
      if (!isAppId(appId)) throw new Error(`unknown sync app ${appId}`);
      // A stranger is refused here, before any connection is made.
      await options.identity.tokenFor(userId, options.audience);
      const client = createSyncClient({
        baseUrl: options.baseUrl,
        apps: [appId],
        clientId: `${options.clientId}-watch`,
        getToken: () => options.identity.tokenFor(userId, options.audience),
        storage: createMemoryStorage(),
        pushDebounceMs: null,
        pullIntervalMs: options.pullIntervalMs ?? 60_000,
        onError: (err) => options.log.debug({ err, userId, appId }, 'watch: sync error'),
        ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      // What the watcher has seen, per table: row id → its fields as JSON.
      const seen = new Map<string, Map<string, string>>();
      let batch: RowChange[] = [];
      let stopped = false;
      const deliver = () => {
        const changes = batch;
        batch = [];
        if (stopped || changes.length === 0) return;
        try {
          onChange(changes);
        } catch (err) {
          options.log.warn({ err, userId, appId }, 'watch: onChange threw');
        }
      };
      const onRows = (table: string, rows: readonly Row[]) => {
        const before = seen.get(table);
        const now = new Map(rows.map((r) => [r.id, JSON.stringify(r)]));
        seen.set(table, now);
        if (!before) return; // the first call is the baseline
        const wasEmpty = batch.length === 0;
        for (const r of rows) if (before.get(r.id) !== now.get(r.id)) batch.push({ table, id: r.id, row: r });
        for (const id of before.keys()) if (!now.has(id)) batch.push({ table, id, deleted: true });
        // One callback per pull: tables of one page are notified one after the other, synchronously.
        if (wasEmpty && batch.length > 0) queueMicrotask(deliver);
      };
      await client.sync(appId);
      const offs = Object.keys(collections[appId]).map((table) =>
        client.subscribe(appId, table as never, (rows) => onRows(table, rows as Row[])),
      );
      await client.ready;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        active.delete(stop);
        for (const off of offs) off();
        await client.stop();
      };
      active.add(stop);
      return stop;
    },
    async close() {
      await Promise.all([...active].map((stop) => stop()));
    },
  };
}
