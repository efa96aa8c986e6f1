/**
 * Stage 6, feedback while a command runs: a typing notice once it takes longer than
 * `typingAfterMs` (fast commands get none: two more requests and /sync wake-ups for everybody in
 * the room would only delay the reply), and a placeholder message after `progressAfterMs`, which
 * the reply then replaces (an edit) instead of arriving as a second message.
 */
import type { MatrixPort } from '../matrix.ts';
import type { Reply } from '../format.ts';
import { replyContent } from './reply.ts';

export interface Feedback {
  /** The placeholder's event id, once one was sent. */
  placeholder(): Promise<string | undefined>;
  /** Stops the timers and waits for a typing notice being switched on. */
  end(): Promise<void>;
  /** Switches typing off again if it was shown (best effort, not awaited). */
  clearTyping(): void;
  /** No placeholder from now on (the command shows its own progress: a streaming message). */
  quiet(): void;
}

export function startFeedback(o: {
  matrix: MatrixPort;
  botUserId: string;
  roomId: string;
  eventId: string;
  /** Makes the placeholder's transaction id (default: `eventId`). */
  txnKey?: string | undefined;
  threadRoot?: string | undefined;
  typingAfterMs: number;
  progressAfterMs: number;
  working: Reply;
  /** Called with the placeholder's event id (a ❌ on it cancels the command). */
  onPlaceholder?: (eventId: string) => void;
}): Feedback {
  let typingOn: Promise<void> | undefined;
  let placeholder: Promise<string | undefined> | undefined;
  const typingTimer = setTimeout(() => {
    typingOn = o.matrix.typing(o.botUserId, o.roomId, true);
  }, o.typingAfterMs);
  const progressTimer =
    o.progressAfterMs > 0
      ? setTimeout(() => {
          placeholder = o.matrix
            .send(
              o.botUserId,
              o.roomId,
              'm.room.message',
              replyContent(o.working, { inReplyTo: o.eventId, threadRoot: o.threadRoot }),
              `${o.txnKey ?? o.eventId}:progress`,
            )
            .then((id) => {
              o.onPlaceholder?.(id);
              return id;
            })
            .catch(() => undefined);
        }, o.progressAfterMs)
      : undefined;
  return {
    placeholder: async () => (placeholder ? await placeholder : undefined),
    async end() {
      clearTimeout(progressTimer);
      clearTimeout(typingTimer);
      await typingOn;
    },
    clearTyping() {
      if (typingOn) void o.matrix.typing(o.botUserId, o.roomId, false);
    },
    quiet() {
      clearTimeout(progressTimer);
    },
  };
}
