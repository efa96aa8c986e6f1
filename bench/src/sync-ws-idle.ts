/**
 * Idle WebSocket connections one sync instance holds, and the memory each costs. The server runs in
 * its own process (so the clients' memory is not counted); N authenticated sockets are opened from
 * this process; the server's RSS and V8 heap are read from its /metrics before and after.
 * Goal: 50k connections at ≤ 10 KB each. Bounded here by the open-files limit (`ulimit -n`).
 *
 *   npm exec -- node bench/src/sync-ws-idle.ts [--connections 19000]
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';
import { startSyncFixture } from './sync-fixture.ts';
import { freePort } from '@mana/testing';

export interface WsIdleResult {
  requested: number;
  held: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  kbPerConnectionRss: number;
  kbPerConnectionHeap: number;
  /** Connect + auth latency per socket, ms. */
  samples: number[];
  error?: string;
}

async function memory(url: string): Promise<{ rss: number; heap: number; sockets: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: metric('process_resident_memory_bytes'),
    heap: metric('nodejs_heap_size_used_bytes'),
    sockets: metric('sync_ws_connections'),
  };
}

export async function benchSyncWsIdle(connections = 19_000): Promise<WsIdleResult> {
  const f = await startSyncFixture('bench_sync_ws_idle');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const main = join(dirname(fileURLToPath(import.meta.resolve('@mana/sync'))), 'main.ts');
  const child = spawn(process.execPath, ['--max-old-space-size=4096', main], {
    env: { ...process.env, ...f.env, SYNC_PORT: String(port), SYNC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sockets: WebSocket[] = [];
  const samples: number[] = [];
  let error: string | undefined;
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 200) throw new Error('sync child did not become ready');
      await new Promise((r) => setTimeout(r, 50));
    }
    const token = await f.token('idle');
    // Warm the server (JIT, token cache) before the baseline reading.
    await Promise.all(Array.from({ length: 50 }, (_, i) => open(i)).map((p) => p.then((ws) => ws.close())));
    await new Promise((r) => setTimeout(r, 1000));
    const before = await memory(url);

    function open(i: number): Promise<WebSocket> {
      return new Promise((resolve, reject) => {
        const t = performance.now();
        // Spread over loopback source addresses: one address has only ~28k ephemeral ports.
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
          localAddress: `127.0.0.${1 + (i % 4)}`,
          perMessageDeflate: false,
        });
        ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
        ws.once('message', () => {
          samples.push(performance.now() - t);
          resolve(ws);
        });
        ws.once('error', reject);
        ws.once('close', (code) => reject(new Error(`closed ${code}`)));
      });
    }
    const batch = 250;
    try {
      for (let i = 0; i < connections; i += batch) {
        const opened = await Promise.all(
          Array.from({ length: Math.min(batch, connections - i) }, (_, k) => open(i + k)),
        );
        sockets.push(...opened);
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const after = await memory(url);
    const held = after.sockets;
    return {
      requested: connections,
      held,
      rssBeforeMb: before.rss / 2 ** 20,
      rssAfterMb: after.rss / 2 ** 20,
      heapBeforeMb: before.heap / 2 ** 20,
      heapAfterMb: after.heap / 2 ** 20,
      kbPerConnectionRss: (after.rss - before.rss) / 1024 / held,
      kbPerConnectionHeap: (after.heap - before.heap) / 1024 / held,
      samples,
      ...(error ? { error } : {}),
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await f.close();
  }
}

export function formatSyncWsIdle(r: WsIdleResult): string {
  const s = summarize(r.samples.length ? r.samples : [0]);
  return [
    `sync idle WebSockets: held ${r.held} of ${r.requested} requested${r.error ? ` (stopped: ${r.error})` : ''}`,
    `server RSS ${r.rssBeforeMb.toFixed(0)} → ${r.rssAfterMb.toFixed(0)} MB = ${r.kbPerConnectionRss.toFixed(1)} KB/connection; V8 heap ${r.heapBeforeMb.toFixed(0)} → ${r.heapAfterMb.toFixed(0)} MB = ${r.kbPerConnectionHeap.toFixed(1)} KB/connection (goal 50k at ≤ 10 KB)`,
    `connect+auth latency p50 ${s.p50.toFixed(2)} ms p95 ${s.p95.toFixed(2)} ms`,
  ].join('\n');
}

export const syncWsIdle: Benchmark = {
  name: 'sync-ws-idle',
  description: 'sync: idle authenticated WebSockets one instance holds, and server memory per connection',
  async run(): Promise<BenchResult> {
    const r = await benchSyncWsIdle();
    console.error(formatSyncWsIdle(r));
    return { name: 'sync-ws-idle', samples: r.samples, stats: summarize(r.samples) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({ options: { connections: { type: 'string', default: '19000' } } });
  benchSyncWsIdle(Number(values.connections))
    .then((r) => console.log(formatSyncWsIdle(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
