/**
 * Sync end-to-end latency on loopback: client A writes a task; the time until client B (another
 * device of the same user, live over WebSocket) has it in its replica. The path: A's local write →
 * push → commit → poke over WebSocket carrying the row → B merges (B pulls only when the poke is too
 * large or does not start at its cursor). Sequential, so it measures latency.
 * Goals: p50 ≤ 3 ms, p95 ≤ 6 ms. Prints the p50 of each step, so the slow one is visible.
 *
 *   npm exec -- node bench/src/sync-latency.ts [--samples 200]
 */
import { createSyncClient, type WebSocketConstructor } from '@mana/sync-client';
import { parseArgs } from 'node:util';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';
import { startSyncFixture } from './sync-fixture.ts';

/** Milestones of one sample, ms after the write started (see `phases`). */
interface Marks {
  pushSent?: number;
  pushAnswered?: number;
  poked?: number;
  pullSent?: number;
  pullAnswered?: number;
}

export interface SyncLatencyResult {
  samples: number[];
  /** p50 of each step of the path, ms. */
  phases: Record<string, number>;
  idleRssMiB: number;
  loadRssMiB: number;
}

export async function benchSyncLatency(samples = 200, warmup = 20): Promise<SyncLatencyResult> {
  const f = await startSyncFixture('bench_sync_latency');
  const token = await f.token('latency');
  let marks: Marks = {};
  let t0 = 0;
  const at = () => performance.now() - t0;
  // The clients' own fetch and WebSocket, timed: where the milliseconds of one sample go.
  const timedFetch =
    (sent: 'pushSent' | 'pullSent', answered: 'pushAnswered' | 'pullAnswered') =>
    async (input: RequestInfo | URL, init?: RequestInit) => {
      marks[sent] ??= at();
      const res = await fetch(input, init);
      marks[answered] ??= at();
      return res;
    };
  class TimedWebSocket extends WebSocket {
    constructor(url: string | URL) {
      super(url);
      this.addEventListener('message', (ev: MessageEvent) => {
        if (String(ev.data).includes('"poke"')) marks.poked ??= at();
      });
    }
  }
  const make = (clientId: string, role: 'writer' | 'reader') =>
    createSyncClient({
      baseUrl: f.url,
      apps: ['todo'],
      clientId,
      getToken: () => token,
      pushDebounceMs: 0,
      pullIntervalMs: null,
      WebSocket: TimedWebSocket as unknown as WebSocketConstructor,
      fetch:
        role === 'writer' ? timedFetch('pushSent', 'pushAnswered') : timedFetch('pullSent', 'pullAnswered'),
    });
  const a = make('bench-a', 'writer');
  const b = make('bench-b', 'reader');
  const all: Marks[] = [];
  let idleRssMiB = 0;
  let loadRss = 0;
  try {
    let waiting: { title: string; resolve: () => void } | undefined;
    b.subscribe('todo', 'tasks', (rows) => {
      if (waiting && rows.some((r) => r.title === waiting?.title)) waiting.resolve();
    });
    // Wait until B's socket is authenticated: a first write must arrive by poke.
    await Promise.all([a.sync(), b.sync()]);
    await new Promise((r) => setTimeout(r, 200));
    idleRssMiB = process.memoryUsage.rss() / 1024 / 1024;
    const out: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const title = `t${i}`;
      const seen = new Promise<void>((resolve) => (waiting = { title, resolve }));
      marks = {};
      t0 = performance.now();
      await a.put('todo', 'tasks', `row-${i % 20}`, { title, priority: 1, completed: false });
      await seen;
      if (i >= warmup) {
        out.push(performance.now() - t0);
        all.push(marks);
      }
      if (i % 20 === 0) loadRss = Math.max(loadRss, process.memoryUsage.rss());
    }
    const p50 = (xs: number[]) => summarize(xs.length > 0 ? xs : [NaN]).p50;
    const step = (from: keyof Marks | 'start', to: keyof Marks) =>
      p50(
        all.flatMap((m) =>
          m[to] === undefined ? [] : [(m[to] ?? 0) - (from === 'start' ? 0 : (m[from] ?? 0))],
        ),
      );
    const pulled = all.filter((m) => m.pullSent !== undefined).length;
    const phases: Record<string, number> = {
      'write → push sent (local write, outbox, scheduling)': step('start', 'pushSent'),
      'push sent → poke at B (HTTP, auth, validation, commit, fan-out, WebSocket)': step('pushSent', 'poked'),
      'poke → in B replica (parse, merge, notify; samples without a pull)': p50(
        all.flatMap((m, n) => (m.pullSent === undefined ? [(out[n] ?? 0) - (m.poked ?? 0)] : [])),
      ),
      'push sent → push answered (A, in parallel)': step('pushSent', 'pushAnswered'),
    };
    if (pulled > 0) {
      phases['poke → pull sent (B schedules its pull)'] = step('poked', 'pullSent');
      phases['pull sent → pull answered (HTTP, auth, one query)'] = step('pullSent', 'pullAnswered');
      phases['pull answered → in B replica (parse, merge, notify)'] = p50(
        all.flatMap((m, n) => (m.pullAnswered === undefined ? [] : [(out[n] ?? 0) - m.pullAnswered])),
      );
    }
    phases[`samples where B pulled (of ${all.length})`] = pulled;
    return { samples: out, phases, idleRssMiB, loadRssMiB: loadRss / 1024 / 1024 };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await f.close();
  }
}

export function formatSyncLatency(r: SyncLatencyResult): string {
  const s = summarize(r.samples);
  return [
    `sync A→B over WebSocket: n=${s.n} p50 ${s.p50.toFixed(2)} ms p95 ${s.p95.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms (goal p50 ≤ 3 ms, p95 ≤ 6 ms)`,
    ...Object.entries(r.phases).map(([k, v]) =>
      k.startsWith('samples')
        ? `  ${String(v).padStart(10)}     ${k}`
        : `  p50 ${v.toFixed(2).padStart(6)} ms  ${k}`,
    ),
    `RSS (sync server + both clients, one process): idle ${r.idleRssMiB.toFixed(0)} MiB, under load up to ${r.loadRssMiB.toFixed(0)} MiB`,
  ].join('\n');
}

export const syncLatency: Benchmark = {
  name: 'sync-latency',
  description:
    'sync: a write on client A until client B has it (push → poke over WebSocket carrying the row), loopback',
  async run({ samples }): Promise<BenchResult> {
    const r = await benchSyncLatency(samples);
    console.error(formatSyncLatency(r));
    return { name: 'sync-latency', samples: r.samples, stats: summarize(r.samples) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({ options: { samples: { type: 'string', default: '200' } } });
  benchSyncLatency(Number(values.samples))
    .then((s) => console.log(formatSyncLatency(s)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
