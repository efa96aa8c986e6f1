/**
 * Sync push throughput: field changes per second through `POST /sync/todo` (real HTTP, token
 * verification, validation, field-level merge, versioning, the response page), in batches of 100
 * changes, next to a raw batched Postgres upsert of the very same rows into a table of the same
 * shape, measured in the same run with the same concurrency. Goal: ratio ≥ 0.5.
 *
 *   npm exec -- node bench/src/sync-push.ts [--pushes 400] [--concurrency 8] [--fields 5]
 */
import { formatHlc, type JsonValue } from '@mana/sync-protocol';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { Benchmark, BenchResult } from './benchmark.ts';
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
}

export interface SyncPushBenchResult {
  batch: number;
  fields: number;
  concurrency: number;
  sync: { fieldsPerSec: number; samples: number[] };
  /** The same pushes through the store alone (merge, versions, commit; no HTTP, auth or validation). */
  store: { fieldsPerSec: number; samples: number[] };
  raw: { fieldsPerSec: number; samples: number[] };
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

/**
 * A lean HTTP client: node:http over keep-alive sockets, one per writer. The client shares the event
 * loop (and the two cores) with the server under test, so `fetch` (undici, web streams: about twice
 * the CPU per request) would measure the client as much as the server.
 */
function httpClient(base: string, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(base);
  return {
    post(path: string, token: string, body: string): Promise<{ status: number; body: unknown }> {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path,
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              try {
                resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) });
              } catch (err) {
                reject(err instanceof Error ? err : new Error(String(err)));
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

async function drive(
  concurrency: number,
  pushes: number,
  unit: (writer: number, i: number) => Promise<void>,
) {
  const samples: number[] = [];
  const perWriter = Math.ceil(pushes / concurrency);
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
  return { seconds: (performance.now() - start) / 1000, samples };
}

export async function benchSyncPush(options: SyncPushBenchOptions = {}): Promise<SyncPushBenchResult> {
  const pushes = options.pushes ?? 400;
  const batch = options.batch ?? 100;
  const fields = Math.min(options.fields ?? 5, FIELD_NAMES.length);
  const concurrency = options.concurrency ?? 8;
  const f = await startSyncFixture('bench_sync_push');
  const sql = postgres(f.db.url, { max: 10, onnotice: () => {} });
  const client = httpClient(f.url, concurrency);
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
    const r = { seconds: 0, samples: [] as number[] };
    const d = { seconds: 0, samples: [] as number[] };
    const s = { seconds: 0, samples: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const per = Math.ceil(pushes / rounds);
      const offset = round * per;
      for (const [acc, run] of [
        [r, (w: number, i: number) => raw(w, offset + i, '')],
        [d, (w: number, i: number) => direct(w, offset + i, 'store')],
        [s, (w: number, i: number) => push(w, offset + i, '')],
      ] as const) {
        const out = await drive(concurrency, per, run);
        acc.seconds += out.seconds;
        acc.samples.push(...out.samples);
      }
    }
    const perSec = (d: { seconds: number; samples: number[] }) =>
      (d.samples.length * batch * fields) / d.seconds;
    const result = {
      batch,
      fields,
      concurrency,
      sync: { fieldsPerSec: perSec(s), samples: s.samples },
      store: { fieldsPerSec: perSec(d), samples: d.samples },
      raw: { fieldsPerSec: perSec(r), samples: r.samples },
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
  const line = (name: string, x: { fieldsPerSec: number; samples: number[] }) => {
    const st = summarize(x.samples);
    return `${name.padEnd(10)} ${x.fieldsPerSec.toFixed(0).padStart(9)} field changes/s  batch p50 ${st.p50.toFixed(2)} ms  p95 ${st.p95.toFixed(2)} ms`;
  };
  return [
    `sync push: batches of ${r.batch} changes × ${r.fields} fields, ${r.concurrency} concurrent writers`,
    line('raw-upsert', r.raw),
    line('sync-store', r.store),
    line('sync-push', r.sync),
    `sync-push = ${r.ratio.toFixed(2)}× raw-upsert (goal ≥ 0.5); sync-store (no HTTP) = ${r.storeRatio.toFixed(2)}× raw-upsert`,
  ].join('\n');
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
    },
  });
  benchSyncPush({
    pushes: Number(values.pushes),
    concurrency: Number(values.concurrency),
    fields: Number(values.fields),
  })
    .then((r) => console.log(formatSyncPushBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
