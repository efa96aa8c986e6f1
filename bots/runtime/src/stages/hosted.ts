/**
 * The bots this runner hosts, as the stages see them: the definition, the Matrix identity and the
 * command table with the built-in commands every bot has (`language`).
 */
import type { BotDefinition, BotInfo, CommandContext } from '../bot.ts';
import { buildAliasIndex, type CommandSpec } from '../commands.ts';
import { parseLang, pick } from '@mana/i18n';
import { TEXTS } from '../texts.ts';

export interface HostedBot {
  def: BotDefinition;
  info: BotInfo;
  commands: readonly CommandSpec<CommandContext>[];
  index: ReturnType<typeof buildAliasIndex<CommandContext>>;
}

/** Built into every bot: `language` / `sprache`. */
export const languageCommand: CommandSpec<CommandContext> = {
  name: 'language',
  aliases: { de: ['sprache'], en: ['language', 'lang'] },
  args: [{ name: 'lang', kind: 'word', optional: true, label: { de: 'de|en', en: 'de|en' } }],
  help: { de: 'Zeigt oder ändert deine Sprache (de, en).', en: 'Shows or changes your language (de, en).' },
  async run(ctx, args) {
    const raw = args.optionalStr('lang');
    if (raw === undefined) return ctx.t(TEXTS.languageCurrent);
    const lang = parseLang(raw);
    if (!lang) return ctx.t(TEXTS.languageUnknown);
    await ctx.setLanguage(lang);
    return pick(lang, TEXTS.languageSet);
  },
};

/** Built into every bot: `timezone` / `zeitzone`. */
export const timezoneCommand: CommandSpec<CommandContext> = {
  name: 'timezone',
  aliases: { de: ['zeitzone'], en: ['timezone', 'tz'] },
  args: [{ name: 'zone', kind: 'word', optional: true, label: { de: 'Zone', en: 'zone' } }],
  help: {
    de: 'Zeigt oder ändert deine Zeitzone (z. B. Europe/Berlin).',
    en: 'Shows or changes your time zone (e.g. Europe/Berlin).',
  },
  async run(ctx, args) {
    const raw = args.optionalStr('zone');
    if (raw === undefined)
      return ctx.t(TEXTS.timezoneCurrent, { zone: ctx.timezone, now: ctx.formatDate(ctx.now, 'weekday') });
    const zone = await ctx.setTimezone(raw);
    return ctx.t(TEXTS.timezoneSet, { zone, now: ctx.formatDate(ctx.now, 'weekday') });
  },
};

export function hostBots(defs: readonly BotDefinition[], serverName: string): HostedBot[] {
  return defs.map((def) => {
    const info: BotInfo = {
      id: def.id,
      userId: `@${def.localpart}:${serverName}`,
      displayName: def.displayName,
      description: def.description,
    };
    const builtIn = [languageCommand, timezoneCommand].filter(
      (b) => !def.commands.some((c) => c.name === b.name),
    );
    const commands = [...def.commands, ...builtIn];
    return { def, info, commands, index: buildAliasIndex(commands) };
  });
}
