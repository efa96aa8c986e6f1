/**
 * Sync end-to-end latency on loopback: client A writes a task; the time until client B (another
 * device of the same user, live over WebSocket) has it in its replica. The path: A's local write →
 * push → commit → poke over WebSocket → B pulls → B merges. Sequential, so it measures latency.
 * Goal: p50 ≤ 5 ms.
 *
 *   npm exec -- node bench/src/sync-latency.ts [--samples 200]
 */
import { createSyncClient } from '@mana/sync-client';
import { parseArgs } from 'node:util';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';
import { startSyncFixture } from './sync-fixture.ts';

export async function benchSyncLatency(samples = 200, warmup = 20): Promise<number[]> {
  const f = await startSyncFixture('bench_sync_latency');
  const token = await f.token('latency');
  const make = (clientId: string) =>
    createSyncClient({
      baseUrl: f.url,
      apps: ['todo'],
      clientId,
      getToken: () => token,
      pushDebounceMs: 0,
      pullIntervalMs: null,
    });
  const a = make('bench-a');
  const b = make('bench-b');
  try {
    let waiting: { title: string; resolve: () => void } | undefined;
    b.subscribe('todo', 'tasks', (rows) => {
      if (waiting && rows.some((r) => r.title === waiting?.title)) waiting.resolve();
    });
    // Wait until B's socket is authenticated: a first write must arrive by poke.
    await Promise.all([a.sync(), b.sync()]);
    await new Promise((r) => setTimeout(r, 200));
    const out: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const title = `t${i}`;
      const seen = new Promise<void>((resolve) => (waiting = { title, resolve }));
      const t = performance.now();
      await a.put('todo', 'tasks', `row-${i % 20}`, { title, priority: 1, completed: false });
      await seen;
      if (i >= warmup) out.push(performance.now() - t);
    }
    return out;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await f.close();
  }
}

export function formatSyncLatency(samples: number[]): string {
  const s = summarize(samples);
  return `sync A→B over WebSocket: n=${s.n} p50 ${s.p50.toFixed(2)} ms p95 ${s.p95.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms (goal p50 ≤ 5 ms)`;
}

export const syncLatency: Benchmark = {
  name: 'sync-latency',
  description:
    'sync: a write on client A until client B has it (push → poke over WebSocket → pull), loopback',
  async run({ samples }): Promise<BenchResult> {
    const out = await benchSyncLatency(samples);
    console.error(formatSyncLatency(out));
    return { name: 'sync-latency', samples: out, stats: summarize(out) };
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
