/**
 * From an appservice event to a bot's reply: membership (auto-join), encrypted-room notice,
 * addressing in group rooms, parsing against the bot's command table, language, identity, credits
 * bracketing, typing, placeholder-then-edit for long work, and the reply itself. A failing command
 * never escapes: it becomes a reply and a metric.
 */
import type { Logger } from '@mana/logging';
import type { BotDefinition, BotInfo, CommandContext, Json, JobContext } from './bot.ts';
import {
  buildAliasIndex,
  parseCommand,
  primaryAlias,
  signature,
  usageLine,
  type CommandSpec,
} from './commands.ts';
import { CommandError, errorMessage, InsufficientCreditsError, NotLinkedError } from './errors.ts';
import {
  editContent,
  html,
  noticeContent,
  reactionContent,
  toReply,
  withNote,
  type Html,
  type Reply,
  type ReplyInput,
} from './format.ts';
import { isLang, parseLang, pick, type Lang, type Text } from './i18n.ts';
import type { MatrixPort } from './matrix.ts';
import type { BotMetrics } from './metrics.ts';
import type { Accounts, Credits, Identity, Kv, Scheduler, Stores, UserSettings } from './ports.ts';
import type { MatrixEvent } from './state.ts';
import { TEXTS } from './texts.ts';

export interface DispatcherOptions {
  bots: readonly BotDefinition[];
  /** Bots to list in the hub's help (default: the hosted ones). */
  knownBots?: readonly BotInfo[];
  serverName: string;
  /** Senders matching this (every bot of the registration) are ignored. */
  namespace: RegExp;
  matrix: MatrixPort;
  kv: Kv;
  identity: Identity;
  stores: Stores;
  credits: Credits;
  settings: UserSettings;
  accounts?: Accounts;
  scheduler: Scheduler;
  /** Records a job as fired; false when it already was. `unclaimJob` undoes it when posting failed. */
  claimJob: (jobId: string) => Promise<boolean>;
  unclaimJob: (jobId: string) => Promise<void>;
  metrics: BotMetrics;
  log: Logger;
  defaultLanguage: Lang;
  defaultTimezone: string;
  webUrl: string;
  inviteAllowList: readonly string[];
  progressAfterMs: number;
  /**
   * A command still running after this long shows a typing notice (default 500 ms). Fast commands
   * get none: two more requests to Synapse and two more /sync wake-ups for every client in the
   * room would only delay the reply.
   */
  typingAfterMs?: number;
  commandTimeoutMs: number;
  maxMessageBytes: number;
  creditsAudience: string;
  now?: () => Date;
}

export interface Dispatcher {
  readonly hosted: readonly BotInfo[];
  /** Registers the bot users and sets their profiles. */
  start(): Promise<void>;
  handle(event: MatrixEvent): Promise<'handled' | 'ignored'>;
  /**
   * False for an event `handle` would ignore whatever the state (no I/O): the bots' own messages
   * (every reply comes back in a transaction) and types other than messages and memberships.
   * Such events need not be stored.
   */
  wants(event: MatrixEvent): boolean;
  runJob(job: { botId: string; name: string; jobId: string; data: unknown }): Promise<void>;
}

interface HostedBot {
  def: BotDefinition;
  info: BotInfo;
  index: ReturnType<typeof buildAliasIndex<CommandContext>>;
  commands: readonly CommandSpec<CommandContext>[];
}

const MEMBER_TTL_MS = 30_000;

/** Built into every bot: `language` / `sprache`. */
const languageCommand: CommandSpec<CommandContext> = {
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

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
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
    const withoutName = body.replace(new RegExp(`(?:${names})\\s*[:,]?\\s*`, 'iu'), '');
    return withoutName;
  }
  return undefined;
}

export function isInviteAllowed(sender: string, allow: readonly string[]): boolean {
  if (allow.length === 0) return true;
  const domain = sender.slice(sender.indexOf(':'));
  return allow.some((entry) => entry === sender || (entry.startsWith(':') && entry === domain));
}

/** The help reply of one bot, or of one command (`help <command>`). */
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

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return p;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

