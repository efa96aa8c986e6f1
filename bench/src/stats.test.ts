import { describe, expect, it } from 'vitest';
import { formatRatio, formatTable, percentile, summarize } from './stats.ts';

describe('summarize', () => {
  it('reports nearest-rank percentiles over 1..100', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    expect(summarize(samples)).toEqual({ n: 100, mean: 50.5, min: 1, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('handles a single sample and rejects none', () => {
    expect(summarize([7])).toMatchObject({ p50: 7, p99: 7, mean: 7 });
    expect(() => summarize([])).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });

  it('only ever reports measured values', () => {
    const samples = [3, 1, 4, 1, 5, 9, 2, 6];
    const stats = summarize(samples);
    for (const key of ['p50', 'p95', 'p99'] as const) expect(samples).toContain(stats[key]);
  });
});

describe('formatting', () => {
  const baseline = { name: 'synapse-echo', stats: summarize([10, 12, 14]) };
  const subject = { name: 'todo-reply', stats: summarize([30, 36, 40]) };

  it('formats a ratio line against the baseline', () => {
    expect(formatRatio(subject, baseline)).toBe('todo-reply p50 36.0 ms = 3.00× synapse-echo p50 12.0 ms');
    expect(formatRatio(subject, baseline, 'p95')).toContain('2.86×');
  });

  it('aligns the table', () => {
    const lines = formatTable([baseline, subject]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^benchmark\s+n\s+mean\s+p50\s+p95\s+p99\s+max$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
