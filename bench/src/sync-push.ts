/**
 * Sync push throughput: field changes per second through `POST /sync/todo` (real HTTP, token
 * verification, validation, field-level merge, versioning, the response page), in batches of 100
 * changes, next to a raw batched Postgres upsert of the very same rows into a table of the same
 * shape, measured in the same run with the same concurrency. Goals: HTTP ≥ 0.6× raw and ≥ 0.8× the store alone.
 *
 *   npm exec -- node bench/src/sync-push.ts [--pushes 400] [--concurrency 8] [--fields 5]
 */
import { formatHlc, type JsonValue } from '@mana/sync-protocol';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { leanHttpClient } from './http-client.ts';
import { summarize } from './stats.ts';
import { startSyncFixture } from './sync-fixture.ts';

export interface SyncPushBenchOptions {
  /** Pushes in total (each of `batch` changes). */
  pushes?: number;
  batch?: number;
  /** Fields per change (title, notes, priority, completed, order, …). */
  fields?: number;
  /** Concurrent writers, each its own user (stream). */
  concurrency?: number;
  /** Which subjects run (default all three; a profile runs one). */
  subjects?: readonly ('raw' | 'store' | 'http')[];
}

export interface Subject {
  fieldsPerSec: number;
  samples: number[];
  /** CPU of this process per push (server and client), µs. */
  cpuUsPerPush: number;
  /** Peak RSS while it ran, MiB. */
  rssMiB: number;
}

export interface SyncPushBenchResult {
  batch: number;
  fields: number;
  concurrency: number;
  /** RSS of this process (sync server and the bench's clients) before the measured rounds. */
  idleRssMiB: number;
  sync: Subject;
  /** The same pushes through the store alone (merge, versions, commit; no HTTP, auth or validation). */
  store: Subject;
  raw: Subject;
  ratio: number;
  storeRatio: number;
}

const FIELD_NAMES = ['title', 'notes', 'priority', 'completed', 'order', 'dueDate', 'projectId'];

function batchOf(writer: number, push: number, batch: number, fields: number) {
  const hlc = formatHlc({ wall: Date.now(), counter: push % 1000, clientId: `w${writer}` });
  return Array.from({ length: batch }, (_, i) => {
    const values: Record<string, JsonValue> = {
      title: `task ${push}-${i}`,
      notes: 'some notes about this task',
      priority: 1 + (i % 4),
      completed: i % 2 === 0,
      order: i,
      dueDate: '2026-01-15',
      projectId: 'inbox',
    };
    return {
      op: 'upsert' as const,
      table: 'tasks',
      id: `t-${push}-${i}`,
      fields: Object.fromEntries(
        FIELD_NAMES.slice(0, fields).map((f) => [f, { value: values[f] ?? null, hlc }]),
      ),
    };
  });
}

interface Run {
  seconds: number;
  samples: number[];
  /** CPU time of this process (server and client, every thread), µs. */
  cpuUs: number;
  /** Peak RSS while it ran, bytes. */
  rss: number;
}

async function drive(
  concurrency: number,
  pushes: number,
  unit: (writer: number, i: number) => Promise<void>,
): Promise<Run> {
  const samples: number[] = [];
  const perWriter = Math.ceil(pushes / concurrency);
  let rss = process.memoryUsage.rss();
  const probe = setInterval(() => (rss = Math.max(rss, process.memoryUsage.rss())), 50);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const t = performance.now();
        await unit(w, i);
        samples.push(performance.now() - t);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  clearInterval(probe);
  return { seconds: (performance.now() - start) / 1000, samples, cpuUs: used.user + used.system, rss };
}

