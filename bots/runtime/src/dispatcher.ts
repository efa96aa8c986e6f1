/**
 * From an appservice event to a bot's reply, as the composition of the stages in `stages/`:
 * membership (and the greeting on joining a DM) → addressing → parsing → language and context →
 * credits bracket (with cancellation) → feedback → reply. A failing command never escapes: it
 * becomes a reply and a metric.
 */
import type { Logger } from '@mana/logging';
import type { BotDefinition, BotInfo } from './bot.ts';
import { errorMessage } from './errors.ts';
import { noticeContent, toReply } from './format.ts';
import { pick, type Lang } from '@mana/i18n';
import type { BotMetrics } from './metrics.ts';
import type { MatrixEvent } from './state.ts';
import { address, obj, threadRootOf, type Addressed } from './stages/addressing.ts';
import { downloaderFor, incomingMedia, isMediaMessage } from './stages/media.ts';
import type { Watcher } from './watch.ts';
import { makeContext, type CommandPorts, type ContextDeps } from './stages/context.ts';
import { welcomeReply } from './stages/greeting.ts';
import { hostBots, languageCommand, type HostedBot } from './stages/hosted.ts';
import { createLanguages } from './stages/language.ts';
import { createJobRunner } from './stages/jobs.ts';
import { createMembership } from './stages/membership.ts';
import { immediateReply, labelOf, languageHint, parse } from './stages/parsing.ts';
import { createPipeline } from './stages/pipeline.ts';
import { createRunning } from './stages/running.ts';
import { TEXTS } from './texts.ts';

export { addressedText } from './stages/addressing.ts';
export { welcomeFooter, welcomeReply } from './stages/greeting.ts';
export { helpReply } from './stages/help.ts';
export { isInviteAllowed } from './stages/membership.ts';

export interface DispatcherOptions extends CommandPorts {
  bots: readonly BotDefinition[];
  /** Bots to list in the hub's help (default: the hosted ones). */
  knownBots?: readonly BotInfo[];
  serverName: string;
  /** Senders matching this (every bot of the registration) are ignored. */
  namespace: RegExp;
  /**
   * Claims a job (a lease); false when it already ran or another runner is running it. `finishJob`
   * marks it done; `unclaimJob` undoes the claim when the job failed (BullMQ retries it).
   */
  claimJob: (jobId: string) => Promise<boolean>;
  finishJob: (jobId: string) => Promise<void>;
  unclaimJob: (jobId: string) => Promise<void>;
  metrics: BotMetrics;
  log: Logger;
  defaultLanguage: Lang;
  defaultTimezone: string;
  webUrl: string;
  inviteAllowList: readonly string[];
  progressAfterMs: number;
  /** A command still running after this long shows a typing notice (default 500 ms). */
  typingAfterMs?: number;
  commandTimeoutMs: number;
  maxMessageBytes: number;
  creditsAudience: string;
  now?: () => Date;
  /** Follows users' sync streams for bots with `onDataChange` (production: `syncWatcher`). */
  watcher?: Watcher;
  /** Called as the reply to a command is handed to Synapse. */
  onReplySending?: (commandEventId: string) => void;
}

export interface Dispatcher {
  readonly hosted: readonly BotInfo[];
  /** Registers the bot users and sets their profiles. */
  start(): Promise<void>;
  handle(event: MatrixEvent): Promise<'handled' | 'ignored'>;
  /**
   * False for an event `handle` would ignore whatever the state (no I/O): the bots' own messages
   * (every reply comes back in a transaction) and types the bots do not act on. Such events need
   * not be stored.
   */
  wants(event: MatrixEvent): boolean;
  runJob(job: { botId: string; name: string; jobId: string; data: unknown }): Promise<void>;
}

const CANCEL_KEYS = new Set(['❌', '✖️', '✖']);

/** A watch a bot keeps: whose stream, which app, and the room to write to. */
interface Watch {
  userId: string;
  appId: string;
  roomId: string;
}

