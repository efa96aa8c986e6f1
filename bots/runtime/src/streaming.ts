/**
 * One message that grows while work runs (an LLM answer, a countdown): sent once, then edited
 * (`m.replace`) at most once per interval, however often it is updated. Updates in between are
 * coalesced (only the newest text is sent); the final text always lands, after any edit in flight,
 * and a rate limit (`M_LIMIT_EXCEEDED`) delays edits by what the server asks instead of dropping them.
 */
import { noticeContent } from './format.ts';
import type { MatrixPort } from './matrix.ts';
import { classifyMatrixError } from './retry.ts';

export interface StreamingMessageOptions {
  matrix: Pick<MatrixPort, 'send'>;
  /** The bot user sending. */
  userId: string;
  roomId: string;
  /** The first text, sent at once. */
  initial: string;
  /** Content of the message for a text; default an `m.notice` (in reply to `inReplyTo`). */
  content?: (text: string) => Record<string, unknown>;
  /** Event the first message replies to (only for the default content). */
  inReplyTo?: string;
  /** At most one edit per this many ms. Default 1000. */
  intervalMs?: number;
  /** Makes the first send idempotent (a re-run after a crash does not post twice). */
  txnKey?: string;
  /** How long `finish` keeps trying to land the final text through rate limits. Default 120 s. */
  finishTimeoutMs?: number;
  /** An intermediate edit failed (it is retried with the next update; `finish` throws instead). */
  onError?: (err: unknown) => void;
  now?: () => number;
}

export interface StreamingMessage {
  /** The event id of the message (edits relate to it). */
  readonly eventId: string;
  /** Edits sent so far (not counting the first message). */
  readonly edits: number;
  /** The newest text; sent with the next edit the interval allows. Ignored after `finish`. */
  update(text: string): void;
  /**
   * Lands the final text (default: the newest update): waits for an edit in flight, then sends the
   * final one if it differs from what the room shows, within the interval. Throws when it cannot.
   */
  finish(text?: string): Promise<void>;
}

/**
 * The content of an edit: `m.new_content` is the full new message (without relations); the outer
 * fields are the `* ` fallback for clients that do not know edits.
 */
export function replaceContent(
  content: Record<string, unknown>,
  originalEventId: string,
): Record<string, unknown> {
  const fresh: Record<string, unknown> = { ...content };
  delete fresh['m.relates_to'];
  delete fresh['m.mentions'];
  return {
    ...fresh,
    ...(typeof fresh.body === 'string' ? { body: `* ${fresh.body}` } : {}),
    ...(typeof fresh.formatted_body === 'string' ? { formatted_body: `* ${fresh.formatted_body}` } : {}),
    'm.new_content': fresh,
    'm.relates_to': { rel_type: 'm.replace', event_id: originalEventId },
    'm.mentions': {},
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const msg = await createStreamingMessage({ matrix, userId: botId, roomId, initial: '…', inReplyTo: eventId });
 * for await (const chunk of llm) msg.update((text += chunk));
 * await msg.finish(text);
 */
export async function createStreamingMessage(options: StreamingMessageOptions): Promise<StreamingMessage> {
  const { matrix, userId, roomId } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const build =
    options.content ??
    ((text: string): Record<string, unknown> => ({ ...noticeContent({ text }, options.inReplyTo) }));

  const eventId = await matrix.send(userId, roomId, 'm.room.message', build(options.initial), options.txnKey);

  let latest = options.initial;
  let landed = options.initial;
  let lastSentAt = now();
  /** Set by a rate limit: no edit before this instant. */
  let blockedUntil = 0;
  let edits = 0;
  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: Promise<unknown> | undefined;

  const waitMs = () => Math.max(0, lastSentAt + intervalMs - now(), blockedUntil - now());

  /** Sends the newest text as an edit; resolves with the error when it failed (never rejects). */
  const sendLatest = async (): Promise<unknown> => {
    const text = latest;
    if (text === landed) return undefined;
    lastSentAt = now();
    try {
      await matrix.send(userId, roomId, 'm.room.message', replaceContent(build(text), eventId));
      landed = text;
      edits++;
      return undefined;
    } catch (err) {
      const decision = classifyMatrixError(err);
      if (decision.retry) blockedUntil = now() + (decision.delayMs ?? intervalMs);
      return err;
    }
  };

  const schedule = () => {
    if (finished || timer || inflight || latest === landed) return;
    timer = setTimeout(() => {
      timer = undefined;
      const p = sendLatest().then((err) => {
        if (err !== undefined) options.onError?.(err);
      });
      inflight = p;
      void p.finally(() => {
        if (inflight === p) inflight = undefined;
        schedule();
      });
    }, waitMs());
  };

  return {
    eventId,
    get edits() {
      return edits;
    },
    update(text) {
      if (finished) return;
      latest = text;
      schedule();
    },
    async finish(text) {
      finished = true;
      if (text !== undefined) latest = text;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inflight;
      const deadline = now() + (options.finishTimeoutMs ?? 120_000);
      while (latest !== landed) {
        const wait = waitMs();
        if (now() + wait > deadline)
          throw new Error('streaming message: the final edit did not land in time');
        if (wait > 0) await sleep(wait);
        const err = await sendLatest();
        if (err !== undefined && !classifyMatrixError(err).retry)
          throw err instanceof Error
            ? err
            : new Error('streaming message: final edit failed', { cause: err });
      }
    },
  };
}
