/**
 * RRULE expansion of 5,000 occurrences: the calendar bot's path (`expandEvent`: rule check, wall
 * times in Europe/Berlin kept across DST, EXDATE filter, the DoS cap) vs the `rrule` library alone
 * (`between` on the same rule in floating time), measured alternately in the same run. Goal ≤ 1.2×.
 *
 *   npm exec -- node bench/src/rrule-expansion.ts [--rounds 3] [--iterations 40]
 *
 * Prints each round's median per expansion and the median over the rounds; pure CPU, no services.
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

/** Median milliseconds per call over `n` calls (after a warm-up). */
function time(fn: () => number, n: number): number[] {
  for (let i = 0; i < 5; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const count = fn();
    out.push(performance.now() - t);
    if (count !== MAX_OCCURRENCES) throw new Error(`expected ${MAX_OCCURRENCES} occurrences, got ${count}`);
  }
  return out;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export function measure(rounds: number, iterations: number) {
  const perRound: { ours: number; base: number }[] = [];
  const all: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const base = median(time(baseline, iterations));
    const o = time(ours, iterations);
    all.push(...o);
    perRound.push({ ours: median(o), base });
  }
  return {
    perRound,
    ours: median(perRound.map((p) => p.ours)),
    base: median(perRound.map((p) => p.base)),
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
