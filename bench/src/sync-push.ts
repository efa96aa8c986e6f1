/**
 * Sync push throughput: field changes per second through `POST /sync/todo` (real HTTP, token
 * verification, validation, field-level merge, versioning, the response page), in batches of 100
 * changes, next to a raw batched Postgres upsert of the very same rows into a table of the same
 * shape, measured in the same run with the same concurrency. Goals: HTTP ≥ 0.6× raw and ≥ 0.8× the store alone.
 *
 * Through HTTP twice: the writers in this process (`sync-push`) and in a child process
 * (`sync-push-remote`: the server's figure, as a deployment with its clients elsewhere sees it).
 *
 *   npm exec -- node bench/src/sync-push.ts [--pushes 400] [--concurrency 8] [--fields 5]
 *     [--subjects raw,store,http,http-remote]
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { leanHttpClient } from './http-client.ts';
import { startRemoteClients } from './remote-clients.ts';
import { batchOf, FIELD_NAMES, syncPushBody } from './sync-push-load.ts';
import { rssProbe } from './rss-probe.ts';
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
  /** Which subjects run (default all four; a profile runs one). */
  subjects?: readonly SyncPushSubject[];
}

/**
 * `http`: the writers in this process, beside the server; `http-remote`: the writers in a child
 * process, so the server has its event loop to itself and `cpuUsPerPush` is the server's alone.
 */
export type SyncPushSubject = 'raw' | 'store' | 'http' | 'http-remote';

export interface Subject {
  fieldsPerSec: number;
  samples: number[];
  /** CPU of this process per push (server and, but for `http-remote`, the clients), µs. */
  cpuUsPerPush: number;
  /** `http-remote`: CPU of the client process per push, µs. */
  clientCpuUsPerPush?: number;
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
  /** The same pushes, the writers in a child process. */
  remote: Subject;
  /** The same pushes through the store alone (merge, versions, commit; no HTTP, auth or validation). */
  store: Subject;
  raw: Subject;
  ratio: number;
  storeRatio: number;
  /** `http-remote` ÷ raw. */
  remoteRatio: number;
}

interface Run {
  seconds: number;
  samples: number[];
  /** CPU time of this process (server and client, every thread), µs. */
  cpuUs: number;
  /** CPU time of the client process, if the clients ran in one, µs. */
  clientCpuUs?: number;
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
  const probe = rssProbe();
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
  const rss = probe.stop();
  return { seconds: (performance.now() - start) / 1000, samples, cpuUs: used.user + used.system, rss };
}

