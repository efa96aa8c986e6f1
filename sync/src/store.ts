/**
 * Postgres storage of streams and rows. The invariant everything rests on: a stream's version is
 * raised only while its `streams` row is locked inside the committing transaction, so versions are
 * handed out in commit order and a pull "after V" can never skip a write that commits later.
 */
import type { Sql } from '@mana/db';
import type { ReservedSql, TransactionSql } from 'postgres';
import {
  applyChange,
  emptyRow,
  isLive,
  type Change,
  type FieldWrite,
  type RowState,
  type ServerRow,
} from '@mana/sync-protocol';
import { cursorExpired } from './errors.ts';

export interface StreamKey {
  userId: string;
  appId: string;
}

export interface Page {
  cursor: number;
  changes: ServerRow[];
  hasMore: boolean;
}

export interface PushResult extends Page {
  /** Rows whose state changed (0 for a replayed push). */
  rowsChanged: number;
  /** Field writes and deletes that won the merge. */
  fieldsApplied: number;
  /** The stream's version after the push. */
  head: number;
  /** The stream's version before the push: `written` is exactly what a pull from `base` returns. */
  base: number;
  /** The new state of every row the push changed, with its version (`base` + 1 … `head`). */
  written: ServerRow[];
}

export interface StoreHooks {
  /** Runs inside the push transaction after the versions are assigned (tests delay commits with it). */
  beforeCommit?: (info: StreamKey & { head: number }) => Promise<void>;
}

interface DbRow {
  table_name: string;
  row_id: string;
  data: Record<string, FieldWrite['value']>;
  clocks: Record<string, string>;
  deleted_hlc: string | null;
  version: string | number;
}

function toState(r: Pick<DbRow, 'data' | 'clocks' | 'deleted_hlc'>): RowState {
  const fields: Record<string, FieldWrite> = {};
  for (const [k, hlc] of Object.entries(r.clocks)) fields[k] = { value: r.data[k] ?? null, hlc };
  return { fields, deleted: r.deleted_hlc };
}

function toServerRow(r: DbRow): ServerRow {
  return { table: r.table_name, id: r.row_id, version: Number(r.version), ...toState(r) };
}

/** Rows of a stream after `cursor` plus the head and horizon, read in one statement (one snapshot). */
async function readPage(
  sql: Sql | TransactionSql | ReservedSql,
  { userId, appId }: StreamKey,
  cursor: number,
  limit: number,
) {
  const rows = await sql<(Partial<DbRow> & { head: string | null; horizon: string | null })[]>`
    with s as (select version, horizon from streams where user_id = ${userId} and app_id = ${appId})
    select (select version from s) as head, (select horizon from s) as horizon, r.*
    from (select 1) as one
    left join lateral (
      -- "version > 0" (always true) lets the planner use the partial index rows_stream_version.
      select table_name, row_id, data, clocks, deleted_hlc, version from rows
      where user_id = ${userId} and app_id = ${appId} and version > 0 and version > ${cursor}
      order by version limit ${limit + 1}
    ) as r on true`;
  const first = rows[0];
  const head = Number(first?.head ?? 0);
  const horizon = Number(first?.horizon ?? 0);
  const found = rows.filter((r): r is DbRow & { head: string; horizon: string } => r.row_id != null);
  return { head, horizon, found };
}

function checkCursor(cursor: number, head: number, horizon: number): void {
  // Cursor 0 is always valid (full sync). Below the horizon a tombstone may be gone; above the head
  // the client knows a stream we do not (restored database): both must start over.
  if (cursor > 0 && (cursor < horizon || cursor > head)) throw cursorExpired(cursor, horizon, head);
}

function toPage(found: DbRow[], cursor: number, head: number, limit: number): Page {
  const hasMore = found.length > limit;
  const page = hasMore ? found.slice(0, limit) : found;
  const last = page.at(-1);
  // Without more rows the head is safe: it was read in the same snapshot as the rows.
  const next = hasMore && last ? Number(last.version) : Math.max(head, cursor);
  return { cursor: next, changes: page.map(toServerRow), hasMore };
}

export interface Store {
  pull(key: StreamKey, cursor: number, limit: number): Promise<Page>;
  push(key: StreamKey, input: { cursor: number; changes: Change[]; limit: number }): Promise<PushResult>;
  /** Removes tombstones last changed before `olderThan` and raises each stream's horizon. */
  compact(olderThan: Date): Promise<{ streams: number; removed: number }>;
}

