/**
 * Encrypted vs plain bot replies: the same user-facing path as `bot-latency` (`list` to @todo, until
 * the reply is in the user's own sync), once in an encrypted DM (the user is matrix-js-sdk with its
 * Rust crypto; the runner decrypts, runs the command, shares the room key if needed and encrypts
 * the reply; the client decrypts it) and once in a plain DM, samples interleaved on the same stack
 * (`startBotsStack({ e2ee: true })`) so both see the same moments of the machine. Goal: encrypted
 * p50 ≤ 1.3× plain. The encrypted side is sampled by polling the client's decrypted timeline every
 * 2 ms, which adds up to 2 ms to its figures.
 *
 *   npm exec -- node bench/src/e2ee-latency.ts [--samples 100]
 *   npm run bench -- e2ee-latency
 */
import { parseArgs } from 'node:util';
import { createE2eeClient, openChat, SERVER_NAME, startBotsStack } from '@mana/e2e/support';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { formatRatio, formatTable, summarize } from './stats.ts';

const TODO = `@todo:${SERVER_NAME}`;

export interface E2eeLatency {
  encrypted: BenchResult;
  plain: BenchResult;
}

export async function measureE2eeLatency(samples = 100, warmup = 10): Promise<E2eeLatency> {
  const stack = await startBotsStack({ label: 'bench_e2ee', e2ee: true, runnerLogLevel: 'warn' });
  try {
    const tag = Date.now().toString(36);
    const [plainUser, e2eeUser] = await Promise.all([
      stack.ssoUser(`plain${tag}`),
      stack.ssoUser(`enc${tag}`),
    ]);
    const chat = await openChat(stack, plainUser, TODO);
    const client = await createE2eeClient(stack.synapse.baseUrl, e2eeUser);
    try {
      const roomId = await client.encryptedDm(TODO);
      const ask = async (text: string) => {
        const id = await client.sendText(roomId, text);
        await client.waitFor(
          roomId,
          (e) =>
            e.sender === TODO &&
            (e.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined)?.[
              'm.in_reply_to'
            ]?.event_id === id,
          60_000,
          2,
        );
      };
      for (const t of ['Milch kaufen @morgen', 'Steuer !p1', 'Zahnarzt anrufen']) {
        await chat.ask(`neu ${t}`);
        await ask(`neu ${t}`);
      }
      const enc: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < warmup + samples; i++) {
        let t = performance.now();
        await chat.ask('list');
        const p = performance.now() - t;
        t = performance.now();
        await ask('list');
        const e = performance.now() - t;
        if (i >= warmup) {
          plain.push(p);
          enc.push(e);
        }
      }
      return {
        encrypted: { name: 'e2ee-latency (encrypted DM)', samples: enc, stats: summarize(enc) },
        plain: { name: 'plain DM (same run, interleaved)', samples: plain, stats: summarize(plain) },
      };
    } finally {
      client.stop();
    }
  } catch (err) {
    // What the runner said (warnings and up), to see why.
    console.error(stack.runner.logs().slice(-30).join('\n'));
    throw err;
  } finally {
    await stack.close();
  }
}

export function formatE2eeLatency({ encrypted, plain }: E2eeLatency): string {
  const ok = encrypted.stats.p50 / plain.stats.p50 <= 1.3;
  return [
    formatTable([plain, encrypted]),
    formatRatio(encrypted, plain, 'p50'),
    formatRatio(encrypted, plain, 'p95'),
    `goal encrypted p50 ≤ 1.3× plain: ${ok ? 'met' : 'NOT met'}`,
  ].join('\n');
}

export const e2eeLatency: Benchmark = {
  name: 'e2ee-latency',
  description:
    'todo bot: `list` in an encrypted DM (Rust-crypto client) vs a plain DM, same stack, interleaved',
  async run({ samples }): Promise<BenchResult> {
    const result = await measureE2eeLatency(Math.min(samples, 100));
    console.error(formatE2eeLatency(result));
    return result.encrypted;
  },
};

if (import.meta.main) {
  const { values } = parseArgs({ options: { samples: { type: 'string', default: '100' } } });
  measureE2eeLatency(Number(values.samples))
    .then((r) => console.log(formatE2eeLatency(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    // matrix-js-sdk leaves a long /sync timer behind.
    .finally(() => process.exit());
}