class TimeoutError extends Error {
  constructor() {
    super('command timed out');
    this.name = 'TimeoutError';
  }
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { matrix, kv, log, metrics } = options;
  const now = options.now ?? (() => new Date());
  const hosted: HostedBot[] = options.bots.map((def) => {
    const info: BotInfo = {
      id: def.id,
      userId: `@${def.localpart}:${options.serverName}`,
      displayName: def.displayName,
      description: def.description,
    };
    const commands = def.commands.some((c) => c.name === 'language')
      ? def.commands
      : [...def.commands, languageCommand];
    return { def, info, commands, index: buildAliasIndex(commands) };
  });
  const byUserId = new Map(hosted.map((b) => [b.info.userId, b]));
  const knownBots = options.knownBots ?? hosted.map((b) => b.info);

  // Room membership of our bots and member counts, cached; member events keep them fresh.
  const membership = new Map<string, boolean>();
  const memberCounts = new Map<string, { count: number; at: number }>();

  async function isMember(bot: HostedBot, roomId: string): Promise<boolean> {
    const key = `${bot.info.userId}|${roomId}`;
    const cached = membership.get(key);
    if (cached !== undefined) return cached;
    const stored = await kv.get<string>(bot.info.id, `room:${roomId}`, 'membership');
    let joined: boolean;
    if (stored !== undefined) joined = stored === 'join';
    else {
      joined = await matrix
        .joinedMembers(bot.info.userId, roomId)
        .then((m) => m.includes(bot.info.userId))
        .catch(() => false);
    }
    membership.set(key, joined);
    return joined;
  }

  async function setMembership(bot: HostedBot, roomId: string, joined: boolean): Promise<void> {
    membership.set(`${bot.info.userId}|${roomId}`, joined);
    await kv.set(bot.info.id, `room:${roomId}`, 'membership', joined ? 'join' : 'leave');
  }

  async function memberCount(bot: HostedBot, roomId: string): Promise<number> {
    const cached = memberCounts.get(roomId);
    if (cached && Date.now() - cached.at < MEMBER_TTL_MS) return cached.count;
    const members = await matrix.joinedMembers(bot.info.userId, roomId);
    memberCounts.set(roomId, { count: members.length, at: Date.now() });
    return members.length;
  }

  async function send(
    bot: HostedBot,
    roomId: string,
    content: Record<string, unknown>,
    txnKey?: string,
    type = 'm.room.message',
  ) {
    return matrix.send(bot.info.userId, roomId, type, content, txnKey);
  }

  async function onMember(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    memberCounts.delete(event.room_id);
    const bot = event.state_key ? byUserId.get(event.state_key) : undefined;
    if (!bot) return 'ignored';
    const m = str(event.content.membership);
    if (m === 'invite') {
      if (options.namespace.test(event.sender)) return 'ignored';
      if (!isInviteAllowed(event.sender, options.inviteAllowList)) {
        log.info(
          { bot: bot.info.id, sender: event.sender, roomId: event.room_id },
          'invite refused (allow-list)',
        );
        return 'ignored';
      }
      await matrix.join(bot.info.userId, event.room_id);
      await setMembership(bot, event.room_id, true);
      log.info({ bot: bot.info.id, sender: event.sender, roomId: event.room_id }, 'joined on invite');
      await greet(bot, event);
      return 'handled';
    }
    if (m === 'join') await setMembership(bot, event.room_id, true);
    else if (m === 'leave' || m === 'ban') await setMembership(bot, event.room_id, false);
    return 'handled';
  }

