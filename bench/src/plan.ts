import type { Benchmark } from './benchmark.ts';

/**
 * The benchmarks to run for the requested names (all when none), each preceded by the baseline it
 * is reported against, so a ratio is always measured on the same machine in the same run.
 */
export function plan(names: readonly string[], all: readonly Benchmark[]): Benchmark[] {
  const byName = new Map(all.map((b) => [b.name, b]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark(s) ${unknown.join(', ')}; available: ${[...byName.keys()].join(', ')}`,
    );
  }
  const ordered: Benchmark[] = [];
  const add = (b: Benchmark) => {
    if (ordered.includes(b)) return;
    const baseline = b.baseline === undefined ? undefined : byName.get(b.baseline);
    if (b.baseline !== undefined && !baseline) throw new Error(`${b.name}: unknown baseline ${b.baseline}`);
    if (baseline) add(baseline);
    ordered.push(b);
  };
  for (const b of names.length > 0 ? names.map((n) => byName.get(n)) : all) if (b) add(b);
  return ordered;
}
