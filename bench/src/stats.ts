/** Summary statistics of latency samples, and the lines the runner prints from them. */

export interface Stats {
  n: number;
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export type StatKey = Exclude<keyof Stats, 'n'>;

/**
 * Nearest-rank percentile (the smallest sample with at least p% of samples at or below it), so
 * every reported figure is a latency that was actually measured.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  if (p < 0 || p > 100) throw new Error(`percentile must be within 0..100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    min: percentile(sorted, 0),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
  };
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/**
 * One comparison line: `todo-reply p50 41.2 ms = 3.20× synapse-echo p50 12.9 ms`.
 * The ratio, not the absolute figure, is what carries from one machine to another.
 */
export function formatRatio(
  subject: { name: string; stats: Stats },
  baseline: { name: string; stats: Stats },
  key: StatKey = 'p50',
): string {
  const ratio = subject.stats[key] / baseline.stats[key];
  return `${subject.name} ${key} ${ms(subject.stats[key])} = ${ratio.toFixed(2)}× ${baseline.name} ${key} ${ms(baseline.stats[key])}`;
}

const COLUMNS = ['n', 'mean', 'p50', 'p95', 'p99', 'max'] as const;

/** A fixed-width table, one row per benchmark. */
export function formatTable(rows: readonly { name: string; stats: Stats }[]): string {
  const header = ['benchmark', ...COLUMNS];
  const body = rows.map((r) => [
    r.name,
    ...COLUMNS.map((c) => (c === 'n' ? String(r.stats.n) : ms(r.stats[c]))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
