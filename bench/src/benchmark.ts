/** What a benchmark is, as the runner sees it. */
import type { SynapseHandle } from '@mana/testing';
import type { Stats } from './stats.ts';

export interface BenchContext {
  /** One Synapse shared by every benchmark of the run, started on first use. */
  synapse(): Promise<SynapseHandle>;
  /** How many measured samples each benchmark should take. */
  samples: number;
  /** Results of the benchmarks that ran before, by name: the baselines. */
  results: ReadonlyMap<string, BenchResult>;
}

export interface BenchResult {
  name: string;
  stats: Stats;
  samples: number[];
}

export interface Benchmark {
  name: string;
  /** One line for `--list` and the README. */
  description: string;
  /** The benchmark this one is reported against; the runner runs it first, in the same run. */
  baseline?: string;
  run(context: BenchContext): Promise<BenchResult>;
}