export async function benchSyncPush(options: SyncPushBenchOptions = {}): Promise<SyncPushBenchResult> {
  const pushes = options.pushes ?? 400;
  const batch = options.batch ?? 100;
  const fields = Math.min(options.fields ?? 5, FIELD_NAMES.length);
  const concurrency = options.concurrency ?? 8;
  const subjects = new Set(options.subjects ?? ['raw', 'store', 'http', 'http-remote']);
  const f = await startSyncFixture('bench_sync_push');
  const sql = postgres(f.db.url, { max: 10, onnotice: () => {} });
  const client = leanHttpClient(f.url, concurrency);
  const remote = subjects.has('http-remote') ? await startRemoteClients() : undefined;
  try {
    const tokens = await Promise.all(Array.from({ length: concurrency }, (_, w) => f.token(`bench-${w}`)));
    // Streams of their own, for the same reason as the store's below.
    const remoteTokens = await Promise.all(
      Array.from({ length: concurrency }, (_, w) => f.token(`bench-remote-${w}`)),
    );
    const cursors = new Array<number>(concurrency).fill(0);
    const push = async (w: number, i: number, tag: string) => {
      const res = await client.post(
        '/sync/todo',
        tokens[w] ?? '',
        syncPushBody(w, cursors[w] ?? 0, i, { batch, fields, tag }),
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
    const remoteRun = async (per: number, offset: number, tag: string): Promise<Run> => {
      if (!remote) return { seconds: 0, samples: [], cpuUs: 0, rss: 0 };
      const probe = rssProbe();
      const cpu = process.cpuUsage();
      const out = await remote.run({
        kind: 'sync-push',
        url: f.url,
        tokens: remoteTokens,
        per,
        offset,
        tag,
        batch,
        fields,
      });
      const used = process.cpuUsage(cpu);
      const rss = probe.stop();
      return {
        seconds: out.seconds,
        samples: out.samples,
        cpuUs: used.user + used.system,
        clientCpuUs: out.clientCpuUs,
        rss,
      };
    };
    if (remote) await remoteRun(4, 0, 'warm');
    // Interleaved rounds, so a busy neighbour slows every subject alike rather than one of them.
    const rounds = 4;
    const idleRss = process.memoryUsage.rss();
    const empty = (): Run => ({ seconds: 0, samples: [], cpuUs: 0, rss: 0 });
    const r = empty();
    const d = empty();
    const s = empty();
    const m = empty();
    for (let round = 0; round < rounds; round++) {
      const per = Math.ceil(pushes / rounds);
      const offset = round * per;
      for (const [subject, acc, run] of [
        ['raw', r, () => drive(concurrency, per, (w, i) => raw(w, offset + i, ''))],
        ['store', d, () => drive(concurrency, per, (w, i) => direct(w, offset + i, 'store'))],
        ['http', s, () => drive(concurrency, per, (w, i) => push(w, offset + i, ''))],
        // `per` is per writer here, as `drive` divides the total.
        ['http-remote', m, () => remoteRun(Math.ceil(per / concurrency), offset, '')],
      ] as const) {
        if (!subjects.has(subject)) continue;
        const out = await run();
        acc.seconds += out.seconds;
        acc.samples.push(...out.samples);
        acc.cpuUs += out.cpuUs;
        if (out.clientCpuUs !== undefined) acc.clientCpuUs = (acc.clientCpuUs ?? 0) + out.clientCpuUs;
        acc.rss = Math.max(acc.rss, out.rss);
      }
    }
    const perSec = (d: Run) => (d.samples.length === 0 ? 0 : (d.samples.length * batch * fields) / d.seconds);
    const subject = (x: Run): Subject => ({
      fieldsPerSec: perSec(x),
      samples: x.samples,
      cpuUsPerPush: x.samples.length === 0 ? 0 : x.cpuUs / x.samples.length,
      ...(x.clientCpuUs !== undefined &&
        x.samples.length > 0 && { clientCpuUsPerPush: x.clientCpuUs / x.samples.length }),
      rssMiB: x.rss / 1024 / 1024,
    });
    const result = {
      batch,
      fields,
      concurrency,
      idleRssMiB: idleRss / 1024 / 1024,
      sync: subject(s),
      remote: subject(m),
      store: subject(d),
      raw: subject(r),
      ratio: perSec(s) / perSec(r),
      storeRatio: perSec(d) / perSec(r),
      remoteRatio: perSec(m) / perSec(r),
    };
    return result;
  } finally {
    client.close();
    await remote?.close();
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
    const client =
      x.clientCpuUsPerPush === undefined ? '' : ` (+ clients ${(x.clientCpuUsPerPush / 1000).toFixed(2)} ms)`;
    lines.push(
      `${name.padEnd(17)} ${x.fieldsPerSec.toFixed(0).padStart(9)} field changes/s  batch p50 ${st.p50.toFixed(2)} ms  p95 ${st.p95.toFixed(2)} ms  CPU ${(x.cpuUsPerPush / 1000).toFixed(2)} ms/push${client}  peak RSS ${x.rssMiB.toFixed(0)} MiB`,
    );
  };
  line('raw-upsert', r.raw);
  line('sync-store', r.store);
  line('sync-push', r.sync);
  line('sync-push-remote', r.remote);
  const x = (a: number, b: number) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  if (r.sync.samples.length > 0)
    lines.push(
      `sync-push (HTTP, clients in this process) = ${x(r.sync.fieldsPerSec, r.raw.fieldsPerSec)} raw-upsert = ${x(r.sync.fieldsPerSec, r.store.fieldsPerSec)} sync-store`,
    );
  if (r.remote.samples.length > 0)
    lines.push(
      `sync-push-remote (HTTP, clients in another process) = ${x(r.remote.fieldsPerSec, r.raw.fieldsPerSec)} raw-upsert (goal ≥ 0.6) = ${x(r.remote.fieldsPerSec, r.store.fieldsPerSec)} sync-store (goal ≥ 0.8)`,
    );
  lines.push(
    `sync-store (no HTTP) = ${x(r.store.fieldsPerSec, r.raw.fieldsPerSec)} raw-upsert`,
    `RSS (sync server, and the clients but for sync-push-remote's): idle ${r.idleRssMiB.toFixed(0)} MiB, under load up to ${Math.max(r.raw.rssMiB, r.store.rssMiB, r.sync.rssMiB, r.remote.rssMiB).toFixed(0)} MiB`,
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
      subjects: { type: 'string', default: 'raw,store,http,http-remote' },
    },
  });
  benchSyncPush({
    pushes: Number(values.pushes),
    concurrency: Number(values.concurrency),
    fields: Number(values.fields),
    subjects: values.subjects.split(',') as SyncPushSubject[],
  })
    .then((r) => console.log(formatSyncPushBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
