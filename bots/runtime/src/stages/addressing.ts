/**
 * Stage 2, addressing: is a message meant for this bot, and what is the text of the command? In a
 * DM everything is; in a group room the bot must be addressed by a prefix (`todo: …`, `!todo …`,
 * `@todo …`, its display name) or a mention (`m.mentions`, a pill; replying to the bot mentions it
 * too). A message in a thread is answered in that thread.
 */
import type { BotInfo } from '../bot.ts';
import type { MatrixEvent } from '../state.ts';

export interface Addressed {
  text: string;
  /** The thread root when the message was sent in a thread (`m.thread`). */
  threadRoot?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The text meant for `bot` in a group room, or undefined when the bot is not addressed: a prefix
 * (`todo: …`, `!todo …`, `@todo …`, the display name) or a mention (`m.mentions`, a pill).
 */
export function addressedText(bot: BotInfo, content: Record<string, unknown>): string | undefined {
  const body = str(content.body) ?? '';
  const localpart = bot.userId.slice(1).split(':')[0] ?? bot.id;
  const names = [...new Set([bot.userId, localpart, bot.displayName])].map(escapeRegex).join('|');
  const prefix = new RegExp(`^\\s*[!@]?(?:${names})(?::\\S+)?\\s*[:,]?\\s*`, 'iu');
  const m = prefix.exec(body);
  // A bare word like "todo" followed by no separator is only an address if something follows.
  if (
    m &&
    m[0].length > 0 &&
    (/[:,\s]$/.test(m[0]) || m[0].trim().startsWith('!') || m[0].trim().startsWith('@'))
  ) {
    const rest = body.slice(m[0].length);
    if (rest.trim() !== '' || /[:,]/.test(m[0])) return rest;
  }
  const mentions = obj(content['m.mentions']);
  const ids = Array.isArray(mentions?.user_ids) ? mentions.user_ids : [];
  const formatted = str(content.formatted_body) ?? '';
  const pill =
    formatted.includes(`matrix.to/#/${bot.userId}`) ||
    formatted.includes(`matrix.to/#/${encodeURIComponent(bot.userId)}`);
  if (ids.includes(bot.userId) || pill) {
    return body.replace(new RegExp(`(?:${names})\\s*[:,]?\\s*`, 'iu'), '');
  }
  return undefined;
}

/** The thread a message belongs to (`m.relates_to.rel_type = m.thread`), if any. */
export function threadRootOf(content: Record<string, unknown>): string | undefined {
  const rel = obj(content['m.relates_to']);
  return str(rel?.rel_type) === 'm.thread' ? str(rel?.event_id) : undefined;
}

/** Stage 2 for one bot and one message: the command text and thread, or undefined (not for us). */
export function address(bot: BotInfo, event: MatrixEvent, isDirect: boolean): Addressed | undefined {
  const body = str(event.content.body);
  if (body === undefined) return undefined;
  const text = isDirect ? body : addressedText(bot, event.content);
  if (text === undefined) return undefined;
  const threadRoot = threadRootOf(event.content);
  return threadRoot ? { text, threadRoot } : { text };
}