  /** Once per bot and room, when it joins a DM: what it does, examples, `help`. Best effort. */
  async function greet(bot: HostedBot, invite: MatrixEvent): Promise<void> {
    const roomId = invite.room_id;
    try {
      const direct = invite.content.is_direct === true || (await memberCount(bot, roomId)) <= 2;
      if (!direct) return;
      if (!(await kv.setOnce(bot.info.id, `room:${roomId}`, 'welcomed', true))) return;
      const settings = await userSettings(invite.sender);
      const lang =
        settings?.language ?? (await rememberedLang(bot, invite.sender)) ?? options.defaultLanguage;
      const timezone = settings?.timezone ?? options.defaultTimezone;
      const ctx = makeContext(bot, invite, lang, timezone, true, performance.now());
      const welcome = bot.def.welcome
        ? await bot.def.welcome(ctx)
        : welcomeReply(bot.info, bot.commands, bot.def.examples, lang);
      if (welcome === undefined) return;
      await send(bot, roomId, noticeContent(toReply(welcome)), `${invite.event_id}:welcome`);
    } catch (err) {
      log.warn({ bot: bot.info.id, roomId, err: errorMessage(err) }, 'greeting failed');
    }
  }

  async function onEncrypted(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    let any = false;
    for (const bot of hosted) {
      if (!(await isMember(bot, event.room_id))) continue;
      // Once per bot and room, however many encrypted messages arrive.
      if (!(await kv.setOnce(bot.info.id, `room:${event.room_id}`, 'e2ee-notice', true))) continue;
      const lang = await userLang(event.sender);
      await send(
        bot,
        event.room_id,
        noticeContent({ text: pick(lang, TEXTS.encrypted, { web: options.webUrl }) }),
        `${event.event_id}:e2ee`,
      );
      any = true;
    }
    return any ? 'handled' : 'ignored';
  }

  type Settings = Awaited<ReturnType<UserSettings['get']>>;
  type SettingsRead = { kind: 'ok'; value: Settings } | { kind: 'not_linked' } | { kind: 'failed' };

  async function readSettings(userId: string): Promise<SettingsRead> {
    try {
      return { kind: 'ok', value: await options.settings.get(userId) };
    } catch (err) {
      if (err instanceof NotLinkedError) return { kind: 'not_linked' };
      log.warn({ err: errorMessage(err), userId }, 'could not read settings');
      return { kind: 'failed' };
    }
  }

  async function userSettings(userId: string): Promise<Settings> {
    const read = await readSettings(userId);
    return read.kind === 'ok' ? read.value : undefined;
  }

  /** A language kept by this bot for a user without settings of their own (no linked account). */
  async function rememberedLang(bot: HostedBot, userId: string): Promise<Lang | undefined> {
    const v = await kv.get<string>(bot.info.id, `user:${userId}`, 'language').catch(() => undefined);
    return isLang(v) ? v : undefined;
  }

  /** Stores a language: in the user's settings, or (no linked account) with this bot. */
  async function storeLang(bot: HostedBot, userId: string, lang: Lang): Promise<void> {
    try {
      await options.settings.setLanguage(userId, lang);
    } catch (err) {
      if (!(err instanceof NotLinkedError)) throw err;
      await kv.set(bot.info.id, `user:${userId}`, 'language', lang);
    }
  }

  async function userLang(userId: string, hint?: Lang): Promise<Lang> {
    return (await userSettings(userId))?.language ?? hint ?? options.defaultLanguage;
  }

  function makeContext(
    bot: HostedBot,
    event: MatrixEvent,
    lang: Lang,
    timezone: string,
    isDirect: boolean,
    readAfter: number,
  ): CommandContext {
    const sender = event.sender;
    const ctx: CommandContext = {
      bot: bot.info,
      bots: knownBots,
      sender,
      roomId: event.room_id,
      eventId: event.event_id,
      isDirect,
      lang,
      timezone,
      now: now(),
      log: log.child({ bot: bot.info.id, eventId: event.event_id }),
      webUrl: options.webUrl,
      t: (text, params) => pick(ctx.lang, text, params),
      // One pull per app and command (shared with the prefetch), not one per read.
      store: (appId) => options.stores.forUser(sender, appId, { readAfter }),
      state: {
        get: (key) => kv.get(bot.info.id, `user:${sender}`, key),
        set: (key, value) => kv.set(bot.info.id, `user:${sender}`, key, value),
      },
      credits: {
        balance: async () =>
          options.credits.balance(await options.identity.tokenFor(sender, options.creditsAudience)),
        transactions: async (limit) =>
          options.credits.transactions(
            await options.identity.tokenFor(sender, options.creditsAudience),
            limit,
          ),
      },
      async setLanguage(l) {
        await storeLang(bot, sender, l);
        ctx.lang = l;
      },
      async account() {
        const d = await options.accounts?.describe(sender).catch((err: unknown) => {
          if (err instanceof NotLinkedError) return undefined;
          throw err;
        });
        return d ? { userId: sender, ...d } : undefined;
      },
      schedule: (name, data, o) =>
        options.scheduler.schedule({ botId: bot.info.id, name, data, jobId: o.jobId, at: o.at }),
      cancel: (jobId) => options.scheduler.cancel(jobId),
      async react(key) {
        await send(
          bot,
          event.room_id,
          reactionContent(event.event_id, key),
          `${event.event_id}:react:${key}`,
          'm.reaction',
        );
      },
    };
    return ctx;
  }

