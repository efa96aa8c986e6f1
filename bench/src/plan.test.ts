import { describe, expect, it } from 'vitest';
import type { Benchmark } from './benchmark.ts';
import { plan } from './plan.ts';

const bench = (name: string, baseline?: string): Benchmark => ({
  name,
  description: name,
  ...(baseline ? { baseline } : {}),
  run: () => Promise.reject(new Error('not run in this test')),
});
const all = [bench('synapse-echo'), bench('todo-reply', 'synapse-echo'), bench('sync-push', 'synapse-echo')];
const names = (bs: Benchmark[]) => bs.map((b) => b.name);

describe('plan', () => {
  it('runs everything, in order, when no name is given', () => {
    expect(names(plan([], all))).toEqual(['synapse-echo', 'todo-reply', 'sync-push']);
  });

  it('runs a baseline before the benchmarks measured against it, once', () => {
    expect(names(plan(['sync-push', 'todo-reply'], all))).toEqual([
      'synapse-echo',
      'sync-push',
      'todo-reply',
    ]);
  });

  it('names unknown benchmarks and what is available', () => {
    expect(() => plan(['nope'], all)).toThrow(
      /unknown benchmark\(s\) nope; available: synapse-echo, todo-reply/,
    );
    expect(() => plan([], [bench('x', 'missing')])).toThrow(/unknown baseline missing/);
  });
});
