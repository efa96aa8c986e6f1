/**
 * The runner's Postgres state (`bots` schema): processed transactions, the event inbox, bot
 * key-value state and fired jobs.
 */
import { connect, flushWal, loadMigrations, migrate, type Database, type Sql } from '@mana/db';
import { randomUUID } from 'node:crypto';
import type { JobClaim, JobClaims, Kv } from './ports.ts';

export const MIGRATIONS_DIR = new URL('../migrations', import.meta.url).pathname;

export interface StoredEvent {
  eventId: string;
  roomId: string;
  event: MatrixEvent;
  /** `performance.now()` when its transaction arrived (absent for events left from a last run). */
  receivedAt?: number;
}

/** A Matrix event as an appservice receives it (only what the runtime reads is typed). */
export interface MatrixEvent {
  event_id: string;
  room_id: string;
  type: string;
  sender: string;
  state_key?: string;
  origin_server_ts?: number;
  content: Record<string, unknown>;
  unsigned?: Record<string, unknown>;
}

export interface RuntimeState {
  sql: Sql;
  /** True when a transaction with this id was stored before. */
  isTransactionDone(txnId: string): Promise<boolean>;
  /**
   * Stores a transaction's events and records its id, atomically, in one round trip. `fresh`: the
   * events that are new (an event id seen before, in any transaction, is never returned again), in
   * transaction order. `repeatedId`: a transaction with this id was stored before.
   *
   * Transaction ids are only a hint: Synapse on SQLite rebuilds its counter from a table it empties
   * once transactions are acknowledged (`get_max_as_txn_id` in synapse/storage/databases/main/
   * appservice.py), so ids start again at 1 after its restart, and a restored Postgres-backed Synapse
   * reuses ids too. So the events decide what is new, never the id.
   *
   * It resolves once the rows are committed, before they reach the disk, so the fresh events can be
   * processed at once; `durable` resolves when they are on disk (Synapse gets its 200 only then).
   */
  storeTransaction(
    txnId: string,
    events: MatrixEvent[],
  ): Promise<{ repeatedId: boolean; fresh: StoredEvent[]; durable: Promise<void> }>;
  pendingEvents(limit?: number): Promise<StoredEvent[]>;
  finishEvent(eventId: string, status: 'done' | 'failed' | 'skipped', error?: string): Promise<void>;
  /**
   * Claims a job id for `leaseMs` (default 15 s): its token, or `done` (it ran) or `held` (a runner
   * whose lease has not run out has it). A claim whose runner died (no renewal, no `finishJob`) is
   * taken over once its lease ran out.
   */
  claimJob(jobId: string, leaseMs?: number): Promise<JobClaim>;
  /** Extends the lease of this claim; false when it is no longer this claim's (lost or done). */
  renewJob(jobId: string, token: string, leaseMs?: number): Promise<boolean>;
  /** The job ran: it is never claimed again. */
  finishJob(jobId: string): Promise<void>;
  /** Undoes this claim (the job failed and is retried); a claim taken over since stays. */
  unclaimJob(jobId: string, token: string): Promise<void>;
  kv: Kv;
  close(): Promise<void>;
}

/**
 * Postgres rejects U+0000 in text and jsonb, and lone UTF-16 surrogates in jsonb ("Unicode low
 * surrogate must follow a high surrogate"); garbage messages may carry either. Both become U+FFFD,
 * so a garbage event is stored (and answered or ignored) instead of failing the whole transaction,
 * which Synapse would then redeliver forever, holding up every event behind it.
 */
export function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD').toWellFormed();
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  }
  return value;
}

/** The job claims on this state: leases of `leaseMs`, renewed every third of it. */
export function jobClaimsOf(state: RuntimeState, leaseMs = 15_000): JobClaims {
  return {
    claim: (id) => state.claimJob(id, leaseMs),
    renew: (id, token) => state.renewJob(id, token, leaseMs),
    finish: (id) => state.finishJob(id),
    release: (id, token) => state.unclaimJob(id, token),
    renewEveryMs: Math.floor(leaseMs / 3),
  };
}

