/** The help reply of a bot, or of one of its commands (`help <command>`), from its command table. */
import type { BotInfo, CommandContext } from '../bot.ts';
import { primaryAlias, signature, type CommandSpec } from '../commands.ts';
import { html, toReply, type Reply } from '../format.ts';
import { pick, type Lang } from '@mana/i18n';
import { TEXTS } from '../texts.ts';

export function helpReply(
  bot: BotInfo,
  commands: readonly CommandSpec<CommandContext>[],
  lang: Lang,
  topic?: string,
): Reply {
  const visible = commands.filter((c) => !c.hidden);
  if (topic) {
    const command = visible.find(
      (c) => c.name === topic || c.aliases.de.includes(topic) || c.aliases.en.includes(topic),
    );
    if (!command) return { text: pick(lang, TEXTS.unknownHelpTopic, { word: topic }) };
    const aliases = [...command.aliases.de, ...command.aliases.en].filter(
      (a) => a !== primaryAlias(command, lang),
    );
    const lines = [signature(command, lang), command.help[lang]];
    if (aliases.length > 0) lines.push(pick(lang, TEXTS.helpAliases, { aliases: aliases.join(', ') }));
    if (command.cost) lines.push(pick(lang, TEXTS.helpCost, { cost: command.cost }));
    return toReply(
      html`<p><code>${lines[0]}</code><br>${lines.slice(1).map((l, i) => (i === 0 ? l : html`<br>${l}`))}</p>`,
    );
  }
  const title = pick(lang, TEXTS.helpTitle, { name: bot.displayName });
  return toReply(
    html`<p><b>${title}</b></p><ul>${visible.map(
      (c) => html`<li><code>${signature(c, lang)}</code> — ${c.help[lang]}</li>`,
    )}</ul><p>${pick(lang, TEXTS.helpFooter)}</p>`,
  );
}