export function createStore(sql: Sql, hooks: StoreHooks = {}): Store {
  return {
    async pull(key, cursor, limit) {
      const { head, horizon, found } = await readPage(sql, key, cursor, limit);
      checkCursor(cursor, head, horizon);
      return toPage(found, cursor, head, limit);
    },

    async push(key, { cursor, changes, limit }) {
      const { userId, appId } = key;
      const keyOf = (table: string, id: string) => `${table}\u0000${id}`;
      const tables: string[] = [];
      const ids: string[] = [];
      const seen = new Set<string>();
      for (const c of changes) {
        const k = keyOf(c.table, c.id);
        if (seen.has(k)) continue;
        seen.add(k);
        tables.push(c.table);
        ids.push(c.id);
      }
      // One connection for the transaction, its statements pipelined: `begin`, the lock and the
      // lookup leave in one write and come back in one round trip; so do the upsert and `commit`.
      // Two round trips per push instead of four, and the same statements as before.
      const tx = await sql.reserve();
      let open = false;
      try {
        open = true;
        const begin = tx.unsafe('begin');
        // Creates the stream on first use and, either way, locks it until commit.
        const lock = tx<{ version: string; horizon: string }[]>`
          insert into streams (user_id, app_id) values (${userId}, ${appId})
          on conflict (user_id, app_id) do update set version = streams.version
          returning version, horizon`;
        // Pipelined with the lock, yet safe: Postgres runs it only after the lock is held, and under
        // READ COMMITTED it takes its snapshot then, so it sees every earlier commit.
        // Lateral + limit (never flattened into a hash join over the whole stream): one primary-key
        // lookup per key, whatever the (possibly stale) statistics say.
        const lookup =
          tables.length === 0
            ? Promise.resolve([])
            : tx<DbRow[]>`
            select r.table_name, r.row_id, r.data, r.clocks, r.deleted_hlc
            from unnest(${tables}::text[], ${ids}::text[]) as k(t, i)
            cross join lateral (
              select table_name, row_id, data, clocks, deleted_hlc from rows
              where user_id = ${userId} and app_id = ${appId} and table_name = k.t and row_id = k.i
              limit 1
            ) as r`;
        const [, [stream], existing] = await Promise.all([begin, lock, lookup]);
        const base = Number(stream?.version ?? 0);
        checkCursor(cursor, base, Number(stream?.horizon ?? 0));
        const current = new Map<string, RowState>();
        for (const r of existing) current.set(keyOf(r.table_name, r.row_id), toState(r));

        const touched = new Map<string, { table: string; id: string; state: RowState }>();
        let fieldsApplied = 0;
        for (const c of changes) {
          const k = keyOf(c.table, c.id);
          const before = touched.get(k)?.state ?? current.get(k) ?? emptyRow();
          const after = applyChange(before, c);
          if (after === before) continue;
          fieldsApplied += c.op === 'delete' ? 1 : countWon(before, after);
          touched.set(k, { table: c.table, id: c.id, state: after });
        }

        let head = base;
        let write: Promise<unknown> = Promise.resolve();
        const written: ServerRow[] = [];
        if (touched.size > 0) {
          // Each changed row gets its own version, so pages can end between any two rows.
          const records: unknown[] = [];
          for (const { table, id, state } of touched.values()) {
            const d: Record<string, FieldWrite['value']> = {};
            const c: Record<string, string> = {};
            for (const f in state.fields) {
              const w = state.fields[f] as FieldWrite;
              d[f] = w.value;
              c[f] = w.hlc;
            }
            records.push({ t: table, i: id, d, c, del: !isLive(state), dh: state.deleted, v: ++head });
            written.push({ table, id, version: head, fields: state.fields, deleted: state.deleted });
          }
          write = tx`
            with ins as (
              insert into rows (user_id, app_id, table_name, row_id, data, clocks, deleted, deleted_hlc, version, updated_at)
              select ${userId}, ${appId}, x.t, x.i, x.d, x.c, x.del, x.dh, x.v, now()
              from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb)
                as x(t text, i text, d jsonb, c jsonb, del boolean, dh text, v bigint)
              on conflict (user_id, app_id, table_name, row_id) do update set
                data = excluded.data, clocks = excluded.clocks, deleted = excluded.deleted,
                deleted_hlc = excluded.deleted_hlc, version = excluded.version, updated_at = excluded.updated_at
              returning 1
            )
            update streams set version = ${head} where user_id = ${userId} and app_id = ${appId}`;
        }
        const result = { rowsChanged: touched.size, fieldsApplied, head, base, written };
        if (hooks.beforeCommit) {
          await write;
          await hooks.beforeCommit({ userId, appId, head });
        }
        let page: Page;
        if (cursor === base) {
          // The client was up to date, so it holds every row state up to `base` merged with what it
          // just sent: each new row state is already in its replica. Skip the echo, move the cursor.
          page = { changes: [], hasMore: false, cursor: head };
        } else {
          await write;
          const read = await readPage(tx, key, cursor, limit);
          page = toPage(read.found, cursor, head, limit);
        }
        // A failed write aborts the transaction, and Postgres answers the pipelined `commit` with a
        // rollback (no error): the write's own rejection is what reports it.
        await Promise.all([write, tx.unsafe('commit')]);
        open = false;
        return { ...result, ...page };
      } finally {
        if (open) await tx.unsafe('rollback').catch(() => undefined);
        tx.release();
      }
    },

    async compact(olderThanDate) {
      const olderThan = olderThanDate.toISOString();
      const candidates = await sql<{ user_id: string; app_id: string }[]>`
        select distinct user_id, app_id from rows where deleted and updated_at < ${olderThan}::timestamptz`;
      let removed = 0;
      for (const { user_id: userId, app_id: appId } of candidates) {
        await sql.begin(async (tx) => {
          // Same lock as a push: the horizon and the deletes land atomically between two pushes.
          await tx`select 1 from streams where user_id = ${userId} and app_id = ${appId} for update`;
          const gone = await tx<{ version: string }[]>`
            delete from rows where user_id = ${userId} and app_id = ${appId}
              and deleted and updated_at < ${olderThan}::timestamptz
            returning version`;
          if (gone.length === 0) return;
          removed += gone.length;
          const max = Math.max(...gone.map((g) => Number(g.version)));
          await tx`update streams set horizon = greatest(horizon, ${max})
            where user_id = ${userId} and app_id = ${appId}`;
        });
      }
      return { streams: candidates.length, removed };
    },
  };
}

/** Number of fields whose write differs between two states of a row. */
function countWon(before: RowState, after: RowState): number {
  let n = 0;
  for (const [k, w] of Object.entries(after.fields)) if (before.fields[k]?.hlc !== w.hlc) n++;
  return n;
}
