/**
 * What a failed command tells the user, and which outcome the metrics count: the human part of
 * the error goes to the room, the rest to the log (never a stack trace in a room).
 */
import { formatCredits } from '@mana/credits';
import type { Logger } from '@mana/logging';
import type { CommandContext } from '../bot.ts';
import {
  CancelledError,
  CommandError,
  InsufficientCreditsError,
  NotLinkedError,
  TimeoutError,
} from '../errors.ts';
import type { Reply } from '../format.ts';
import { TEXTS } from '../texts.ts';

export type Outcome =
  | 'ok'
  | 'usage'
  | 'unknown'
  | 'not_linked'
  | 'insufficient_credits'
  | 'error'
  | 'timeout'
  | 'cancelled'
  | 'too_long'
  | 'empty'
  | 'help';

export function errorReply(
  err: unknown,
  ctx: CommandContext,
  o: { label: string; log: Logger },
): { reply: Reply; outcome: Outcome } {
  const ref = ctx.eventId;
  const where = { bot: ctx.bot.id, command: o.label, eventId: ref };
  if (err instanceof NotLinkedError) {
    return {
      reply: { text: ctx.t(TEXTS.notLinked, { user: ctx.sender, web: ctx.webUrl }) },
      outcome: 'not_linked',
    };
  }
  if (err instanceof InsufficientCreditsError) {
    return {
      reply: {
        text: ctx.t(TEXTS.insufficientCredits, {
          required: formatCredits(err.required, ctx.lang),
          available: formatCredits(err.available, ctx.lang),
          web: ctx.webUrl,
        }),
      },
      outcome: 'insufficient_credits',
    };
  }
  if (err instanceof CommandError) {
    o.log.info({ ...where, err: err.message }, 'command refused');
    return {
      reply: { text: typeof err.human === 'string' ? err.human : ctx.t(err.human) },
      outcome: 'error',
    };
  }
  if (err instanceof TimeoutError) {
    o.log.warn(where, 'command timed out');
    return { reply: { text: ctx.t(TEXTS.timeout, { ref }) }, outcome: 'timeout' };
  }
  if (err instanceof CancelledError) {
    o.log.info(where, 'command cancelled');
    return { reply: { text: ctx.t(TEXTS.cancelled) }, outcome: 'cancelled' };
  }
  o.log.error({ ...where, err }, 'command failed');
  return { reply: { text: ctx.t(TEXTS.failed, { ref }) }, outcome: 'error' };
}