export async function openRuntimeState(options: {
  databaseUrl: string;
  schema: string;
  appserviceId: string;
}): Promise<RuntimeState> {
  const { schema, appserviceId } = options;
  const db: Database = connect({ url: options.databaseUrl, schema, appName: 'mana-bots', max: 5 });
  // Transactions from Synapse are committed without waiting for the disk, so their events can be
  // worked on at once; `flushWal` makes them durable before Synapse is answered.
  const early: Database = connect({
    url: options.databaseUrl,
    schema,
    appName: 'mana-bots-early',
    max: 2,
    asyncCommit: true,
  });
  await migrate(db.sql, { schema, migrations: await loadMigrations(MIGRATIONS_DIR) });
  const sql = db.sql;
  // Serialized here (not `sql.json`), so the same code works inside and outside transactions.
  const json = (v: unknown) => JSON.stringify(storable(v));

  const kv: Kv = {
    async get<T>(bot: string, scope: string, key: string) {
      const rows = await sql<
        { value: T }[]
      >`select value from kv where bot = ${bot} and scope = ${scope} and key = ${key}`;
      return rows[0]?.value;
    },
    async set(bot, scope, key, value) {
      await sql`insert into kv (bot, scope, key, value) values (${bot}, ${scope}, ${key}, ${json(value)}::jsonb)
        on conflict (bot, scope, key) do update set value = excluded.value, updated_at = now()`;
    },
    async setOnce(bot, scope, key, value) {
      const rows =
        await sql`insert into kv (bot, scope, key, value) values (${bot}, ${scope}, ${key}, ${json(value)}::jsonb)
        on conflict do nothing returning key`;
      return rows.length === 1;
    },
    async list<T>(bot: string, scope: string) {
      return sql<{ key: string; value: T }[]>`select key, value from kv
        where bot = ${bot} and scope = ${scope} order by key`;
    },
  };

  return {
    sql,
    kv,
    async isTransactionDone(rawTxnId) {
      const txnId = storable(rawTxnId) as string;
      const rows =
        await sql`select 1 from transactions where appservice_id = ${appserviceId} and txn_id = ${txnId}`;
      return rows.length > 0;
    },
    async storeTransaction(rawTxnId, events) {
      const txnId = storable(rawTxnId) as string;
      const clean = events.map((e) => storable(e) as MatrixEvent);
      // One statement (atomic): the transaction row when its id is new, and every event whose id
      // is new, whatever the transaction id says. Committed without waiting for the WAL flush (a
      // fsync costs more than the rest of a command): see `durable` below.
      const rows = await early.sql<{ inserted: number; fresh: string[] }[]>`
        with t as (
          insert into transactions (appservice_id, txn_id, event_count)
          values (${appserviceId}, ${txnId}, ${clean.length})
          on conflict do nothing returning txn_id
        ), e as (
          insert into events (appservice_id, event_id, room_id, event)
          select ${appserviceId}, x.event ->> 'event_id', x.event ->> 'room_id', x.event
          from jsonb_array_elements(${JSON.stringify(clean)}::jsonb) with ordinality as x(event, n)
          order by x.n
          on conflict do nothing returning event_id
        )
        select (select count(*) from t)::int as inserted,
          coalesce((select jsonb_agg(event_id) from e), '[]'::jsonb) as fresh`;
      const durable = flushWal(sql);
      durable.catch(() => undefined); // the caller awaits it; a rejection is theirs to handle
      const row = rows[0];
      const inserted = new Set(row?.fresh ?? []);
      const fresh: StoredEvent[] = [];
      for (const event of clean) {
        // The first of two events with one id in the same transaction is the stored one.
        if (!inserted.delete(event.event_id)) continue;
        fresh.push({ eventId: event.event_id, roomId: event.room_id, event });
      }
      return { repeatedId: row?.inserted === 0, fresh, durable };
    },
    async pendingEvents(limit = 1000) {
      const rows = await sql<{ event_id: string; room_id: string; event: MatrixEvent }[]>`
        select event_id, room_id, event from events
        where appservice_id = ${appserviceId} and status = 'pending' order by received_at limit ${limit}`;
      return rows.map((r) => ({ eventId: r.event_id, roomId: r.room_id, event: r.event }));
    },
    async finishEvent(eventId, status, error) {
      await sql`update events set status = ${status}, error = ${error ?? null}, done_at = now()
        where appservice_id = ${appserviceId} and event_id = ${eventId}`;
    },
    async claimJob(jobId, leaseMs = 15_000) {
      const until = sql`now() + ${`${leaseMs} milliseconds`}::interval`;
      const token = randomUUID();
      const rows = await sql`insert into fired_jobs (job_id, claimed_until, claim_token)
        values (${jobId}, ${until}, ${token})
        on conflict (job_id) do update set claimed_until = ${until}, fired_at = now(), claim_token = ${token}
        where fired_jobs.done_at is null and fired_jobs.claimed_until < now()
        returning job_id`;
      if (rows.length === 1) return { token };
      const [row] = await sql<{ done: boolean }[]>`
        select done_at is not null as done from fired_jobs where job_id = ${jobId}`;
      // No row: its claim was undone in between; the caller tries again later, as for a held one.
      return row?.done ? 'done' : 'held';
    },
    async renewJob(jobId, token, leaseMs = 15_000) {
      const rows = await sql`update fired_jobs
        set claimed_until = now() + ${`${leaseMs} milliseconds`}::interval
        where job_id = ${jobId} and claim_token = ${token} and done_at is null returning job_id`;
      return rows.length === 1;
    },
    async finishJob(jobId) {
      await sql`update fired_jobs set done_at = now() where job_id = ${jobId}`;
    },
    async unclaimJob(jobId, token) {
      await sql`delete from fired_jobs where job_id = ${jobId} and claim_token = ${token} and done_at is null`;
    },
    close: async () => {
      await Promise.all([db.close(), early.close()]);
    },
  };
}