export async function benchSyncPush(options: SyncPushBenchOptions = {}): Promise<SyncPushBenchResult> {
  const pushes = options.pushes ?? 400;
  const batch = options.batch ?? 100;
  const fields = Math.min(options.fields ?? 5, FIELD_NAMES.length);
  const concurrency = options.concurrency ?? 8;
  const subjects = new Set(options.subjects ?? ['raw', 'store', 'http']);
  const f = await startSyncFixture('bench_sync_push');
  const sql = postgres(f.db.url, { max: 10, onnotice: () => {} });
  const client = leanHttpClient(f.url, concurrency);
  try {
    const tokens = await Promise.all(Array.from({ length: concurrency }, (_, w) => f.token(`bench-${w}`)));
    const cursors = new Array<number>(concurrency).fill(0);
    const push = async (w: number, i: number, tag: string) => {
      const res = await client.post(
        '/sync/todo',
        tokens[w] ?? '',
        JSON.stringify({
          clientId: `w${w}`,
          cursor: cursors[w],
          changes: batchOf(w, i, batch, fields).map((c) => ({ ...c, id: `${tag}${c.id}` })),
        }),
      );
      if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}`);
      cursors[w] = (res.body as { cursor: number }).cursor;
    };
    // The baseline: the same rows, one statement per batch, into a table shaped like sync.rows.
    await sql`create table bench_rows (like sync.rows including all)`;
    const raw = async (w: number, i: number, tag: string) => {
      const records = batchOf(w, i, batch, fields).map((c, n) => ({
        t: c.table,
        i: `${tag}${c.id}`,
        d: Object.fromEntries(Object.entries(c.fields).map(([k, v]) => [k, v.value])),
        c: Object.fromEntries(Object.entries(c.fields).map(([k, v]) => [k, v.hlc])),
        v: i * batch + n,
      }));
      await sql`
        insert into bench_rows (user_id, app_id, table_name, row_id, data, clocks, deleted, version)
        select ${`bench-${w}`}, 'todo', x.t, x.i, x.d, x.c, false, x.v
        from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb) as x(t text, i text, d jsonb, c jsonb, v bigint)
        on conflict (user_id, app_id, table_name, row_id) do update set data = excluded.data, clocks = excluded.clocks, version = excluded.version`;
    };
    // Warm-up both paths (connections, prepared statements, JIT).
    await drive(concurrency, concurrency * 4, (w, i) => push(w, i, 'warm'));
    await drive(concurrency, concurrency * 4, (w, i) => raw(w, i, 'warm'));
    // Its own streams: were they shared with the HTTP writers, every push of one subject would find
    // the other's rows after its cursor and carry a page of up to 500 of them back (an echo of
    // another device's writes, a different workload from the raw upsert's).
    const storeCursors = new Array<number>(concurrency).fill(0);
    const direct = async (w: number, i: number, tag: string) => {
      const changes = batchOf(w, i, batch, fields).map((c) => ({ ...c, id: `${tag}${c.id}` }));
      const res = await f.server.store.push(
        { userId: `bench-store-${w}`, appId: 'todo' },
        { cursor: storeCursors[w] ?? 0, changes, limit: 500 },
      );
      storeCursors[w] = res.cursor;
    };
    await drive(concurrency, concurrency * 4, (w, i) => direct(w, i, 'warm-store'));
    // Interleaved rounds, so a busy neighbour slows every subject alike rather than one of them.
    const rounds = 4;
    const idleRss = process.memoryUsage.rss();
    const empty = (): Run => ({ seconds: 0, samples: [], cpuUs: 0, rss: 0 });
    const r = empty();
    const d = empty();
    const s = empty();
    for (let round = 0; round < rounds; round++) {
      const per = Math.ceil(pushes / rounds);
      const offset = round * per;
      for (const [subject, acc, run] of [
        ['raw', r, (w: number, i: number) => raw(w, offset + i, '')],
        ['store', d, (w: number, i: number) => direct(w, offset + i, 'store')],
        ['http', s, (w: number, i: number) => push(w, offset + i, '')],
      ] as const) {
        if (!subjects.has(subject)) continue;
        const out = await drive(concurrency, per, run);
        acc.seconds += out.seconds;
        acc.samples.push(...out.samples);
        acc.cpuUs += out.cpuUs;
        acc.rss = Math.max(acc.rss, out.rss);
      }
    }
    const perSec = (d: Run) => (d.samples.length === 0 ? 0 : (d.samples.length * batch * fields) / d.seconds);
    const subject = (x: Run): Subject => ({
      fieldsPerSec: perSec(x),
      samples: x.samples,
      cpuUsPerPush: x.samples.length === 0 ? 0 : x.cpuUs / x.samples.length,
      rssMiB: x.rss / 1024 / 1024,
    });
    const result = {
      batch,
      fields,
      concurrency,
      idleRssMiB: idleRss / 1024 / 1024,
      sync: subject(s),
      store: subject(d),
      raw: subject(r),
      ratio: perSec(s) / perSec(r),
      storeRatio: perSec(d) / perSec(r),
    };
    return result;
  } finally {
    client.close();
    await sql.end();
    await f.close();
  }
}

export function formatSyncPushBench(r: SyncPushBenchResult): string {
  const lines = [
    `sync push: batches of ${r.batch} changes × ${r.fields} fields, ${r.concurrency} concurrent writers`,
  ];
  const line = (name: string, x: Subject) => {
    if (x.samples.length === 0) return;
    const st = summarize(x.samples);
    lines.push(
      `${name.padEnd(10)} ${x.fieldsPerSec.toFixed(0).padStart(9)} field changes/s  batch p50 ${st.p50.toFixed(2)} ms  p95 ${st.p95.toFixed(2)} ms  CPU ${(x.cpuUsPerPush / 1000).toFixed(2)} ms/push  peak RSS ${x.rssMiB.toFixed(0)} MiB`,
    );
  };
  line('raw-upsert', r.raw);
  line('sync-store', r.store);
  line('sync-push', r.sync);
  const x = (a: number, b: number) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  lines.push(
    `sync-push (HTTP) = ${x(r.sync.fieldsPerSec, r.raw.fieldsPerSec)} raw-upsert (goal ≥ 0.6) = ${x(r.sync.fieldsPerSec, r.store.fieldsPerSec)} sync-store (goal ≥ 0.8); sync-store (no HTTP) = ${x(r.store.fieldsPerSec, r.raw.fieldsPerSec)} raw-upsert`,
    `RSS (sync server + bench clients, one process): idle ${r.idleRssMiB.toFixed(0)} MiB, under load up to ${Math.max(r.raw.rssMiB, r.store.rssMiB, r.sync.rssMiB).toFixed(0)} MiB`,
  );
  return lines.join('\n');
}

/** For the runner: one sample per push of 100 changes; throughput and ratio go to stderr. */
export const syncPush: Benchmark = {
  name: 'sync-push',
  description:
    'sync: field changes/s through POST /sync/todo (batches of 100) vs a raw batched Postgres upsert',
  async run(): Promise<BenchResult> {
    const r = await benchSyncPush();
    console.error(formatSyncPushBench(r));
    return { name: 'sync-push', samples: r.sync.samples, stats: summarize(r.sync.samples) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      pushes: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '8' },
      fields: { type: 'string', default: '5' },
      subjects: { type: 'string', default: 'raw,store,http' },
    },
  });
  benchSyncPush({
    pushes: Number(values.pushes),
    concurrency: Number(values.concurrency),
    fields: Number(values.fields),
    subjects: values.subjects.split(',') as ('raw' | 'store' | 'http')[],
  })
    .then((r) => console.log(formatSyncPushBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
