/**
 * Credits throughput: reserve+commit pairs per second at 64 concurrent clients, next to a raw
 * single-statement `UPDATE … SET balance = balance - 1 WHERE balance >= 1` measured in the same run,
 * against the same Postgres, pool and account layout. The ratio is the figure to track.
 *
 * Two layouts: `spread` (each client its own account, the normal case: many users) and `hot` (all
 * 64 clients on one account, the worst case: every write queues on one row lock).
 * Five subjects: `raw-update` (baseline), `ledger` (reserve + commit through the ledger's SQL) and
 * `http` (the same over loopback HTTP: the credits routes inside `createServiceApp` on
 * `@hono/node-server`, as the auth service runs them, with token verification, validation, metrics),
 * `http-remote` (the same, the clients in a child process: the server's own figure and CPU),
 * and `in-process` (the same routes through `app.request`, no socket: web-standard
 * Request/Response objects built by the caller).
 *
 *   npm exec -- node bench/src/credits-reserve.ts [--clients 64] [--seconds 5] [--pool 20]
 *     [--subjects raw-update,ledger,in-process,http,http-remote] [--layouts spread,hot]
 */
import { parseArgs } from 'node:util';
import type { Ledger } from '@mana/auth';
import { CREDITS_BASE, startCreditsFixture, type CreditsFixture } from '@mana/auth/testing';
import { listen } from '@mana/http';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { leanHttpClient } from './http-client.ts';
import { startRemoteClients, type RemoteClients } from './remote-clients.ts';
import { rssProbe } from './rss-probe.ts';
import { summarize } from './stats.ts';

export interface CreditsBenchOptions {
  clients?: number;
  /** How long each subject runs, after a short warm-up. */
  durationMs?: number;
  /** Postgres connections shared by the clients (the server allows ~100 for everyone). */
  poolSize?: number;
  /** Which subjects and layouts to run (default all; profiling runs one). */
  subjects?: readonly Subject[];
  layouts?: readonly Layout[];
}

/**
 * `http`: the clients in this process, beside the routes; `http-remote`: the clients in a child
 * process, so the routes have the event loop to themselves and `cpuUsPerUnit` is the server's alone.
 */
export type Subject = 'raw-update' | 'ledger' | 'http' | 'http-remote' | 'in-process';
export type Layout = 'spread' | 'hot';

export interface Throughput {
  subject: string;
  layout: 'spread' | 'hot';
  /** Completed units (pairs, or single updates for the baseline) per second. */
  perSec: number;
  /** Latency of each unit, ms. */
  samples: number[];
  /** CPU time of this process (every thread: JS, GC, I/O) per unit, µs: the Node side's cost. */
  cpuUsPerUnit: number;
  /** `http-remote`: CPU time of the client process per unit, µs. */
  clientCpuUsPerUnit?: number;
  /** Peak resident set size of this process (ledger, routes, clients but for `http-remote`) while it ran, MiB. */
  rssMiB: number;
}

export interface CreditsBenchResult {
  clients: number;
  poolSize: number;
  /** Resident set size once set up, before any load, MiB. */
  idleRssMiB: number;
  results: Throughput[];
}

const mib = (bytes: number) => bytes / 1024 / 1024;

const BIG = 1_000_000_000_000;
/** Each subject runs in this many slices, interleaved with the others. */
const ROUNDS = 3;

/** Runs `unit` in `clients` concurrent loops for `durationMs`; returns units/s and latencies. */
async function drive(
  clients: number,
  durationMs: number,
  unit: (client: number, i: number) => Promise<void>,
): Promise<{ seconds: number; samples: number[]; rss: number; cpuUs: number }> {
  const probe = rssProbe();
  // Warm-up: prepared statements, JIT, pool connections.
  const warmEnd = performance.now() + Math.min(500, durationMs / 5);
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < warmEnd; i++) await unit(c, -1 - i);
    }),
  );
  const samples: number[] = [];
  const start = performance.now();
  const cpu = process.cpuUsage();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        await unit(c, i);
        samples.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const peak = probe.stop();
  return { seconds: elapsed, samples, rss: peak, cpuUs: used.user + used.system };
}

/** `drive` with the clients in the child process: its warm-up, then the measured run. */
async function driveRemote(
  remote: RemoteClients,
  task: { url: string; basePath: string; tokens: string[]; keyPrefix: string },
  durationMs: number,
): Promise<{ seconds: number; samples: number[]; rss: number; cpuUs: number; clientCpuUs: number }> {
  const probe = rssProbe();
  await remote.run({
    kind: 'credits-pair',
    ...task,
    keyPrefix: `${task.keyPrefix}-warm`,
    durationMs: Math.min(500, durationMs / 5),
  });
  const cpu = process.cpuUsage();
  const out = await remote.run({ kind: 'credits-pair', ...task, durationMs });
  const used = process.cpuUsage(cpu);
  const peak = probe.stop();
  return {
    seconds: out.seconds,
    samples: out.samples,
    rss: peak,
    cpuUs: used.user + used.system,
    clientCpuUs: out.clientCpuUs,
  };
}

