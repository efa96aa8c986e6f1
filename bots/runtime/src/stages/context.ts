/**
 * Stage 4, the command context: who is asking (identity), in which language and time zone, the
 * user's typed stores and durable state, credits, scheduling, and the `AbortSignal` of the command.
 * Stores are guarded: once the signal aborts (timeout, ❌), no write of this command lands.
 */
import type { Logger } from '@mana/logging';
import type { BotInfo, CommandContext } from '../bot.ts';
import { reactionContent } from '../format.ts';
import type { Lang } from '../i18n.ts';
import { pick } from '../i18n.ts';
import type { MatrixPort } from '../matrix.ts';
import type { Accounts, AppStore, Credits, Identity, Kv, Scheduler, Stores, UserSettings } from '../ports.ts';
import { NotLinkedError } from '../errors.ts';

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
}

/** A store whose writes are refused once `signal` aborted. */
export function guardStore(store: AppStore, signal: AbortSignal): AppStore {
  return {
    list: (table) => store.list(table),
    get: (table, id) => store.get(table, id),
    async upsert(table, id, fields) {
      signal.throwIfAborted();
      await store.upsert(table, id, fields);
    },
    async delete(table, id) {
      signal.throwIfAborted();
      await store.delete(table, id);
    },
    async flush() {
      signal.throwIfAborted();
      await store.flush();
    },
  };
}

export function makeContext(deps: ContextDeps, r: ContextRequest): CommandContext {
  const { sender, bot } = r;
  const token = () => deps.identity.tokenFor(sender, deps.creditsAudience);
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
      guardStore(await deps.stores.forUser(sender, appId, { readAfter: r.readAfter }), r.signal),
    state: {
      get: (key) => deps.kv.get(bot.id, `user:${sender}`, key),
      set: async (key, value) => {
        r.signal.throwIfAborted();
        await deps.kv.set(bot.id, `user:${sender}`, key, value);
      },
    },
    credits: {
      balance: async () => deps.credits.balance(await token()),
      transactions: async (limit) => deps.credits.transactions(await token(), limit),
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
    async react(key) {
      await deps.matrix.send(
        bot.userId,
        r.roomId,
        'm.reaction',
        reactionContent(r.eventId, key),
        `${r.eventId}:react:${key}`,
      );
    },
  };
  return ctx;
}
