/**
 * Gift redeem throughput: 64 concurrent clients each redeem their own distinct codes through the
 * ledger (one statement: the gift's conditional UPDATE, the redeemer's account, the entry; answered
 * after the WAL flush, as auth runs it), next to a raw transfer statement measured in the same run
 * against the same Postgres and pool: `UPDATE` one account down and another up in one statement,
 * with no history and no code. The codes are made before the clock starts. The ratio is the figure
 * to track.
 *
 *   npm exec -- node bench/src/credits-gifts.ts [--clients 64] [--codes 40] [--pool 20]
 */
import { parseArgs } from 'node:util';
import { checkLedger, startCreditsFixture } from '@mana/auth/testing';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { ms, summarize } from './stats.ts';

export interface GiftBenchResult {
  clients: number;
  redeemsPerSec: number;
  rawPerSec: number;
  redeem: number[];
  raw: number[];
}

/** Runs `unit` `perClient` times in each of `clients` concurrent loops; units/s and latencies. */
async function drive(clients: number, perClient: number, unit: (c: number, i: number) => Promise<void>) {
  const samples: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const t = performance.now();
        await unit(c, i);
        samples.push(performance.now() - t);
      }
    }),
  );
  return { perSec: (clients * perClient) / ((performance.now() - start) / 1000), samples };
}

export async function benchGifts(
  o: { clients?: number; codesPerClient?: number; poolSize?: number } = {},
): Promise<GiftBenchResult> {
  const clients = o.clients ?? 64;
  const perClient = o.codesPerClient ?? 40;
  const f = await startCreditsFixture({
    label: 'bench_gifts',
    poolSize: o.poolSize ?? 20,
    config: { startingBalance: 1_000_000_000 },
  });
  try {
    const givers = Array.from({ length: clients }, (_, c) => `giver-${c}`);
    const takers = Array.from({ length: clients }, (_, c) => `taker-${c}`);
    await Promise.all([...givers, ...takers].map((u) => f.credits.grantStartingBalance(u)));
    const ledger = f.credits.ledger;
    // Codes made up front (not measured), `perClient` + warm-up per client, each a distinct gift.
    const codes = await Promise.all(
      givers.map(async (g) => {
        const mine: string[] = [];
        for (let i = 0; i < perClient + 2; i++) {
          const made = await ledger.gift({ userId: g, actor: g }, { amount: 1, idempotencyKey: `b-${i}` });
          mine.push(made.code ?? '');
        }
        return mine;
      }),
    );
    const who = (c: number) => ({ userId: takers[c] ?? '', actor: takers[c] ?? '' });
    const sql = f.db.sql;
    // The baseline moves money in a copy of the accounts table (same columns, constraints, rows),
    // so its history-less transfers do not touch the books the ledger check reads.
    await sql`create table credits.bench_raw_accounts (like credits.accounts including all)`;
    await sql`insert into credits.bench_raw_accounts select * from credits.accounts`;
    const raw = async (c: number) => {
      await sql`
        with d as (
          update credits.bench_raw_accounts set balance = balance - 1, updated_at = now()
           where user_id = ${givers[c] ?? ''} and balance >= 1 returning 1
        )
        update credits.bench_raw_accounts set balance = balance + 1, updated_at = now()
         where user_id = ${takers[c] ?? ''} and exists (select 1 from d)`;
    };
    // Warm-up both (prepared statements, pool connections).
    await Promise.all(givers.map((_, c) => ledger.redeem(who(c), codes[c]?.[perClient] ?? '')));
    await Promise.all(givers.map((_, c) => raw(c)));
    // Interleaved halves, so neither side gets a warmer cache or a quieter disk.
    const half = Math.floor(perClient / 2);
    const r1 = await drive(clients, half, (c) => raw(c));
    const g1 = await drive(clients, half, (c, i) =>
      ledger.redeem(who(c), codes[c]?.[i] ?? '').then(() => undefined),
    );
    const r2 = await drive(clients, perClient - half, (c) => raw(c));
    const g2 = await drive(clients, perClient - half, (c, i) =>
      ledger.redeem(who(c), codes[c]?.[half + i] ?? '').then(() => undefined),
    );
    const check = await checkLedger(f.db.sql);
    if (!check.ok) throw new Error(`ledger check failed: ${check.problems.join('; ')}`);
    return {
      clients,
      redeemsPerSec: (g1.perSec + g2.perSec) / 2,
      rawPerSec: (r1.perSec + r2.perSec) / 2,
      redeem: [...g1.samples, ...g2.samples],
      raw: [...r1.samples, ...r2.samples],
    };
  } finally {
    await f.close();
  }
}

export function formatGiftBench(r: GiftBenchResult): string {
  const a = summarize(r.redeem);
  const b = summarize(r.raw);
  return [
    `gift redeem, ${r.clients} concurrent clients, distinct codes:`,
    `  ledger redeem   ${r.redeemsPerSec.toFixed(0).padStart(7)}/s   p50 ${ms(a.p50)}   p99 ${ms(a.p99)}`,
    `  raw transfer    ${r.rawPerSec.toFixed(0).padStart(7)}/s   p50 ${ms(b.p50)}   p99 ${ms(b.p99)}`,
    `  ratio redeem / raw transfer: ${(r.redeemsPerSec / r.rawPerSec).toFixed(2)}×`,
  ].join('\n');
}

export const creditsGifts: Benchmark = {
  name: 'credits-gifts',
  description: 'credits: gift redeems/s at 64 concurrent distinct codes vs a raw transfer statement',
  async run(): Promise<BenchResult> {
    const r = await benchGifts();
    console.error(formatGiftBench(r));
    return { name: 'credits-gifts', samples: r.redeem, stats: summarize(r.redeem) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '64' },
      codes: { type: 'string', default: '40' },
      pool: { type: 'string', default: '20' },
    },
  });
  benchGifts({
    clients: Number(values.clients),
    codesPerClient: Number(values.codes),
    poolSize: Number(values.pool),
  })
    .then((r) => console.log(formatGiftBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
