/**
 * Streaming LLM answers: a user signed in through SSO asks @ollama a question in a DM; one sample is
 * the time from the moment the (fake, in-process) provider writes its first token until the user's
 * matrix-js-sdk sync delivers the message that shows it. The path: provider → runner (NDJSON parse,
 * metered hold already taken) → Matrix send → Synapse → the user's sync. That is one persisted Matrix
 * event, so the floor is about one Synapse echo, measured on the same Synapse in the same run.
 * Goal (issue 13): p50 ≤ echo p50 + 20 ms. Sequential, so it measures latency, not throughput.
 *
 *   npm exec -- node bench/src/ollama-stream.ts [--samples 100]
 *   npm run bench -- ollama-stream
 */
import { startFakeLlmServer } from '@mana/llm/fake';
import { parseArgs } from 'node:util';
import { inReplyTo, openChat, type RawEvent } from '../../tests/e2e/src/support/bots-chat.ts';
import { SERVER_NAME, startBotsStack } from '../../tests/e2e/src/support/bots-stack.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { formatRatio, formatTable, summarize } from './stats.ts';
import { measureSynapseEcho } from './synapse-echo.ts';

export interface StreamLatency {
  firstText: BenchResult;
  echo: BenchResult;
}

export async function measureStreamLatency(samples = 100, warmup = 10): Promise<StreamLatency> {
  const fake = await startFakeLlmServer({
    // The first token after the request has been sent on (the hold, the memory read and the first
    // write are behind us), the rest of the answer after it.
    models: [
      { name: 'bench', script: { tokens: ['Hallo', ' Welt', '!'], firstTokenDelayMs: 50, tokenDelayMs: 5 } },
    ],
  });
  const stack = await startBotsStack({
    label: 'bench_ollama',
    startingBalance: 100_000_000,
    runnerLogLevel: 'warn',
    runnerEnv: { BOT_BOTS: 'ollama', LLM_OLLAMA_URL: fake.url, LLM_DEFAULT_MODEL: 'ollama/bench' },
  });
  try {
    const user = await stack.ssoUser(`bench${Date.now().toString(36)}`);
    const chat = await openChat(stack, user, `@ollama:${SERVER_NAME}`);
    await chat.ask('sprache de');
    const out: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      // Every question starts afresh: the memory stays small and the prompt the same.
      if (i % 20 === 0) await chat.ask('neu');
      const question = await chat.send(`Frage ${i}`);
      const shown = await chat.client.waitForEvent(
        (e) =>
          e.getSender() === chat.bot &&
          inReplyTo({ content: e.getContent() } as RawEvent) === question &&
          e.getContent()['m.relates_to'] !== undefined,
        { timeoutMs: 30_000 },
      );
      const at = performance.now();
      const stream = fake.streams.at(-1);
      if (stream?.firstTokenAt === undefined || !String(shown.getContent().body).startsWith('Hallo'))
        throw new Error('the first message is not the first token of the last stream');
      if (i >= warmup) out.push(at - stream.firstTokenAt);
      // One answer at a time (the room's next message waits for this one's final edit anyway).
      await stream.ended;
    }
    const firstText: BenchResult = {
      name: 'ollama first token → visible',
      samples: out,
      stats: summarize(out),
    };
    const echoRun = await measureSynapseEcho(stack.synapse, Math.max(samples, 50));
    const echo: BenchResult = {
      name: 'synapse-echo (same Synapse)',
      samples: echoRun.samples,
      stats: echoRun.stats,
    };
    return { firstText, echo };
  } finally {
    await stack.close();
    await fake.close();
  }
}

export function formatStreamLatency({ firstText, echo }: StreamLatency): string {
  const over = firstText.stats.p50 - echo.stats.p50;
  return [
    formatTable([echo, firstText]),
    formatRatio(firstText, echo, 'p50'),
    formatRatio(firstText, echo, 'p95'),
    `p50 over the echo: ${over.toFixed(1)} ms; goal ≤ echo + 20 ms: ${over <= 20 ? 'met' : 'NOT met'}`,
  ].join('\n');
}

export const ollamaStream: Benchmark = {
  name: 'ollama-stream',
  description:
    'ollama bot: provider first token until the user sees it in their sync (real runner, fake LLM)',
  baseline: 'synapse-echo',
  async run({ samples }): Promise<BenchResult> {
    const result = await measureStreamLatency(Math.min(samples, 100));
    console.error(formatStreamLatency(result));
    return result.firstText;
  },
};

if (import.meta.main) {
  const { values } = parseArgs({ options: { samples: { type: 'string', default: '100' } } });
  measureStreamLatency(Number(values.samples))
    .then((r) => console.log(formatStreamLatency(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => process.exit());
}