export async function benchCreditsReserve(options: CreditsBenchOptions = {}): Promise<CreditsBenchResult> {
  const clients = options.clients ?? 64;
  const durationMs = options.durationMs ?? 5000;
  const poolSize = options.poolSize ?? 20;
  const f: CreditsFixture = await startCreditsFixture({
    label: 'bench_credits',
    poolSize,
    config: { startingBalance: BIG },
  });
  const subjects = new Set(options.subjects ?? ['raw-update', 'ledger', 'in-process', 'http', 'http-remote']);
  const layouts = options.layouts ?? (['spread', 'hot'] as const);
  const results: Throughput[] = [];
  let idleRssMiB = 0;
  // The routes on a real port, as the auth service serves them.
  const server = await listen(f.app, { port: 0 });
  const remote = subjects.has('http-remote') ? await startRemoteClients() : undefined;
  try {
    const sql = f.db.sql;
    // Wired as the auth server wires it (asynchronous commits, each answer after a WAL flush).
    const ledger: Ledger = f.credits.ledger;
    const users = Array.from({ length: clients }, (_, c) => `bench-${c}`);
    await Promise.all([...users, 'bench-hot'].map((u) => f.credits.grantStartingBalance(u)));
    const tokens = await Promise.all(users.map((u) => f.botToken(u)));
    const hotToken = await f.botToken('bench-hot');
    idleRssMiB = mib(process.memoryUsage.rss());

    for (const layout of layouts) {
      const userOf = (c: number) => (layout === 'hot' ? 'bench-hot' : (users[c] ?? 'bench-hot'));
      const tokenOf = (c: number) => (layout === 'hot' ? hotToken : (tokens[c] ?? hotToken));
      let round = 0;
      const keyOf = (tag: string, c: number, i: number) => `${tag}-${layout}-${round}-${c}-${i}`;
      const pairThrough =
        (
          tag: string,
          call: (path: string, token: string, body?: unknown) => Promise<{ status: number; body: unknown }>,
        ) =>
        async (c: number, i: number) => {
          const token = tokenOf(c);
          const r = await call('/reserve', token, {
            operation: 'ai_chat_ollama',
            idempotencyKey: keyOf(tag, c, i),
          });
          if (r.status !== 201) throw new Error(`reserve answered ${r.status}`);
          const id = String((r.body as { reservationId: string }).reservationId);
          const done = await call(`/reservations/${id}/commit`, token);
          if (done.status !== 200) throw new Error(`commit answered ${done.status}`);
        };
      const client = leanHttpClient(server.url, clients);
      const units: Record<Exclude<Subject, 'http-remote'>, (c: number, i: number) => Promise<void>> = {
        'raw-update': async (c) => {
          await sql`update credits.accounts set balance = balance - 1 where user_id = ${userOf(c)} and balance >= 1`;
        },
        ledger: async (c, i) => {
          const who = { userId: userOf(c), actor: 'bots' };
          const r = await ledger.reserve(who, {
            operation: 'ai_chat_ollama',
            amount: 100,
            idempotencyKey: keyOf('l', c, i),
          });
          await ledger.commit(who, r.reservationId);
        },
        'in-process': pairThrough('p', (path, token, body) =>
          f.call('POST', path, { token, ...(body === undefined ? {} : { body }) }),
        ),
        http: pairThrough('h', (path, token, body) =>
          client.post(`${CREDITS_BASE}${path}`, token, body === undefined ? undefined : JSON.stringify(body)),
        ),
      };
      const order: Subject[] = (
        ['raw-update', 'ledger', 'in-process', 'http', 'http-remote'] as const
      ).filter((x) => subjects.has(x));
      const acc = new Map(
        order.map((x) => [x, { seconds: 0, samples: [] as number[], rss: 0, cpuUs: 0, clientCpuUs: 0 }]),
      );
      const remoteTokens = Array.from({ length: clients }, (_, c) => tokenOf(c));
      try {
        // Interleaved rounds: a busy neighbour slows every subject alike, not just the one it hit.
        for (round = 0; round < ROUNDS; round++)
          for (const subject of order) {
            const out =
              subject === 'http-remote'
                ? remote &&
                  (await driveRemote(
                    remote,
                    {
                      url: server.url,
                      basePath: CREDITS_BASE,
                      tokens: remoteTokens,
                      keyPrefix: keyOf('r', 0, 0),
                    },
                    durationMs / ROUNDS,
                  ))
                : await drive(clients, durationMs / ROUNDS, units[subject]);
            const a = acc.get(subject);
            if (!a || !out) continue;
            if ('clientCpuUs' in out && typeof out.clientCpuUs === 'number') a.clientCpuUs += out.clientCpuUs;
            a.seconds += out.seconds;
            a.samples.push(...out.samples);
            a.rss = Math.max(a.rss, out.rss);
            a.cpuUs += out.cpuUs;
          }
      } finally {
        client.close();
      }
      for (const [subject, a] of acc)
        results.push({
          subject,
          layout,
          perSec: a.samples.length / a.seconds,
          samples: a.samples,
          rssMiB: mib(a.rss),
          cpuUsPerUnit: a.cpuUs / Math.max(1, a.samples.length),
          ...(subject === 'http-remote' && {
            clientCpuUsPerUnit: a.clientCpuUs / Math.max(1, a.samples.length),
          }),
        });
    }
  } finally {
    await remote?.close();
    await server.close();
    await f.close();
  }
  return { clients, poolSize, idleRssMiB, results };
}

