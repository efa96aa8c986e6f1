/**
 * Bot reply latency: a user signed in through SSO (a linked account) sends `list` to @todo in a DM;
 * one sample is the time from the send until the user's own matrix-js-sdk sync delivers the bot's
 * reply (`in_reply_to` that command). The whole production path: Synapse → appservice transaction →
 * runner (stored in Postgres, token exchange at auth (cached), pull from sync, list state) → reply
 * through Synapse → the user's sync. Sequential, so it measures latency, not throughput.
 *
 * Reported against the raw Synapse echo (`openEchoPair`) on the same Synapse, measured in the
 * same run with its samples interleaved (echo, command, echo, …), and next to the runner's own time
 * per command (transaction received → reply sent, measured inside the runner:
 * `bot_runner_message_seconds`). A reply is two persisted Matrix events
 * (the command reaching the appservice, the reply reaching the client), each about one echo, so
 * about 2× echo is the floor. Goals: runner p50 ≤ 3 ms; end-to-end p50 ≤ 2.1× echo.
 *
 *   npm exec -- node bench/src/bot-latency.ts [--samples 200]
 *   npm run bench -- bot-latency
 */
import { parseArgs } from 'node:util';
import { openChat, SERVER_NAME, startBotsStack } from '@mana/e2e/support';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { formatRatio, formatTable, summarize } from './stats.ts';
import { openEchoPair } from './synapse-echo.ts';

export interface BotLatency {
  bot: BenchResult;
  /** The raw echo on the bot's own Synapse, same run. */
  echo: BenchResult;
  /** The runner's own time per command in ms (its summary over the run), p50 / p95. */
  runner: { p50: number; p95: number };
}

/** Reads a Prometheus summary's quantiles (seconds) from a /metrics text, in ms. */
export function summaryQuantiles(metrics: string, name: string): { p50: number; p95: number } {
  const q = (quantile: string) => {
    const m = new RegExp(`^${name}\\{[^}]*quantile="${quantile}"[^}]*\\} (\\S+)$`, 'm').exec(metrics);
    return Number(m?.[1] ?? NaN) * 1000;
  };
  return { p50: q('0.5'), p95: q('0.95') };
}

export async function measureBotLatency(samples = 200, warmup = 20): Promise<BotLatency> {
  const n = Math.max(200, samples);
  const stack = await startBotsStack({ label: 'bench_bots', runnerLogLevel: 'warn' });
  try {
    const user = await stack.ssoUser(`bench${Date.now().toString(36)}`);
    const chat = await openChat(stack, user, `@todo:${SERVER_NAME}`);
    // Something to list.
    for (const t of ['Milch kaufen @morgen', 'Steuer !p1', 'Zahnarzt anrufen']) await chat.ask(`neu ${t}`);

    // Echo and bot samples alternate, so both see the same moments of the machine (the echo's own
    // p50 moved by a third between runs measured one after the other).
    const pair = await openEchoPair(stack.synapse);
    const out: number[] = [];
    const echoes: number[] = [];
    try {
      for (let i = 0; i < warmup + n; i++) {
        const echoed = await pair.once();
        const started = performance.now();
        await chat.ask('list');
        if (i >= warmup) {
          out.push(performance.now() - started);
          echoes.push(echoed);
        }
      }
    } finally {
      await pair.stop();
    }
    const bot: BenchResult = { name: 'bot-latency', samples: out, stats: summarize(out) };
    const runner = summaryQuantiles(
      await (await fetch(`${stack.runner.url}/metrics`)).text(),
      'bot_runner_message_seconds',
    );
    const echo: BenchResult = {
      name: 'synapse-echo (same Synapse, interleaved)',
      samples: echoes,
      stats: summarize(echoes),
    };
    return { bot, echo, runner };
  } finally {
    await stack.close();
  }
}

export function formatBotLatency({ bot, echo, runner }: BotLatency): string {
  const ratioOk = bot.stats.p50 / echo.stats.p50 <= 2.1;
  const runnerOk = runner.p50 <= 3;
  return [
    formatTable([echo, bot]),
    `runner's own time per command (transaction received → reply sent): p50 ${runner.p50.toFixed(2)} ms, p95 ${runner.p95.toFixed(2)} ms`,
    formatRatio(bot, echo, 'p50'),
    formatRatio(bot, echo, 'p95'),
    `goal runner p50 ≤ 3 ms: ${runnerOk ? 'met' : 'NOT met'}; goal end-to-end p50 ≤ 2.1× echo: ${ratioOk ? 'met' : 'NOT met'}`,
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
