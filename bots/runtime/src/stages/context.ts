/**
 * Stage 4, the command context: who is asking (identity), in which language and time zone, the
 * user's typed stores and durable state, credits, scheduling, and the `AbortSignal` of the command.
 * Stores are guarded: once the signal aborts (timeout, ❌), no write of this command lands.
 */
import { CreditsApiError, CreditsErrCode } from '@mana/credits';
import { pick, type Lang } from '@mana/i18n';
import type { Logger } from '@mana/logging';
import type { AppId } from '@mana/sync-protocol';
import type { BotInfo, CommandContext, Json } from '../bot.ts';
import { noticeContent, reactionContent } from '../format.ts';
import { createStreamingMessage } from '../streaming.ts';
import { incomingMedia } from './media.ts';
import { inThread } from './reply.ts';
import { formatDate } from '../timezone.ts';
import type { MatrixPort } from '../matrix.ts';
import type {
  Accounts,
  AppStore,
  Credits,
  Identity,
  Kv,
  Scheduler,
  Stores,
  TypedAppStore,
  UserSettings,
} from '../ports.ts';
import { NotLinkedError } from '../errors.ts';
import type { Meter } from './credits-bracket.ts';

/** The services a command reaches through its context. */
export interface CommandPorts {
  matrix: MatrixPort;
  kv: Kv;
  identity: Identity;
  stores: Stores;
  credits: Credits;
  settings: UserSettings;
  accounts?: Accounts | undefined;
  scheduler: Scheduler;
}

export interface ContextDeps extends CommandPorts {
  knownBots: readonly BotInfo[];
  /** Starts (and remembers) watching a user's app stream for a bot. */
  watch?: ((bot: BotInfo, userId: string, appId: string, roomId: string) => Promise<void>) | undefined;
  /** Stores a user's language (settings in sync; with the bot while they have no account). */
  storeLanguage: (bot: BotInfo, userId: string, lang: Lang) => Promise<void>;
  log: Logger;
  webUrl: string;
  creditsAudience: string;
  now: () => Date;
}

export interface ContextRequest {
  bot: BotInfo;
  sender: string;
  roomId: string;
  eventId: string;
  threadRoot?: string | undefined;
  isDirect: boolean;
  lang: Lang;
  timezone: string;
  /** `performance.now()` when the command arrived (one pull per app and command). */
  readAfter: number;
  signal: AbortSignal;
  /**
   * When given, `state.set` does not wait for Postgres: the write starts at once, later reads of
   * the command see it, and the caller awaits these after the reply is handed to Synapse (and
   * before the room's next event), so bookkeeping such as "the list last shown" costs the reply
   * nothing.
   */
  deferredWrites?: Promise<void>[] | undefined;
  /** Where `ctx.meter` writes (the credits bracket reads it). */
  meter?: Meter;
  /** A streaming message was started (a ❌ on it cancels the command too). */
  onStream?: (eventId: string) => void;
}

/**
 * The registry's types on an adapter's store. Only a view: sync validated every pushed field against
 * the same registry, and `StoredRow` keeps each field optional for rows merged from partial writes.
 */
export function typedStore<A extends AppId>(store: AppStore): TypedAppStore<A> {
  return store as unknown as TypedAppStore<A>;
}

/**
 * A store whose writes are refused once `signal` aborted, unless `settling()` says the command is
 * metered work still settling after a cancel (it records how its answer ended).
 */
export function guardStore(store: AppStore, signal: AbortSignal, settling = () => false): AppStore {
  const refuse = () => {
    if (!settling()) signal.throwIfAborted();
  };
  return {
    list: (table) => store.list(table),
    get: (table, id) => store.get(table, id),
    async upsert(table, id, fields) {
      refuse();
      await store.upsert(table, id, fields);
    },
    async delete(table, id) {
      refuse();
      await store.delete(table, id);
    },
    async flush() {
      refuse();
      await store.flush();
    },
  };
}