export function formatCreditsBench(r: CreditsBenchResult): string {
  const lines = [
    `credits reserve+commit, ${r.clients} concurrent clients, ${r.poolSize} Postgres connections`,
    'layout  subject         units/s    p50 ms   p95 ms  peak RSS  node CPU/unit',
  ];
  for (const t of r.results) {
    const s = summarize(t.samples);
    const unit = t.subject === 'raw-update' ? 'updates' : 'pairs';
    lines.push(
      `${t.layout.padEnd(7)} ${t.subject.padEnd(11)} ${t.perSec.toFixed(0).padStart(7)} ${unit.padEnd(7)} ${s.p50.toFixed(2).padStart(6)} ${s.p95.toFixed(2).padStart(8)} ${t.rssMiB.toFixed(0).padStart(5)} MiB ${t.cpuUsPerUnit.toFixed(0).padStart(8)} µs${t.clientCpuUsPerUnit === undefined ? '' : ` (+ clients ${t.clientCpuUsPerUnit.toFixed(0)} µs)`}`,
    );
  }
  const find = (layout: Layout, subject: Subject) =>
    r.results.find((t) => t.layout === layout && t.subject === subject);
  for (const layout of ['spread', 'hot'] as const) {
    const raw = find(layout, 'raw-update');
    const ledger = find(layout, 'ledger');
    const http = find(layout, 'http');
    const remote = find(layout, 'http-remote');
    const inProcess = find(layout, 'in-process');
    const x = (a: Throughput, b: Throughput) => `${(a.perSec / b.perSec).toFixed(2)}× ${b.subject}`;
    if (ledger && raw)
      lines.push(
        `${layout} ledger: ${ledger.perSec.toFixed(0)} pairs/s = ${x(ledger, raw)} ${raw.perSec.toFixed(0)}/s${layout === 'hot' ? ' (goal ≥ 0.4×)' : ''}`,
      );
    if (http && ledger)
      lines.push(
        `${layout} http (loopback, clients in this process): ${http.perSec.toFixed(0)} pairs/s = ${x(http, ledger)}${raw ? ` = ${x(http, raw)}` : ''}`,
      );
    if (remote && ledger)
      lines.push(
        `${layout} http-remote (loopback, clients in another process): ${remote.perSec.toFixed(0)} pairs/s = ${x(remote, ledger)}${layout === 'spread' ? ' (goal ≥ 0.75×)' : ''}${raw ? ` = ${x(remote, raw)}` : ''}`,
      );
    if (inProcess && ledger)
      lines.push(
        `${layout} in-process: ${inProcess.perSec.toFixed(0)} pairs/s = ${x(inProcess, ledger)}${layout === 'spread' ? ' (goal ≥ 0.75×)' : ''}${raw ? ` = ${x(inProcess, raw)}` : ''}`,
      );
  }
  lines.push(
    `RSS (bench process: ledger, routes, and the clients but for http-remote's): idle ${r.idleRssMiB.toFixed(0)} MiB, under load up to ${Math.max(...r.results.map((t) => t.rssMiB)).toFixed(0)} MiB`,
  );
  return lines.join('\n');
}

/**
 * For the runner (`bench/src/run.ts`): one sample per reserve+commit pair through the ledger
 * (spread layout), with throughput and the raw-update ratio printed to stderr.
 */
export const creditsReserve: Benchmark = {
  name: 'credits-reserve',
  description: 'credits: reserve+commit pairs/s at 64 concurrent clients vs a raw single-statement UPDATE',
  async run(): Promise<BenchResult> {
    const r = await benchCreditsReserve();
    console.error(formatCreditsBench(r));
    const ledger = r.results.find((t) => t.layout === 'spread' && t.subject === 'ledger');
    const samples = ledger?.samples ?? [];
    return { name: 'credits-reserve', samples, stats: summarize(samples) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '64' },
      seconds: { type: 'string', default: '5' },
      pool: { type: 'string', default: '20' },
      subjects: { type: 'string', default: 'raw-update,ledger,in-process,http,http-remote' },
      layouts: { type: 'string', default: 'spread,hot' },
    },
  });
  benchCreditsReserve({
    clients: Number(values.clients),
    durationMs: Number(values.seconds) * 1000,
    poolSize: Number(values.pool),
    subjects: values.subjects.split(',') as Subject[],
    layouts: values.layouts.split(',') as Layout[],
  })
    .then((r) => console.log(formatCreditsBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
