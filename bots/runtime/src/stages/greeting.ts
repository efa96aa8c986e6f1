/**
 * The greeting a bot sends once per room when it joins a DM on an invite: what it does, two or
 * three example commands and `help`, in the inviter's language. A bot may bring its own `welcome`.
 */
import type { BotInfo, CommandContext } from '../bot.ts';
import { signature, type CommandSpec } from '../commands.ts';
import { html, toReply, type Html, type Reply } from '../format.ts';
import { pick, type Lang, type Text } from '@mana/i18n';
import { TEXTS } from '../texts.ts';
import { languageCommand } from './hosted.ts';

/** The end of every greeting: two or three example commands and how to get help. */
export function welcomeFooter(lang: Lang, examples: readonly Text[]): Html {
  return html`${
    examples.length > 0
      ? html`<p>${pick(lang, TEXTS.welcomeExamples)}</p><ul>${examples.map((e) => html`<li><code>${e[lang]}</code></li>`)}</ul>`
      : ''
  }<p>${pick(lang, TEXTS.welcomeHelp)}</p>`;
}

/**
 * The greeting of a bot without its own `welcome`: what it does, example commands (its `examples`,
 * else its first three commands) and `help`.
 */
export function welcomeReply(
  bot: BotInfo,
  commands: readonly CommandSpec<CommandContext>[],
  examples: readonly Text[] | undefined,
  lang: Lang,
): Reply {
  const shown =
    examples ??
    commands
      .filter((c) => !c.hidden && c.name !== languageCommand.name)
      .slice(0, 3)
      .map((c) => ({ de: signature(c, 'de'), en: signature(c, 'en') }));
  return toReply(
    html`<p>${pick(lang, TEXTS.welcomeIntro, { name: bot.displayName, description: bot.description[lang] })}</p>${welcomeFooter(lang, shown)}`,
  );
}