  type Outcome =
    | 'ok'
    | 'usage'
    | 'unknown'
    | 'not_linked'
    | 'insufficient_credits'
    | 'error'
    | 'timeout'
    | 'too_long'
    | 'help';

  async function runCommand(
    bot: HostedBot,
    event: MatrixEvent,
    ctx: CommandContext,
    label: string,
    work: () => Promise<ReplyInput | undefined>,
    cost?: string,
  ): Promise<{ reply: Reply | undefined; outcome: Outcome }> {
    let reservation: { id: string; amount: number; token: string } | undefined;
    try {
      // A free operation (cost 0 in the catalogue) is not bracketed: no ledger entries, no round trips.
      if (cost && options.credits.cost(cost) > 0) {
        const token = await options.identity.tokenFor(event.sender, options.creditsAudience);
        const r = await options.credits.reserve(token, {
          operation: cost,
          idempotencyKey: event.event_id,
          reference: event.event_id,
        });
        reservation = { id: r.reservationId, amount: r.amount, token };
      }
      const result = await withTimeout(work(), options.commandTimeoutMs);
      if (reservation) {
        await options.credits.commit(reservation.token, reservation.id);
        metrics.creditsCharged.inc({ bot: bot.info.id, operation: cost ?? '' }, reservation.amount);
      }
      return { reply: result === undefined ? undefined : toReply(result), outcome: 'ok' };
    } catch (err) {
      if (reservation) {
        const r = reservation;
        await options.credits
          .release(r.token, r.id)
          .catch((e: unknown) => log.warn({ err: errorMessage(e) }, 'release failed'));
      }
      const ref = event.event_id;
      if (err instanceof NotLinkedError) {
        return {
          reply: { text: ctx.t(TEXTS.notLinked, { user: event.sender, web: options.webUrl }) },
          outcome: 'not_linked',
        };
      }
      if (err instanceof InsufficientCreditsError) {
        const fmt = (m: number) =>
          (m / 1000).toLocaleString(ctx.lang === 'de' ? 'de-DE' : 'en-US', { maximumFractionDigits: 3 });
        return {
          reply: {
            text: ctx.t(TEXTS.insufficientCredits, {
              required: fmt(err.required),
              available: fmt(err.available),
              web: options.webUrl,
            }),
          },
          outcome: 'insufficient_credits',
        };
      }
      if (err instanceof CommandError) {
        log.info({ bot: bot.info.id, command: label, err: err.message }, 'command refused');
        return {
          reply: { text: typeof err.human === 'string' ? err.human : ctx.t(err.human) },
          outcome: 'error',
        };
      }
      if (err instanceof TimeoutError) {
        log.warn({ bot: bot.info.id, command: label, eventId: ref }, 'command timed out');
        return { reply: { text: ctx.t(TEXTS.timeout, { ref }) }, outcome: 'timeout' };
      }
      log.error({ bot: bot.info.id, command: label, eventId: ref, err }, 'command failed');
      return { reply: { text: ctx.t(TEXTS.failed, { ref }) }, outcome: 'error' };
    }
  }

