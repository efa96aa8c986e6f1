/**
 * `stop` as a message: a message of only one of these words (addressed to a bot) cancels the
 * sender's running commands in the room, as ❌ on one of them does. The runner takes such a message
 * out of the room's queue, or it would wait behind the very command it is meant to stop.
 */
import type { MatrixEvent } from '../state.ts';

const STOP_WORDS = new Set(['stop', 'stopp', 'abbrechen', 'cancel']);

export const isStopWord = (text: string): boolean =>
  STOP_WORDS.has(text.trim().replace(/^[!/]/, '').toLowerCase());

/** True for a message that may be `stop` (no I/O: its last word is a stop word). */
export function mayStop(event: MatrixEvent): boolean {
  const body = (event.content as Record<string, unknown> | null)?.body;
  return (
    event.type === 'm.room.message' &&
    typeof body === 'string' &&
    body.length <= 80 &&
    isStopWord(body.split(/\s+/).at(-1) ?? '')
  );
}
