/**
 * The bare baseline of `ollama-concurrency`, run as its own process so its CPU and memory are its
 * own: the same concurrent streams from the same fake provider, each shown in Matrix as one message
 * edited at most once a second (the runtime's streaming helper, sent as the bot user with the
 * appservice token), and nothing else — no appservice transactions, deduplication, identity, credits,
 * memory or Markdown. What the runner costs beyond this is the price of being a bot.
 *
 * Input: one JSON line on stdin ({ homeserverUrl, asToken, botUserId, llmUrl, model, rooms });
 * output: one JSON line ({ cpuMs, rssBeforeMb, rssPeakMb, wallMs }).
 */
import { createStreamingMessage, type StreamingMessage } from '@mana/bot-runtime';
import { createOllamaProvider } from '@mana/llm';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export interface BareInput {
  homeserverUrl: string;
  asToken: string;
  botUserId: string;
  llmUrl: string;
  model: string;
  rooms: string[];
}

export interface BareOutput {
  cpuMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  wallMs: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

async function readInput(): Promise<BareInput> {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => (text += d));
  await once(process.stdin, 'end');
  return JSON.parse(text) as BareInput;
}

async function main(): Promise<void> {
  const input = await readInput();
  const enc = encodeURIComponent;
  const send = async (
    userId: string,
    roomId: string,
    type: string,
    content: Record<string, unknown>,
    txnKey?: string,
  ): Promise<string> => {
    const txn = txnKey ?? randomBytes(8).toString('hex');
    const res = await fetch(
      `${input.homeserverUrl}/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txn)}?user_id=${enc(userId)}`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${input.asToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(content),
      },
    );
    const json = (await res.json()) as { event_id?: string };
    if (!res.ok || !json.event_id) throw new Error(`send: ${res.status}`);
    return json.event_id;
  };
  const llm = createOllamaProvider({ baseUrl: input.llmUrl });

  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    input.rooms.map(async (roomId) => {
      let text = '';
      let message: StreamingMessage | undefined;
      for await (const c of llm.chat({
        model: input.model,
        messages: [{ role: 'user', content: 'Frage' }],
        maxTokens: 1024,
      })) {
        if (!('delta' in c)) continue;
        text += c.delta;
        if (message) message.update(text);
        else
          message = await createStreamingMessage({
            matrix: { send },
            userId: input.botUserId,
            roomId,
            initial: text,
          });
      }
      await message?.finish(text);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const out: BareOutput = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBeforeMb: mb(rssBefore),
    rssPeakMb: mb(rssPeak),
    wallMs: performance.now() - t0,
  };
  console.log(JSON.stringify(out));
}

if (import.meta.main)
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