  async function onMessage(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    const content = event.content;
    if (str(content.msgtype) !== 'm.text') return 'ignored';
    const relates = obj(content['m.relates_to']);
    if (str(relates?.rel_type) === 'm.replace') return 'ignored';
    const body = str(content.body);
    if (body === undefined) return 'ignored';
    let handled = false;
    for (const bot of hosted) {
      if (!(await isMember(bot, event.room_id))) continue;
      const isDirect = (await memberCount(bot, event.room_id)) <= 2;
      const text = isDirect ? body : addressedText(bot.info, content);
      if (text === undefined) continue;
      handled = true;
      await handleText(bot, event, text, isDirect);
    }
    return handled ? 'handled' : 'ignored';
  }

  async function handleText(
    bot: HostedBot,
    event: MatrixEvent,
    text: string,
    isDirect: boolean,
  ): Promise<void> {
    const started = performance.now();
    const bytes = Buffer.byteLength(text);
    const parsed =
      bytes > options.maxMessageBytes
        ? undefined
        : parseCommand(bot.index, text, {
            fallback: bot.def.fallback !== undefined,
            ...(bot.def.fallbackWords ? { fallbackWords: bot.def.fallbackWords } : {}),
          });
    if (parsed?.kind === 'empty') return;
    const hint = parsed && 'lang' in parsed ? parsed.lang : undefined;
    // Independent reads run side by side: the bot's data starts pulling (for a command that runs
    // code) while the user's settings and a language this bot remembers for them are read.
    if (parsed?.kind === 'command' || parsed?.kind === 'fallback')
      for (const app of bot.def.apps ?? []) options.stores.prefetch?.(event.sender, app);
    const remembered = rememberedLang(bot, event.sender);
    const read = await readSettings(event.sender);
    const settings = read.kind === 'ok' ? read.value : undefined;
    let lang = settings?.language ?? (await remembered) ?? options.defaultLanguage;
    // Chosen while they had no account, now linked: the settings learn it (every bot, the web app).
    if (read.kind === 'ok' && settings?.language === undefined && (await remembered) !== undefined)
      await storeLang(bot, event.sender, lang).catch((err: unknown) =>
        log.warn({ err: errorMessage(err), userId: event.sender }, 'could not store the language'),
      );
    // A user without a language: the first message that shows one sets it, and its reply says
    // how to switch. (Not when the settings could not be read: that would overwrite them.)
    let chosen = false;
    const isLanguageCommand = parsed?.kind === 'command' && parsed.command.name === languageCommand.name;
    if (
      hint &&
      !isLanguageCommand &&
      settings?.language === undefined &&
      read.kind !== 'failed' &&
      (await remembered) === undefined
    ) {
      lang = hint;
      chosen = await storeLang(bot, event.sender, hint).then(
        () => true,
        (err: unknown) => {
          log.warn({ err: errorMessage(err), userId: event.sender }, 'could not store the language');
          return false;
        },
      );
    }
    const ctx = makeContext(
      bot,
      event,
      lang,
      settings?.timezone ?? options.defaultTimezone,
      isDirect,
      started,
    );

    let label: string;
    let result: { reply: Reply | undefined; outcome: Outcome };
    let placeholder: Promise<string | undefined> | undefined;
    let typingOn: Promise<void> | undefined;
    const typingAfterMs = options.typingAfterMs ?? 500;
    const typingTimer = setTimeout(() => {
      typingOn = matrix.typing(bot.info.userId, event.room_id, true);
    }, typingAfterMs);
    const timer =
      options.progressAfterMs > 0
        ? setTimeout(() => {
            placeholder = send(
              bot,
              event.room_id,
              noticeContent({ text: ctx.t(TEXTS.working) }, event.event_id),
              `${event.event_id}:progress`,
            ).catch(() => undefined);
          }, options.progressAfterMs)
        : undefined;
    try {
      if (!parsed) {
        label = 'too_long';
        result = {
          reply: { text: ctx.t(TEXTS.tooLong, { bytes, max: options.maxMessageBytes }) },
          outcome: 'too_long',
        };
      } else if (parsed.kind === 'help') {
        label = 'help';
        result = { reply: helpReply(bot.info, bot.commands, lang, parsed.topic), outcome: 'help' };
      } else if (parsed.kind === 'unknown') {
        label = 'unknown';
        result = {
          reply: { text: ctx.t(TEXTS.unknown, { word: parsed.word.slice(0, 64) }) },
          outcome: 'unknown',
        };
      } else if (parsed.kind === 'usage') {
        label = parsed.command.name;
        result = { reply: { text: usageLine(parsed.command, lang) }, outcome: 'usage' };
      } else if (parsed.kind === 'fallback') {
        label = 'fallback';
        const fallback = bot.def.fallback;
        result = await runCommand(bot, event, ctx, label, async () =>
          fallback ? fallback(ctx, parsed.text) : undefined,
        );
      } else {
        const { command, args } = parsed;
        label = command.name;
        result = await runCommand(bot, event, ctx, label, async () => command.run(ctx, args), command.cost);
      }
    } finally {
      clearTimeout(timer);
      clearTimeout(typingTimer);
      await typingOn;
    }
    if (result.reply && chosen) result.reply = withNote(result.reply, ctx.t(TEXTS.languageChosen));
    if (result.reply) {
      const placeholderId = placeholder ? await placeholder : undefined;
      const content = placeholderId
        ? editContent(result.reply, placeholderId)
        : noticeContent(result.reply, event.event_id);
      await send(bot, event.room_id, content, `${event.event_id}:reply`);
    }
    if (typingOn) void matrix.typing(bot.info.userId, event.room_id, false);
    metrics.commands.inc({ bot: bot.info.id, command: label, outcome: result.outcome });
    metrics.duration.observe({ bot: bot.info.id, command: label }, (performance.now() - started) / 1000);
  }

