/**
 * The greeting a bot sends once per room when it joins a DM on an invite: what it does, two or
 * three example commands and `help`, in the inviter's language. A bot may bring its own `welcome`.
 */
import type { BotInfo, CommandContext } from '../bot.ts';
import { signature, type CommandSpec } from '../commands.ts';
import type { Logger } from '@mana/logging';
import { errorMessage } from '../errors.ts';
import { html, noticeContent, toReply, type Html, type Reply } from '../format.ts';
import { pick, type Lang, type Text } from '@mana/i18n';
import { TEXTS } from '../texts.ts';
import type { Kv } from '../ports.ts';
import type { MatrixEvent } from '../state.ts';
import { makeContext, type ContextDeps } from './context.ts';
import { languageCommand, type HostedBot } from './hosted.ts';
import type { Languages } from './language.ts';
import type { Membership } from './membership.ts';

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

/**
 * Greets once per bot and room, when it joins a DM: the bot's `welcome`, else `welcomeReply`, in
 * the inviter's language. Best effort: a failed greeting is logged, the join stands.
 */
export function createGreeter(deps: {
  membership: Membership;
  kv: Kv;
  languages: Languages;
  contextDeps: ContextDeps;
  defaultTimezone: string;
  log: Logger;
  send: (bot: HostedBot, roomId: string, content: Record<string, unknown>, txnId: string) => Promise<unknown>;
}) {
  const { membership, kv, languages, log } = deps;
  return async function greet(bot: HostedBot, invite: MatrixEvent): Promise<void> {
    const roomId = invite.room_id;
    try {
      const direct =
        invite.content.is_direct === true || (await membership.memberCount(bot.info, roomId)) <= 2;
      if (!direct || !(await kv.setOnce(bot.info.id, `room:${roomId}`, 'welcomed', true))) return;
      const { lang, timezone } = await languages.of(bot.info, invite.sender);
      const ctx = makeContext(deps.contextDeps, {
        bot: bot.info,
        sender: invite.sender,
        roomId,
        eventId: invite.event_id,
        isDirect: true,
        lang,
        timezone: timezone ?? deps.defaultTimezone,
        readAfter: performance.now(),
        signal: new AbortController().signal,
      });
      const welcome = bot.def.welcome
        ? await bot.def.welcome(ctx)
        : welcomeReply(bot.info, bot.commands, bot.def.examples, lang);
      if (welcome !== undefined)
        await deps.send(bot, roomId, noticeContent(toReply(welcome)), `${invite.event_id}:welcome`);
    } catch (err) {
      log.warn({ bot: bot.info.id, roomId, err: errorMessage(err) }, 'greeting failed');
    }
  };
}
