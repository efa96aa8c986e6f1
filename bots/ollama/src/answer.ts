/**
 * One answer streamed into Matrix: the message appears with the first token and grows (at most one
 * edit per interval, the final text always lands), continues in a further message past one event's
 * size, and ends marked when it was stopped or broke off. The cost so far is reported with every
 * token (estimated), and from the provider's counts at the end, so a cancelled answer pays for what
 * it generated and one that never started pays nothing.
 */
import type { CommandContext, StreamingMessage } from '@mana/bot-runtime';
import type { LlmTokenPrice } from '@mana/credits';
import {
  estimatePromptTokens,
  LlmError,
  LlmErrorCode,
  type ChatImage,
  type ChatMessage,
  type LlmProvider,
  type Usage,
} from '@mana/llm';
import { renderMarkdown } from './markdown.ts';
import { meteredCost } from './pricing.ts';
import { T } from './texts.ts';

/** Characters of one message; Matrix events are at most 64 KiB, body and HTML together. */
export const PART_CHARS = 12_000;

export interface AnswerRequest {
  ctx: CommandContext;
  llm: Pick<LlmProvider, 'chat'>;
  model: string;
  messages: readonly ChatMessage[];
  maxTokens: number;
  images?: readonly ChatImage[] | undefined;
  price: Readonly<LlmTokenPrice>;
  intervalMs: number;
  /** Tells this answer's messages apart from others of the same command (`all`). */
  key: string;
  /** Shown above the answer (the model's name in `all`). */
  header?: string;
  /** The cost of this answer so far, in milli-credits. */
  onCost: (milliCredits: number) => void;
  /** A message of the answer was sent (the first, or a continuation): the one now growing. */
  onPart?: (eventId: string) => Promise<void>;
  partChars?: number;
}

export interface AnswerResult {
  /** The answer as the provider sent it (without marks). */
  text: string;
  status: 'complete' | 'stopped' | 'failed';
  usage: Usage;
  /** What ended it early. */
  error?: LlmError;
  /** The messages showing it, in order (none when nothing arrived). */
  eventIds: string[];
  ms: number;
}

/** Where to cut a part: the last line break in its second half, else the limit. */
function cutAt(text: string, limit: number): number {
  const nl = text.lastIndexOf('\n', limit);
  return nl > limit / 2 ? nl + 1 : limit;
}

export async function streamAnswer(r: AnswerRequest): Promise<AnswerResult> {
  const { ctx } = r;
  const limit = r.partChars ?? PART_CHARS;
  const header = r.header ?? '';
  const started = performance.now();
  const promptTokens = estimatePromptTokens(r.messages);
  const parts: StreamingMessage[] = [];
  let received = '';
  let partStart = 0;
  let deltas = 0;
  let usage: Usage | undefined;

  const partText = () => (parts.length <= 1 ? header : '') + received.slice(partStart);
  const open = async (text: string) => {
    const part = await ctx.stream(text, {
      render: renderMarkdown,
      intervalMs: r.intervalMs,
      part: `${r.key}:${parts.length + 1}`,
    });
    parts.push(part);
    await r.onPart?.(part.eventId);
  };
  /** Shows what arrived: the first message, an edit, or the next part. */
  const show = async () => {
    if (parts.length === 0) return open(partText());
    let text = partText();
    while (text.length > limit) {
      const cut = cutAt(text, limit);
      const done = parts.at(-1);
      done?.update(text.slice(0, cut));
      // The finished part lands in the background; the next one starts at once.
      done?.finish().catch((err: unknown) => ctx.log.warn({ err }, 'a part did not land'));
      partStart += cut - (parts.length <= 1 ? header.length : 0);
      await open(received.slice(partStart));
      text = partText();
    }
    parts.at(-1)?.update(text);
  };

  let status: AnswerResult['status'] = 'complete';
  let error: LlmError | undefined;
  try {
    for await (const c of r.llm.chat({
      model: r.model,
      messages: r.messages,
      maxTokens: r.maxTokens,
      signal: ctx.signal,
      ...(r.images?.length ? { images: r.images } : {}),
    })) {
      if ('delta' in c) {
        received += c.delta;
        deltas += 1;
        r.onCost(meteredCost({ promptTokens, completionTokens: deltas }, r.price));
        await show();
      } else usage = c.usage;
    }
  } catch (e) {
    error =
      e instanceof LlmError
        ? e
        : new LlmError(LlmErrorCode.BadResponse, e instanceof Error ? e.message : String(e), {
            received,
          });
    status = error.code === LlmErrorCode.Aborted ? 'stopped' : 'failed';
    // What the provider generated before it ended (estimated when it sent no counts).
    usage = received === '' ? undefined : (error.usage ?? { promptTokens, completionTokens: deltas });
  }
  const final = usage ?? { promptTokens: 0, completionTokens: 0 };
  r.onCost(received === '' && status !== 'complete' ? 0 : meteredCost(final, r.price));

  if (parts.length > 0) {
    const mark =
      status === 'complete'
        ? ''
        : status === 'stopped'
          ? ctx.t(
              ctx.signal.reason instanceof Error && ctx.signal.reason.name === 'TimeoutError'
                ? T.timedOut
                : T.stopped,
            )
          : ctx.t(T.brokeOff, { error: shortError(error) });
    const last = parts.at(-1);
    try {
      await last?.finish(partText() + (mark ? `\n\n*${mark}*` : ''));
    } catch (err) {
      ctx.log.warn({ err }, 'the final edit did not land');
    }
  }
  return {
    text: received,
    status,
    usage: final,
    ...(error ? { error } : {}),
    eventIds: parts.map((p) => p.eventId),
    ms: Math.round(performance.now() - started),
  };
}

/** An error for a room: the provider's words without our prefix, short. */
export function shortError(e: LlmError | undefined): string {
  if (!e) return '';
  const m = e.message.replace(/^[\w-]+( failed mid-stream)?: /, '');
  return m.length > 160 ? `${m.slice(0, 157)}…` : m;
}