export function makeContext(deps: ContextDeps, r: ContextRequest): CommandContext {
  const { sender, bot } = r;
  const token = () => deps.identity.tokenFor(sender, deps.creditsAudience);
  /** State this command wrote without waiting (see `deferredWrites`), for its own later reads. */
  const written = new Map<string, Json>();
  // Metered work cancelled by the user still records how its answer ended, until the bracket settles.
  const settling = () => r.meter?.amount !== undefined && r.meter.closed !== true;
  const ctx: CommandContext = {
    bot,
    bots: deps.knownBots,
    sender,
    roomId: r.roomId,
    eventId: r.eventId,
    ...(r.threadRoot ? { threadRoot: r.threadRoot } : {}),
    isDirect: r.isDirect,
    lang: r.lang,
    timezone: r.timezone,
    now: deps.now(),
    signal: r.signal,
    log: deps.log.child({ bot: bot.id, eventId: r.eventId }),
    webUrl: deps.webUrl,
    t: (text, params) => pick(ctx.lang, text, params),
    store: async (appId) =>
      typedStore(
        guardStore(await deps.stores.forUser(sender, appId, { readAfter: r.readAfter }), r.signal, settling),
      ),
    state: {
      get: async <T extends Json>(key: string) =>
        written.has(key) ? (written.get(key) as T) : deps.kv.get<T>(bot.id, `user:${sender}`, key),
      set: async (key, value) => {
        r.signal.throwIfAborted();
        const write = deps.kv.set(bot.id, `user:${sender}`, key, value);
        if (!r.deferredWrites) return write;
        written.set(key, value);
        r.deferredWrites.push(write);
      },
    },
    credits: {
      balance: async () => deps.credits.balance(await token()),
      transactions: async (limit) => deps.credits.transactions(await token(), limit),
      async gift(amount, o = {}) {
        r.signal.throwIfAborted();
        const from = await token();
        let toToken: string | undefined;
        if (o.to !== undefined) {
          // The recipient's token names their account (`sub`); no token means no account.
          toToken = await deps.identity.tokenFor(o.to, deps.creditsAudience).catch((err: unknown) => {
            if (err instanceof NotLinkedError)
              throw new CreditsApiError(
                404,
                CreditsErrCode.RecipientUnknown,
                `${o.to} has no Mana account`,
                {},
              );
            throw err;
          });
        }
        return deps.credits.gift(from, { amount, idempotencyKey: r.eventId, toToken });
      },
      redeem: async (code) => {
        r.signal.throwIfAborted();
        return deps.credits.redeem(await token(), code);
      },
      gifts: async () => deps.credits.gifts(await token()),
      revoke: async (code) => {
        r.signal.throwIfAborted();
        return deps.credits.revoke(await token(), code);
      },
    },
    meter(milliCredits) {
      if (!Number.isFinite(milliCredits) || milliCredits < 0)
        throw new RangeError(`metered amount ${milliCredits} is not a non-negative number`);
      if (r.meter) r.meter.amount = milliCredits;
    },
    async setLanguage(l) {
      await deps.storeLanguage(bot, sender, l);
      ctx.lang = l;
    },
    async account() {
      const d = await deps.accounts?.describe(sender).catch((err: unknown) => {
        if (err instanceof NotLinkedError) return undefined;
        throw err;
      });
      return d ? { userId: sender, ...d } : undefined;
    },
    schedule: async (name, data, o) => {
      r.signal.throwIfAborted();
      await deps.scheduler.schedule({ botId: bot.id, name, data, jobId: o.jobId, at: o.at });
    },
    cancel: (jobId) => deps.scheduler.cancel(jobId),
    moveJob: async (jobId, at) => {
      r.signal.throwIfAborted();
      return deps.scheduler.move(jobId, at);
    },
    repeat: async (name, data, o) => {
      r.signal.throwIfAborted();
      await deps.scheduler.repeat({ botId: bot.id, name, data, key: o.key, repeat: o.repeat });
    },
    removeRepeatable: (key) => deps.scheduler.removeRepeatable(key),
    formatDate: (date, style) =>
      formatDate(date, { lang: ctx.lang, timezone: ctx.timezone, ...(style ? { style } : {}) }),
    async setTimezone(tz) {
      const stored = await deps.settings.setTimezone(sender, tz);
      ctx.timezone = stored;
      return stored;
    },
    upload: (bytes, o) => deps.matrix.uploadMedia(bot.userId, bytes, { ...o, roomId: r.roomId }),
    download: (mxc) => deps.matrix.downloadMedia(bot.userId, mxc),
    async media(eventId) {
      const event = await deps.matrix.getEvent(bot.userId, r.roomId, eventId);
      return event && incomingMedia(event.content, (mxc) => deps.matrix.downloadMedia(bot.userId, mxc));
    },
    sendContent: async (content, o) => {
      if (!settling()) r.signal.throwIfAborted();
      const txn = o?.txnKey === undefined ? undefined : `${r.eventId}:content:${o.txnKey}`;
      return deps.matrix.send(bot.userId, r.roomId, 'm.room.message', inThread(content, r.threadRoot), txn);
    },
    stream: async (initial, o) => {
      const message = await createStreamingMessage({
        matrix: deps.matrix,
        userId: bot.userId,
        roomId: r.roomId,
        initial,
        content: (text) => inThread(noticeContent(o?.render?.(text) ?? { text }, r.eventId), r.threadRoot),
        txnKey: `${r.eventId}:stream${o?.part ? `:${o.part}` : ''}`,
        ...(o?.intervalMs === undefined ? {} : { intervalMs: o.intervalMs }),
      });
      r.onStream?.(message.eventId);
      return message;
    },
    room: {
      topic: () => deps.matrix.getRoomTopic(bot.userId, r.roomId),
      setTopic: (topic) => deps.matrix.setRoomTopic(bot.userId, r.roomId, topic),
      pin: (eventId) => deps.matrix.pinEvent(bot.userId, r.roomId, eventId),
    },
    async watch(appId) {
      if (!deps.watch) throw new Error('watching data is not available in this runner');
      await deps.watch(bot, sender, appId, r.roomId);
    },
    async react(key) {
      await deps.matrix.send(
        bot.userId,
        r.roomId,
        'm.reaction',
        reactionContent(r.eventId, key),
        `${r.eventId}:react:${key}`,
      );
    },
    event: (eventId) => deps.matrix.getEvent(bot.userId, r.roomId, eventId),
  };
  return ctx;
}
