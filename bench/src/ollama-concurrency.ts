/**
 * 50 answers streaming at once: the runner's CPU time and memory per concurrent stream, next to a
 * bare baseline in the same run (`ollama-bare.ts`, its own process: the same 50 streams from the
 * same fake provider shown as messages edited once a second, with none of the bot around them).
 * One linked user asks @ollama in 50 DMs at the same moment (the per-user limit raised to 50); each
 * answer is 100 tokens over about 4 s. CPU is the process's user + system time from the questions
 * until every final edit reached the user's sync (runner: /proc/<pid>/stat); memory is the peak RSS
 * over that span minus the RSS just before (sampled every 50 ms). Both divided by the streams.
 *
 *   npm exec -- node bench/src/ollama-concurrency.ts [--streams 50]
 *   npm run bench -- ollama-concurrency
 */
import { chatIn, joined, SERVER_NAME, startBotsStack } from '@mana/e2e/support';
import { startFakeLlmServer } from '@mana/llm/fake';
import type { TestClient } from '@mana/testing';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Benchmark, BenchResult } from './benchmark.ts';
import type { BareInput, BareOutput } from './ollama-bare.ts';
import { cpuMsOf, rssMbOf } from './proc.ts';
import { summarize } from './stats.ts';

const OLLAMA = `@ollama:${SERVER_NAME}`;
const TOKENS = Array.from({ length: 100 }, (_, i) => `wort${i} `);
const ANSWER = TOKENS.join('');

export interface StreamCost {
  cpuMsPerStream: number;
  rssMbPerStream: number;
  wallMs: number;
}

export interface ConcurrencyResult {
  streams: number;
  runner: StreamCost;
  bare: StreamCost;
}

async function runBare(input: BareInput): Promise<BareOutput> {
  const script = fileURLToPath(new URL('./ollama-bare.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stdin.end(JSON.stringify(input));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`ollama-bare exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as BareOutput;
}

export async function measureConcurrency(streams = 50): Promise<ConcurrencyResult> {
  const fake = await startFakeLlmServer({
    models: [{ name: 'bench', script: { tokens: TOKENS, firstTokenDelayMs: 50, tokenDelayMs: 40 } }],
  });
  const stack = await startBotsStack({
    label: 'bench_ollama_conc',
    startingBalance: 100_000_000,
    runnerLogLevel: 'warn',
    runnerEnv: {
      BOT_BOTS: 'ollama',
      LLM_OLLAMA_URL: fake.url,
      LLM_DEFAULT_MODEL: 'ollama/bench',
      OLLAMA_BOT_MAX_CONCURRENT_PER_USER: String(streams),
      OLLAMA_BOT_MAX_QUEUED_PER_USER: String(streams),
    },
  });
  try {
    const user = await stack.ssoUser(`conc${Date.now().toString(36)}`);
    const client = await stack.matrixClient(user);
    const rooms: string[] = [];
    for (let i = 0; i < streams; i++) rooms.push(await client.createDm(OLLAMA));
    for (const room of rooms) await joined(stack, user, room, OLLAMA);
    const chats = await Promise.all(rooms.map((room) => chatIn(stack, user, OLLAMA, room, client)));
    await chats[0]!.ask('sprache de', 30_000);
    // Warm-up: one answer through the whole path (token exchange, JIT, the chat app's replica).
    const warmed = finalShown(client, rooms[0]!, Date.now());
    await chats[0]!.send('Aufwärmen');
    await warmed;

    const pid = stack.runner.pid;
    if (pid === undefined) throw new Error('the runner has no pid');
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssMbOf(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMbOf(pid))), 50);
    const cpu0 = cpuMsOf(pid);
    const t0 = performance.now();
    const shown = rooms.map((room) => finalShown(client, room, Date.now()));
    await Promise.all(chats.map((c, i) => c.send(`Frage ${i}`)));
    await Promise.all(shown);
    const runner: StreamCost = {
      cpuMsPerStream: (cpuMsOf(pid) - cpu0) / streams,
      rssMbPerStream: (rssPeak - rssBefore) / streams,
      wallMs: performance.now() - t0,
    };
    clearInterval(sampler);

    const bareRun = await runBare({
      homeserverUrl: stack.synapse.baseUrl,
      asToken: stack.runnerEnv.BOT_AS_TOKEN ?? '',
      botUserId: OLLAMA,
      llmUrl: fake.url,
      model: 'bench',
      rooms,
    });
    const bare: StreamCost = {
      cpuMsPerStream: bareRun.cpuMs / streams,
      rssMbPerStream: (bareRun.rssPeakMb - bareRun.rssBeforeMb) / streams,
      wallMs: bareRun.wallMs,
    };
    return { streams, runner, bare };
  } finally {
    await stack.close();
    await fake.close();
  }
}

/**
 * Resolves when the user's sync has the bot's final edit in `roomId` (the whole answer) sent at or
 * after `since` (Synapse's clock is this machine's). Register before asking: the edit may come soon.
 */
function finalShown(client: TestClient, roomId: string, since: number): Promise<unknown> {
  return client.waitForEvent(
    (e) => {
      if (e.getRoomId() !== roomId || e.getSender() !== OLLAMA || e.getTs() < since) return false;
      const c = e.getContent();
      const rel = c['m.relates_to'];
      return (
        rel?.rel_type === 'm.replace' &&
        (c['m.new_content'] as { body?: unknown } | undefined)?.body === ANSWER
      );
    },
    { timeoutMs: 180_000 },
  );
}

export function formatConcurrency(r: ConcurrencyResult): string {
  const row = (name: string, c: StreamCost) =>
    `${name.padEnd(28)} ${c.cpuMsPerStream.toFixed(1).padStart(8)} ms CPU/stream ${c.rssMbPerStream.toFixed(2).padStart(7)} MB RSS/stream ${(c.wallMs / 1000).toFixed(1).padStart(6)} s wall`;
  return [
    `${r.streams} concurrent answers of ${TOKENS.length} tokens`,
    row('runner (@ollama)', r.runner),
    row('bare (provider → edits)', r.bare),
    `runner / bare CPU per stream: ${(r.runner.cpuMsPerStream / r.bare.cpuMsPerStream).toFixed(2)}×`,
  ].join('\n');
}

export const ollamaConcurrency: Benchmark = {
  name: 'ollama-concurrency',
  description:
    'ollama bot: runner CPU and RSS per stream at 50 concurrent streams, vs a bare streaming process',
  async run(): Promise<BenchResult> {
    const r = await measureConcurrency(50);
    console.error(formatConcurrency(r));
    return {
      name: 'ollama CPU ms per concurrent stream',
      samples: [r.runner.cpuMsPerStream],
      stats: summarize([r.runner.cpuMsPerStream]),
    };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({ options: { streams: { type: 'string', default: '50' } } });
  measureConcurrency(Number(values.streams))
    .then((r) => console.log(formatConcurrency(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => process.exit());
}
