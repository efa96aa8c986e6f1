/**
 * Stage 3, parsing: the command text against the bot's command table (aliases in both languages,
 * typed arguments), or the fallback for plain text. Parses that need no code to answer (help, a
 * usage line, an unknown word, a message too long to be a command) are answered here.
 */
import type { CommandContext } from '../bot.ts';
import { parseCommand, usageLine, type Args, type CommandSpec, type ParseResult } from '../commands.ts';
import type { Reply } from '../format.ts';
import { pick, type Lang } from '@mana/i18n';
import { TEXTS } from '../texts.ts';
import { helpReply } from './help.ts';
import type { MatrixEvent } from '../state.ts';
import type { Addressed } from './addressing.ts';
import { languageCommand, type HostedBot } from './hosted.ts';
import type { Job } from './pipeline.ts';

export type Parsed = ParseResult<CommandContext> | { kind: 'too_long'; bytes: number };

export function parse(bot: HostedBot, text: string, maxBytes: number): Parsed {
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) return { kind: 'too_long', bytes };
  return parseCommand(bot.index, text, {
    fallback: bot.def.fallback !== undefined,
    ...(bot.def.fallbackWords ? { fallbackWords: bot.def.fallbackWords } : {}),
  });
}

/** The language the words were written in, when the parse tells (an alias is German or English). */
export function languageHint(parsed: Parsed): Lang | undefined {
  return 'lang' in parsed ? parsed.lang : undefined;
}

/** The metrics label of a parse. */
export function labelOf(parsed: Parsed): string {
  if (parsed.kind === 'command' || parsed.kind === 'usage') return parsed.command.name;
  return parsed.kind;
}

export type ImmediateOutcome = 'help' | 'unknown' | 'usage' | 'too_long' | 'empty';

/** The answer of a parse that runs no bot code, or undefined for a command or the fallback. */
export function immediateReply(
  bot: HostedBot,
  parsed: Parsed,
  lang: Lang,
  maxBytes: number,
): { reply: Reply; outcome: ImmediateOutcome } | undefined {
  switch (parsed.kind) {
    case 'too_long':
      return {
        reply: { text: pick(lang, TEXTS.tooLong, { bytes: parsed.bytes, max: maxBytes }) },
        outcome: 'too_long',
      };
    case 'help':
      return { reply: helpReply(bot.info, bot.commands, lang, parsed.topic), outcome: 'help' };
    case 'unknown':
      return {
        reply: { text: pick(lang, TEXTS.unknown, { word: parsed.word.slice(0, 64) }) },
        outcome: 'unknown',
      };
    case 'usage':
      return { reply: { text: usageLine(parsed.command, lang) }, outcome: 'usage' };
    case 'empty':
      // An empty message (or a bare mention) gets a hint rather than silence.
      return { reply: { text: pick(lang, TEXTS.empty) }, outcome: 'empty' };
    default:
      return undefined;
  }
}

/** A command's operation: chosen at run time (`operation`), or its fixed `cost`. */
function operationOf(command: CommandSpec<CommandContext>, args: Args) {
  const choose = command.operation;
  return choose ? (ctx: CommandContext) => choose(ctx, args) : command.cost;
}

/**
 * The pipeline's job for a text addressed to the bot: a command or the fallback runs the bot's
 * code; help, usage lines, unknown words and empty text are answered without it.
 */
export function textJob(
  bot: HostedBot,
  event: MatrixEvent,
  addressed: Addressed,
  isDirect: boolean,
  maxBytes: number,
): Job {
  const parsed = parse(bot, addressed.text, maxBytes);
  const fallback = bot.def.fallback;
  return {
    bot,
    event,
    addressed,
    isDirect,
    label: labelOf(parsed),
    hint: languageHint(parsed),
    mayChooseLanguage: !(parsed.kind === 'command' && parsed.command.name === languageCommand.name),
    prefetch: parsed.kind === 'command' || parsed.kind === 'fallback',
    immediate: (lang) => immediateReply(bot, parsed, lang, maxBytes),
    ...(parsed.kind === 'command'
      ? {
          work: (ctx) => Promise.resolve(parsed.command.run(ctx, parsed.args)),
          operation: operationOf(parsed.command, parsed.args),
        }
      : parsed.kind === 'fallback' && fallback
        ? {
            work: (ctx) => fallback(ctx, parsed.text),
            operation: (ctx) => {
              const cost = bot.def.fallbackCost;
              return typeof cost === 'function' ? cost(ctx, parsed.text) : cost;
            },
          }
        : {}),
  };
}
