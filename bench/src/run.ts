/**
 * Runs benchmarks and prints one table plus a ratio line for each benchmark against its baseline.
 *
 *   node bench/src/run.ts                    # all benchmarks
 *   node bench/src/run.ts synapse-echo       # some, by name (their baselines run too)
 *   node bench/src/run.ts --samples 500 --json bench/results/run.json
 *   node bench/src/run.ts --list
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startSynapse, type SynapseHandle } from '@mana/testing';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { authIntrospect } from './auth-introspect.ts';
import { authToken } from './auth-token.ts';
import { botLatency } from './bot-latency.ts';
import { e2eeLatency } from './e2ee-latency.ts';
import { e2eeRooms } from './e2ee-rooms.ts';
import { creditsGifts } from './credits-gifts.ts';
import { creditsReserve } from './credits-reserve.ts';
import { ollamaConcurrency } from './ollama-concurrency.ts';
import { ollamaStream } from './ollama-stream.ts';
import { plan } from './plan.ts';
import { rruleExpansion } from './rrule-expansion.ts';
import { formatRatio, formatTable } from './stats.ts';
import { synapseEcho } from './synapse-echo.ts';
import { syncLatency } from './sync-latency.ts';
import { syncPush } from './sync-push.ts';
import { syncWsIdle } from './sync-ws-idle.ts';
import { ttsEngine, ttsSteps, ttsVoice, ttsVoiceLibav } from './tts.ts';

/** Every benchmark, baselines first. New benchmarks are added here. */
const BENCHMARKS: readonly Benchmark[] = [
  synapseEcho,
  syncPush,
  syncLatency,
  syncWsIdle,
  creditsReserve,
  creditsGifts,
  authToken,
  authIntrospect,
  botLatency,
  e2eeLatency,
  e2eeRooms,
  ollamaStream,
  ollamaConcurrency,
  rruleExpansion,
  ttsEngine,
  ttsVoice,
  ttsVoiceLibav,
  ttsSteps,
];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      samples: { type: 'string', default: '200' },
      json: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  if (values.list) {
    for (const b of BENCHMARKS) console.log(`${b.name.padEnd(20)} ${b.description}`);
    return;
  }
  const samples = Number(values.samples);
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error(`--samples must be a positive integer, got ${values.samples}`);

  const benchmarks = plan(positionals, BENCHMARKS);
  let synapse: Promise<SynapseHandle> | undefined;
  const results = new Map<string, BenchResult>();
  try {
    for (const benchmark of benchmarks) {
      console.error(`running ${benchmark.name} (${samples} samples)…`);
      const result = await benchmark.run({ samples, results, synapse: () => (synapse ??= startSynapse()) });
      results.set(benchmark.name, result);
    }
  } finally {
    if (synapse) await (await synapse).stop();
  }

  console.log(formatTable([...results.values()]));
  for (const benchmark of benchmarks) {
    const result = results.get(benchmark.name);
    const baseline = benchmark.baseline === undefined ? undefined : results.get(benchmark.baseline);
    if (result && baseline) {
      console.log(formatRatio(result, baseline, 'p50'));
      console.log(formatRatio(result, baseline, 'p95'));
    }
  }
  if (values.json) {
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(values.json, `${JSON.stringify([...results.values()], null, 2)}\n`);
    console.error(`wrote ${values.json}`);
  }
}

if (import.meta.main) {
  main()
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    })
    // Exit explicitly: matrix-js-sdk arms a timer (long-poll + 80 s) for every /sync request and
    // never clears it, so the process would linger for ~2 minutes after the last client stopped.
    .finally(() => process.exit());
}