const threadOf = (event: MatrixEvent) => {
  const root = threadRootOf(event.content);
  return root ? { threadRoot: root } : {};
};

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { matrix, kv, log } = options;
  const now = options.now ?? (() => new Date());
  const hosted = hostBots(options.bots, options.serverName);
  const byUserId = new Map(hosted.map((b) => [b.info.userId, b]));
  const membership = createMembership({ ...options, log });
  const languages = createLanguages(options);
  const watching = new Map<string, Promise<unknown>>();
  /** Follows a user's app for a bot (once per bot, user and app), reporting to `onDataChange`. */
  function follow(bot: HostedBot, w: Watch): Promise<unknown> {
    const key = `${bot.info.id}|${w.userId}|${w.appId}`;
    const existing = watching.get(key);
    if (existing) return existing;
    const onChange = bot.def.onDataChange;
    const watcher = options.watcher;
    if (!watcher || !onChange) return Promise.reject(new Error(`${bot.info.id} cannot watch data`));
    const started = watcher.watch(w.userId, w.appId, (changes) => {
      const ctx = jobs.jobContext(bot, `watch:${key}`);
      onChange(ctx, { ...w, changes }).catch((err: unknown) =>
        log.warn({ bot: bot.info.id, err: errorMessage(err) }, 'onDataChange failed'),
      );
    });
    watching.set(key, started);
    started.catch(() => watching.delete(key));
    return started;
  }
  const contextDeps: ContextDeps = {
    ...options,
    watch: async (info, userId, appId, roomId) => {
      const bot = byUserId.get(info.userId);
      if (!bot) return;
      await follow(bot, { userId, appId, roomId });
      await kv.set(info.id, 'watches', `${userId}|${appId}`, { userId, appId, roomId });
    },
    knownBots: options.knownBots ?? hosted.map((b) => b.info),
    storeLanguage: languages.store,
    now,
  };
  const pipeline = createPipeline({ ...options, ...contextDeps, languages, running: createRunning() });
  const jobs = createJobRunner({
    ...options,
    hosted,
    now,
    lang: async (userId) => (await languages.of(undefined, userId)).lang,
  });
  const send = (
    bot: HostedBot,
    roomId: string,
    content: Record<string, unknown>,
    txn: string,
    type?: string,
  ) => matrix.send(bot.info.userId, roomId, type ?? 'm.room.message', content, txn);

  async function onEncrypted(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    let any = false;
    for (const bot of hosted) {
      if (!(await membership.isMember(bot.info, event.room_id))) continue;
      // Once per bot and room, however many encrypted messages arrive.
      if (!(await kv.setOnce(bot.info.id, `room:${event.room_id}`, 'e2ee-notice', true))) continue;
      const { lang } = await languages.of(bot.info, event.sender);
      const text = pick(lang, TEXTS.encrypted, { web: options.webUrl });
      await send(bot, event.room_id, noticeContent({ text }), `${event.event_id}:e2ee`);
      any = true;
    }
    return any ? 'handled' : 'ignored';
  }

  async function onText(bot: HostedBot, event: MatrixEvent, addressed: Addressed, isDirect: boolean) {
    const parsed = parse(bot, addressed.text, options.maxMessageBytes);
    if (parsed.kind === 'empty') return;
    const runs = parsed.kind === 'command' || parsed.kind === 'fallback';
    const fallback = bot.def.fallback;
    await pipeline.run({
      bot,
      event,
      addressed,
      isDirect,
      label: labelOf(parsed),
      hint: languageHint(parsed),
      mayChooseLanguage: !(parsed.kind === 'command' && parsed.command.name === languageCommand.name),
      prefetch: runs,
      immediate: (lang) => immediateReply(bot, parsed, lang, options.maxMessageBytes),
      ...(parsed.kind === 'command'
        ? {
            work: (ctx) => Promise.resolve(parsed.command.run(ctx, parsed.args)),
            operation: parsed.command.cost,
          }
        : parsed.kind === 'fallback' && fallback
          ? { work: (ctx) => fallback(ctx, parsed.text) }
          : {}),
    });
  }

  /** A file in a DM: the bot's media handler, or "I only understand text". */
  async function onMedia(bot: HostedBot, event: MatrixEvent): Promise<void> {
    const media = incomingMedia(event.content, downloaderFor(matrix, bot.info.userId));
    const takes = media && bot.def.media?.accepts.includes(media.kind) ? bot.def.media : undefined;
    await pipeline.run({
      bot,
      event,
      addressed: { text: '', ...threadOf(event) },
      isDirect: true,
      label: media ? `media:${media.kind}` : 'media',
      ...(takes && media
        ? { work: (ctx) => takes.handle(ctx, media), operation: takes.cost, prefetch: true }
        : { immediate: (lang) => ({ reply: { text: pick(lang, TEXTS.textOnly) }, outcome: 'usage' }) }),
    });
  }

  async function onMessage(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    const content = event.content;
    if (isMediaMessage(content)) {
      let handled = false;
      for (const bot of hosted) {
        if (!(await membership.isMember(bot.info, event.room_id))) continue;
        // Files are for the bot only in a DM (in a group room nobody addresses a file).
        if ((await membership.memberCount(bot.info, event.room_id)) > 2) continue;
        handled = true;
        await onMedia(bot, event);
      }
      return handled ? 'handled' : 'ignored';
    }
    if (content.msgtype !== 'm.text') return 'ignored';
    if (obj(content['m.relates_to'])?.rel_type === 'm.replace') return 'ignored';
    let handled = false;
    for (const bot of hosted) {
      if (!(await membership.isMember(bot.info, event.room_id))) continue;
      const isDirect = (await membership.memberCount(bot.info, event.room_id)) <= 2;
      const addressed = address(bot.info, event, isDirect);
      if (!addressed) continue;
      handled = true;
      await onText(bot, event, addressed, isDirect);
    }
    return handled ? 'handled' : 'ignored';
  }

  async function onReaction(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    const rel = obj(event.content['m.relates_to']);
    const target = rel?.event_id;
    const key = rel?.key;
    if (rel?.rel_type !== 'm.annotation' || typeof target !== 'string' || typeof key !== 'string')
      return 'ignored';
    if (CANCEL_KEYS.has(key) && pipeline.cancel(target, event.sender)) return 'handled';
    let handled = false;
    for (const bot of hosted) {
      const handler = bot.def.reactions?.[key];
      if (!handler || !(await membership.isMember(bot.info, event.room_id))) continue;
      handled = true;
      const isDirect = (await membership.memberCount(bot.info, event.room_id)) <= 2;
      await pipeline.run({
        bot,
        event,
        addressed: { text: '' },
        isDirect,
        label: `reaction:${key}`,
        work: (ctx) => handler(ctx, { target, key }),
      });
    }
    return handled ? 'handled' : 'ignored';
  }

  async function onMember(event: MatrixEvent): Promise<'handled' | 'ignored'> {
    membership.forgetCount(event.room_id);
    const bot = event.state_key ? byUserId.get(event.state_key) : undefined;
    if (!bot) return 'ignored';
    const outcome = await membership.onMemberEvent(bot.info, event);
    if (outcome === 'joined') await greet(bot, event);
    return outcome === 'ignored' || outcome === 'refused' ? 'ignored' : 'handled';
  }

  /** Once per bot and room, when it joins a DM: what it does, examples, `help`. Best effort. */
  async function greet(bot: HostedBot, invite: MatrixEvent): Promise<void> {
    const roomId = invite.room_id;
    try {
      const direct =
        invite.content.is_direct === true || (await membership.memberCount(bot.info, roomId)) <= 2;
      if (!direct || !(await kv.setOnce(bot.info.id, `room:${roomId}`, 'welcomed', true))) return;
      const { lang, timezone } = await languages.of(bot.info, invite.sender);
      const ctx = makeContext(contextDeps, {
        bot: bot.info,
        sender: invite.sender,
        roomId,
        eventId: invite.event_id,
        isDirect: true,
        lang,
        timezone: timezone ?? options.defaultTimezone,
        readAfter: performance.now(),
        signal: new AbortController().signal,
      });
      const welcome = bot.def.welcome
        ? await bot.def.welcome(ctx)
        : welcomeReply(bot.info, bot.commands, bot.def.examples, lang);
      if (welcome !== undefined)
        await send(bot, roomId, noticeContent(toReply(welcome)), `${invite.event_id}:welcome`);
    } catch (err) {
      log.warn({ bot: bot.info.id, roomId, err: errorMessage(err) }, 'greeting failed');
    }
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
      // The watches set up before the last stop (best effort: a user may have left meanwhile).
      for (const bot of hosted.filter((b) => b.def.onDataChange)) {
        for (const { value } of await kv.list<Watch>(bot.info.id, 'watches'))
          await follow(bot, value).catch((err: unknown) =>
            log.warn({ bot: bot.info.id, err: errorMessage(err) }, 'could not resume a watch'),
          );
      }
    },
    wants(event) {
      if (event.type === 'm.room.member') return true;
      if (!['m.room.message', 'm.room.encrypted', 'm.reaction'].includes(event.type)) return false;
      return typeof event.sender !== 'string' || !options.namespace.test(event.sender);
    },
    async handle(event) {
      if (typeof event.sender !== 'string' || typeof event.room_id !== 'string') return 'ignored';
      if (typeof event.content !== 'object' || event.content === null) return 'ignored';
      if (event.type === 'm.room.member') return onMember(event);
      if (options.namespace.test(event.sender)) return 'ignored';
      if (event.type === 'm.room.encrypted') return onEncrypted(event);
      if (event.type === 'm.room.message') return onMessage(event);
      if (event.type === 'm.reaction') return onReaction(event);
      return 'ignored';
    },
    runJob: jobs.runJob,
  };
}
