/**
 * Credits throughput: reserve+commit pairs per second at 64 concurrent clients, next to a raw
 * single-statement `UPDATE … SET balance = balance - 1 WHERE balance >= 1` measured in the same run,
 * against the same Postgres, pool and account layout. The ratio is the figure to track.
 *
 * Two layouts: `spread` (each client its own account, the normal case: many users) and `hot` (all
 * 64 clients on one account, the worst case: every write queues on one row lock).
 * Three subjects: `raw-update` (baseline), `ledger` (reserve + commit through the ledger's SQL) and
 * `http` (the same through the Hono routes in-process, with EdDSA token verification).
 *
 *   npm exec -- node bench/src/credits-reserve.ts [--clients 64] [--seconds 5] [--pool 20]
 */
import { parseArgs } from 'node:util';
import { createLedger, type Ledger } from '../../auth/src/credits/ledger.ts';
import { startCreditsFixture, type CreditsFixture } from '../../auth/src/credits/fixture.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';

export interface CreditsBenchOptions {
  clients?: number;
  /** How long each subject runs, after a short warm-up. */
  durationMs?: number;
  /** Postgres connections shared by the clients (the server allows ~100 for everyone). */
  poolSize?: number;
}

export interface Throughput {
  subject: string;
  layout: 'spread' | 'hot';
  /** Completed units (pairs, or single updates for the baseline) per second. */
  perSec: number;
  /** Latency of each unit, ms. */
  samples: number[];
}

export interface CreditsBenchResult {
  clients: number;
  poolSize: number;
  results: Throughput[];
}

const BIG = 1_000_000_000_000;

/** Runs `unit` in `clients` concurrent loops for `durationMs`; returns units/s and latencies. */
async function drive(
  clients: number,
  durationMs: number,
  unit: (client: number, i: number) => Promise<void>,
): Promise<{ perSec: number; samples: number[] }> {
  // Warm-up: prepared statements, JIT, pool connections.
  const warmEnd = performance.now() + Math.min(1000, durationMs / 5);
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < warmEnd; i++) await unit(c, -1 - i);
    }),
  );
  const samples: number[] = [];
  const start = performance.now();
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
  return { perSec: samples.length / elapsed, samples };
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
  const results: Throughput[] = [];
  try {
    const sql = f.db.sql;
    const ledger: Ledger = createLedger({ sql, reservationTtlSec: 900 });
    const users = Array.from({ length: clients }, (_, c) => `bench-${c}`);
    await Promise.all([...users, 'bench-hot'].map((u) => f.credits.grantStartingBalance(u)));
    const tokens = await Promise.all(users.map((u) => f.botToken(u)));
    const hotToken = await f.botToken('bench-hot');
    let run = 0;

    for (const layout of ['spread', 'hot'] as const) {
      const userOf = (c: number) => (layout === 'hot' ? 'bench-hot' : (users[c] ?? 'bench-hot'));
      const tokenOf = (c: number) => (layout === 'hot' ? hotToken : (tokens[c] ?? hotToken));

      const raw = await drive(clients, durationMs, async (c) => {
        await sql`update credits.accounts set balance = balance - 1 where user_id = ${userOf(c)} and balance >= 1`;
      });
      results.push({ subject: 'raw-update', layout, ...raw });

      const direct = await drive(clients, durationMs, async (c, i) => {
        const who = { userId: userOf(c), actor: 'bots' };
        const r = await ledger.reserve(who, {
          operation: 'ai_chat_ollama',
          amount: 100,
          idempotencyKey: `l${run}-${c}-${i}`,
        });
        await ledger.commit(who, r.reservationId);
      });
      results.push({ subject: 'ledger', layout, ...direct });
      run++;

      const http = await drive(clients, durationMs, async (c, i) => {
        const token = tokenOf(c);
        const r = await f.call('POST', '/reserve', {
          token,
          body: { operation: 'ai_chat_ollama', idempotencyKey: `h${run}-${c}-${i}` },
        });
        if (r.status !== 201) throw new Error(`reserve answered ${r.status}`);
        const id = String(r.body.reservationId);
        const done = await f.call('POST', `/reservations/${id}/commit`, { token });
        if (done.status !== 200) throw new Error(`commit answered ${done.status}`);
      });
      results.push({ subject: 'http', layout, ...http });
      run++;
    }
  } finally {
    await f.close();
  }
  return { clients, poolSize, results };
}

export function formatCreditsBench(r: CreditsBenchResult): string {
  const lines = [
    `credits reserve+commit, ${r.clients} concurrent clients, ${r.poolSize} Postgres connections`,
    'layout  subject         units/s    p50 ms   p95 ms',
  ];
  for (const t of r.results) {
    const s = summarize(t.samples);
    const unit = t.subject === 'raw-update' ? 'updates' : 'pairs';
    lines.push(
      `${t.layout.padEnd(7)} ${t.subject.padEnd(11)} ${t.perSec.toFixed(0).padStart(7)} ${unit.padEnd(7)} ${s.p50.toFixed(2).padStart(6)} ${s.p95.toFixed(2).padStart(8)}`,
    );
  }
  for (const layout of ['spread', 'hot'] as const) {
    const base = r.results.find((t) => t.layout === layout && t.subject === 'raw-update');
    for (const subject of ['ledger', 'http']) {
      const t = r.results.find((x) => x.layout === layout && x.subject === subject);
      if (base && t)
        lines.push(
          `${layout} ${subject}: ${t.perSec.toFixed(0)} pairs/s = ${(t.perSec / base.perSec).toFixed(2)}× raw-update ${base.perSec.toFixed(0)}/s (goal ≥ 2000 pairs/s)`,
        );
    }
  }
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
    },
  });
  benchCreditsReserve({
    clients: Number(values.clients),
    durationMs: Number(values.seconds) * 1000,
    poolSize: Number(values.pool),
  })
    .then((r) => console.log(formatCreditsBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