  function jobContext(bot: HostedBot, jobId: string): JobContext {
    return {
      bot: bot.info,
      jobId,
      log: log.child({ bot: bot.info.id, jobId }),
      now: now(),
      async post(roomId, reply) {
        await send(bot, roomId, noticeContent(toReply(reply)), `job:${jobId}`);
      },
      store: (userId, appId) => options.stores.forUser(userId, appId),
      lang: (userId) => userLang(userId),
    };
  }

  return {
    hosted: hosted.map((b) => b.info),
    async start() {
      for (const bot of hosted) {
        await matrix.ensureBotUser(bot.info.userId, {
          displayName: bot.def.displayName,
          ...(bot.def.avatarUrl ? { avatarUrl: bot.def.avatarUrl } : {}),
        });
      }
    },
    wants(event) {
      if (event.type === 'm.room.member') return true;
      if (event.type !== 'm.room.message' && event.type !== 'm.room.encrypted') return false;
      return typeof event.sender !== 'string' || !options.namespace.test(event.sender);
    },
    async handle(event) {
      if (
        typeof event.sender !== 'string' ||
        typeof event.room_id !== 'string' ||
        typeof event.type !== 'string'
      )
        return 'ignored';
      if (typeof event.content !== 'object' || event.content === null) return 'ignored';
      if (event.type === 'm.room.member') return onMember(event);
      if (options.namespace.test(event.sender)) return 'ignored';
      if (event.type === 'm.room.encrypted') return onEncrypted(event);
      if (event.type === 'm.room.message') return onMessage(event);
      return 'ignored';
    },
    async runJob({ botId, name, jobId, data }) {
      const bot = hosted.find((b) => b.info.id === botId);
      const handler = bot?.def.jobs?.[name];
      if (!bot || !handler) {
        log.warn({ botId, name, jobId }, 'no handler for job (bot not hosted here?)');
        return;
      }
      // BullMQ delivers at least once; the claim makes a job post at most once.
      if (!(await options.claimJob(jobId))) {
        log.info({ jobId }, 'job already fired, skipping');
        return;
      }
      try {
        await handler(jobContext(bot, jobId), data as Json);
      } catch (err) {
        await options.unclaimJob(jobId);
        throw err;
      }
    },
  };
}

export type { Text };
