/**
 * RRULE expansion of 5,000 occurrences: the calendar bot's path (`expandEvent`: rule check, wall
 * times in Europe/Berlin kept across DST, EXDATE filter, the DoS cap) vs the `rrule` library alone
 * (`between` on the same rule in floating time), measured alternately in the same run. Goal ≤ 1.2×.
 *
 *   npm exec -- node bench/src/rrule-expansion.ts [--rounds 3] [--iterations 40]
 *
 * Prints each round's medians (CPU time per expansion) and ratio, and the median ratio over the
 * rounds; pure CPU, no services.
 */
import { parseArgs } from 'node:util';
import { expandEvent, MAX_OCCURRENCES } from '@mana/bot-calendar';
import rrulePkg from 'rrule';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';

const { RRule } = rrulePkg;
const RULE = 'FREQ=DAILY';
const START = '2026-01-05T08:00:00.000Z';
const FROM = new Date('2026-01-05T00:00:00Z');
// 4,999 days after the start: exactly MAX_OCCURRENCES daily occurrences in [FROM, TO).
const TO = new Date(FROM.getTime() + MAX_OCCURRENCES * 86_400_000);

function ours(): number {
  const occ = expandEvent(
    { start: START, end: '2026-01-05T09:00:00.000Z', rrule: RULE, timezone: 'Europe/Berlin', exdates: [] },
    { from: FROM, to: TO },
  );
  return occ.length;
}

function baseline(): number {
  const rule = new RRule({ ...RRule.parseString(RULE), dtstart: new Date('2026-01-05T09:00:00Z') });
  return rule.between(FROM, TO, true).length;
}

/** CPU milliseconds of one call: on a shared, loaded machine wall time mostly measures the others. */
function cpuMs(fn: () => number): number {
  const before = process.cpuUsage();
  const count = fn();
  const used = process.cpuUsage(before);
  if (count !== MAX_OCCURRENCES) throw new Error(`expected ${MAX_OCCURRENCES} occurrences, got ${count}`);
  return (used.user + used.system) / 1000;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * `rounds` rounds of `iterations` calls each, ours and the baseline alternating call by call (so
 * noise hits both alike); per round the ratio of the medians, overall the median of the rounds.
 */
export function measure(rounds: number, iterations: number) {
  // Warm-up (JIT, zone caches).
  for (let i = 0; i < 5; i++) {
    baseline();
    ours();
  }
  const perRound: { ours: number; base: number; ratio: number }[] = [];
  const all: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const o: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < iterations; i++) {
      b.push(cpuMs(baseline));
      o.push(cpuMs(ours));
    }
    all.push(...o);
    perRound.push({ ours: median(o), base: median(b), ratio: median(o) / median(b) });
  }
  return {
    perRound,
    ours: median(perRound.map((p) => p.ours)),
    base: median(perRound.map((p) => p.base)),
    ratio: median(perRound.map((p) => p.ratio)),
    samples: all,
  };
}

export const rruleExpansion: Benchmark = {
  name: 'rrule-expansion',
  description: 'calendar: 5,000 occurrences through expandEvent vs rrule alone (same run)',
  async run(context): Promise<BenchResult> {
    const m = measure(3, Math.max(10, Math.floor(context.samples / 5)));
    console.error(
      `rrule-expansion: ours ${m.ours.toFixed(2)} ms, rrule ${m.base.toFixed(2)} ms, ${(m.ours / m.base).toFixed(2)}×`,
    );
    return { name: 'rrule-expansion', stats: summarize(m.samples), samples: m.samples };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, iterations: { type: 'string', default: '40' } },
  });
  const m = measure(Number(values.rounds), Number(values.iterations));
  for (const [i, p] of m.perRound.entries())
    console.log(
      `round ${i + 1}: expandEvent ${p.ours.toFixed(2)} ms · rrule ${p.base.toFixed(2)} ms · ${(p.ours / p.base).toFixed(2)}×`,
    );
  console.log(
    `median of ${m.perRound.length} rounds: expandEvent ${m.ours.toFixed(2)} ms · rrule alone ${m.base.toFixed(2)} ms · ratio ${(m.ours / m.base).toFixed(2)}× (goal ≤ 1.20×)`,
  );
}
