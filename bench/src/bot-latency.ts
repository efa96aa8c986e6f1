/**
 * Bot reply latency: a user signed in through SSO (a linked account) sends `list` to @todo in a DM;
 * one sample is the time from the send until the user's own matrix-js-sdk sync delivers the bot's
 * reply (`in_reply_to` that command). The whole production path: Synapse → appservice transaction →
 * runner (stored in Postgres, token exchange at auth (cached), pull from sync, list state) → reply
 * through Synapse → the user's sync. Sequential, so it measures latency, not throughput.
 *
 * Reported against the raw Synapse echo (`measureSynapseEcho`): by the runner against the run's
 * shared Synapse, and here against the same Synapse the bot uses, measured in the same run.
 * Goal: ratio ≤ 1.3. Note that a reply is two Matrix hops (the command reaching the appservice,
 * the reply reaching the client), each about one echo, so about 2× is the floor with Synapse in
 * the path; bots/runtime/README.md ("Latency") breaks the rest down by stage.
 *
 *   npm exec -- node bench/src/bot-latency.ts [--samples 200]
 *   npm run bench -- bot-latency
 */
import { parseArgs } from 'node:util';
import { openChat } from '../../tests/e2e/src/support/bots-chat.ts';
import { SERVER_NAME, startBotsStack } from '../../tests/e2e/src/support/bots-stack.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { formatRatio, formatTable, summarize } from './stats.ts';
import { measureSynapseEcho } from './synapse-echo.ts';

export interface BotLatency {
  bot: BenchResult;
  /** The raw echo on the bot's own Synapse, same run. */
  echo: BenchResult;
}

export async function measureBotLatency(samples = 200, warmup = 20): Promise<BotLatency> {
  const n = Math.max(200, samples);
  const stack = await startBotsStack({ label: 'bench_bots', runnerLogLevel: 'warn' });
  try {
    const user = await stack.ssoUser(`bench${Date.now().toString(36)}`);
    const chat = await openChat(stack, user, `@todo:${SERVER_NAME}`);
    // Something to list.
    for (const t of ['Milch kaufen @morgen', 'Steuer !p1', 'Zahnarzt anrufen']) await chat.ask(`neu ${t}`);

    const out: number[] = [];
    for (let i = 0; i < warmup + n; i++) {
      const started = performance.now();
      await chat.ask('list');
      if (i >= warmup) out.push(performance.now() - started);
    }
    const bot: BenchResult = { name: 'bot-latency', samples: out, stats: summarize(out) };
    // The baseline on the very same Synapse (appservice registered, OIDC on), right after.
    const echoRun = await measureSynapseEcho(stack.synapse, n);
    const echo: BenchResult = {
      name: 'synapse-echo (same Synapse)',
      samples: echoRun.samples,
      stats: echoRun.stats,
    };
    return { bot, echo };
  } finally {
    await stack.close();
  }
}

export function formatBotLatency({ bot, echo }: BotLatency): string {
  const ok = bot.stats.p50 / echo.stats.p50 <= 1.3;
  return [
    formatTable([echo, bot]),
    formatRatio(bot, echo, 'p50'),
    formatRatio(bot, echo, 'p95'),
    `goal p50 ratio ≤ 1.3: ${ok ? 'met' : 'NOT met'}`,
  ].join('\n');
}

export const botLatency: Benchmark = {
  name: 'bot-latency',
  description:
    'todo bot: `list` from a linked (SSO) user until the reply is in their sync (real auth, sync, runner)',
  baseline: 'synapse-echo',
  async run({ samples }): Promise<BenchResult> {
    const result = await measureBotLatency(samples);
    console.error(formatBotLatency(result));
    return result.bot;
  },
};

if (import.meta.main) {
  const { values } = parseArgs({ options: { samples: { type: 'string', default: '200' } } });
  measureBotLatency(Number(values.samples))
    .then((r) => console.log(formatBotLatency(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    // matrix-js-sdk leaves a long /sync timer behind.
    .finally(() => process.exit());
}
