/**
 * What a bot is: a Matrix user with a command table, an optional plain-text fallback, a greeting
 * for a new DM and delayed-job handlers. `defineBot` checks the table once at start-up.
 */
import type { Lang, Text } from '@mana/i18n';
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';
import type { Hono } from 'hono';
import type { AppId } from '@mana/sync-protocol';
import { buildAliasIndex, type CommandSpec } from './commands.ts';
import type { Reply, ReplyInput } from './format.ts';
import type { UploadOptions } from './matrix.ts';
import type {
  CreditBalance,
  CreditTransaction,
  Gift,
  GiftCreated,
  JobOptions,
  RedeemResponse,
  RepeatSchedule,
  RevokeResponse,
  TypedAppStore,
} from './ports.ts';
import type { StreamingMessage } from './streaming.ts';
import type { DateStyle } from './timezone.ts';
import type { RowChange } from './watch.ts';

export interface BotInfo {
  id: string;
  userId: string;
  displayName: string;
  description: Text;
}

/** A JSON value (job payloads, kv values). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface ScheduleOptions {
  /** Unique per job: scheduling the same id twice keeps one job. */
  jobId: string;
  at: Date;
}

export interface StreamOptions {
  intervalMs?: number;
  /** How a text is shown (e.g. Markdown rendered to HTML); default plain text. */
  render?: (text: string) => Reply;
  /** Tells several streamed messages of one command apart (the second part of a long answer). */
  part?: string;
}

/** Everything a command (or fallback, or welcome) may use. Bound to one message and its sender. */
export interface CommandContext {
  bot: BotInfo;
  /** Every bot hosted or known to the runner (the hub lists them). */
  bots: readonly BotInfo[];
  sender: string;
  roomId: string;
  eventId: string;
  /** The thread the command came from (`m.thread`); replies go there. */
  threadRoot?: string;
  isDirect: boolean;
  lang: Lang;
  /** Default time zone of the user (settings), for dates. */
  timezone: string;
  now: Date;
  /**
   * Aborted when the command runs past its timeout or the user cancels it (❌, `stop`). Pass it to
   * fetches; store writes, state writes and scheduling refuse to run once it is aborted.
   */
  signal: AbortSignal;
  log: Logger;
  t(text: Text | string, params?: Readonly<Record<string, string | number>>): string;
  /**
   * The user's data of one sync app, rows typed from the collections registry (throws
   * `NotLinkedError` without an account).
   */
  store<A extends AppId>(appId: A): Promise<TypedAppStore<A>>;
  /** The user's own durable bot state. */
  state: {
    get<T extends Json>(key: string): Promise<T | undefined>;
    set(key: string, value: Json): Promise<void>;
  };
  credits: {
    balance(): Promise<CreditBalance>;
    transactions(limit: number): Promise<CreditTransaction[]>;
    /**
     * A gift code of `amount` milli-credits from the sender (idempotent per command event); `to` (a
     * Matrix id) limits it to that user. Refusals are `CreditsApiError`s (`CREDITS_*` errcodes; a
     * recipient without an account is `CREDITS_RECIPIENT_UNKNOWN`).
     */
    gift(amount: number, options?: { to?: string | undefined }): Promise<GiftCreated>;
    redeem(code: string): Promise<RedeemResponse>;
    /** Gifts the sender made, newest first. */
    gifts(): Promise<Gift[]>;
    revoke(code: string): Promise<RevokeResponse>;
  };
  /**
   * Metered work (an LLM answer paid by its tokens): what it has used so far, in milli-credits. The
   * command's hold is then settled for this (at most the hold; 0 releases it), also when the command
   * is cancelled or fails, and a cancelled command gets a short grace to finish by itself.
   */
  meter(milliCredits: number): void;
  /** Stores the user's language in their settings (sync) and uses it from now on. */
  setLanguage(lang: Lang): Promise<void>;
  /** Describes the linked account, or undefined when none is linked. */
  account(): Promise<AccountInfo | undefined>;
  schedule(job: string, data: Json, options: ScheduleOptions): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** Moves a pending job; false when it already ran or is unknown. */
  moveJob(jobId: string, at: Date): Promise<boolean>;
  /** Creates or replaces the repeatable job `key` (cron in a time zone, or every N ms). */
  repeat(job: string, data: Json, options: { key: string; repeat: RepeatSchedule }): Promise<void>;
  removeRepeatable(key: string): Promise<boolean>;
  /** A date in the user's language and time zone. */
  formatDate(date: Date, style?: DateStyle): string;
  /** Stores the user's IANA time zone (canonical name returned); `InvalidTimezoneError` otherwise. */
  setTimezone(timezone: string): Promise<string>;
  /** Uploads a file for this room through authenticated media; its `mxc://` URI. */
  upload(bytes: Uint8Array, options: Omit<UploadOptions, 'roomId'>): Promise<string>;
  /** Downloads a file through authenticated media, as the bot user. */
  download(mxc: string): Promise<{ bytes: Uint8Array; contentType: string }>;
  /**
   * The file an event of the command's room carries (an image sent earlier), ready to download;
   * undefined when the event is unknown or carries none.
   */
  media(eventId: string): Promise<IncomingMedia | undefined>;
  /**
   * Sends an event into the room (in the command's thread), e.g. `audioContent(…)`; its event id.
   * `txnKey` (unique within the command) makes it idempotent: a re-run after a crash sends it once.
   */
  sendContent(content: Record<string, unknown>, options?: { txnKey?: string }): Promise<string>;
  /** One message that grows as work progresses: edited at most once per interval (default 1 s). */
  stream(initial: string, options?: StreamOptions): Promise<StreamingMessage>;
  /** Room state of the command's room. */
  room: {
    topic(): Promise<string | undefined>;
    setTopic(topic: string): Promise<void>;
    pin(eventId: string): Promise<void>;
  };
  /**
   * Follows the sender's `appId` stream from now on (kept across restarts): the bot's
   * `onDataChange` hears about every row changed there, whoever changed it.
   */
  watch(appId: string): Promise<void>;
  /** A reaction on the command message (quick acknowledgement). */
  react(key: string): Promise<void>;
  /** An event of the command's room as the bot sees it (a reaction's target); undefined if unknown. */
  event(eventId: string): Promise<RoomEvent | undefined>;
  webUrl: string;
}

/** An event read back from the room. */
export interface RoomEvent {
  eventId: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
  /** The newest edit by its sender (`m.new_content` of its latest `m.replace`), when it was edited. */
  edited?: Record<string, unknown>;
  /** When the server received it (needed to decrypt it: part of the event Megolm checks). */
  originServerTs?: number;
}

export interface AccountInfo {
  userId: string;
  username?: string | undefined;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
}

/** A delayed job firing: it may post into the room it names. */
export interface JobContext {
  bot: BotInfo;
  jobId: string;
  /**
   * For an occurrence of a series (`ctx.repeat`): the instant it was due. A runner that was down
   * delivers missed occurrences late; a daily message may rather skip one that is hours late.
   */
  scheduledAt?: Date;
  log: Logger;
  now: Date;
  /** Posts a notice into a room as this bot. */
  post(roomId: string, reply: ReplyInput): Promise<void>;
  store<A extends AppId>(matrixUserId: string, appId: A): Promise<TypedAppStore<A>>;
  lang(matrixUserId: string): Promise<Lang>;
  /** A user's credit balance, read acting for that user (a daily summary shows it). */
  balance(matrixUserId: string): Promise<CreditBalance>;
  /**
   * Runs `fn` unless an `id` was already done (by any runner, claimed in Postgres like a job):
   * true when it ran now. A daily message claims its day, so a series moved to a later time on
   * the same day does not send it twice. While another runner is running it, it throws (the job
   * fails and BullMQ tries it again), so it is neither doubled nor lost if that runner dies.
   */
  once(id: string, fn: () => Promise<void>): Promise<boolean>;
  /**
   * Sends any event into a room as this bot (a job's voice message, a countdown); its event id.
   * `txnKey` makes it idempotent: a job re-run after a crash does not post twice.
   */
  postContent(
    roomId: string,
    content: Record<string, unknown>,
    options?: { txnKey?: string },
  ): Promise<string>;
  /**
   * Uploads a file through authenticated media as this bot (a report's chart) for the room named
   * (encrypted there with E2EE); its `mxc://` URI.
   */
  upload(bytes: Uint8Array, options: UploadOptions): Promise<string>;
  /** Schedules a job of this bot (a job chaining its next run, a watch moving a reminder). */
  schedule(job: string, data: Json, options: ScheduleOptions): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** Moves a pending job; false when it already ran or is unknown. */
  moveJob(jobId: string, at: Date): Promise<boolean>;
  /** A user's durable bot state: the same entries as that user's `CommandContext.state`. */
  state(matrixUserId: string): {
    get<T extends Json>(key: string): Promise<T | undefined>;
    set(key: string, value: Json): Promise<void>;
  };
}

/**
 * What a bot gets once when its runner starts (after the bot users exist, before the runner
 * listens): declare its own series, resolve the rooms it is configured with, add HTTP routes (a
 * webhook) and metrics to the runner's server.
 */
export interface StartContext {
  bot: BotInfo;
  log: Logger;
  /** A job context outside any job (posting, `once` claims), its `now` taken at the call. */
  context(id: string): JobContext;
  /** Creates or replaces the series `key` (every runner may declare it at start-up: one series). */
  repeat(job: string, data: Json, options: { key: string; repeat: RepeatSchedule }): Promise<void>;
  /** A room id for an id (`!…`, returned as is) or an alias (`#…`); throws when the alias is unknown. */
  resolveRoom(idOrAlias: string): Promise<string>;
  /** The runner's HTTP app (health, metrics and the appservice API share it); absent in unit tests. */
  http?: Hono | undefined;
  /** The runner's metrics registry, for the bot's own metrics; absent in unit tests. */
  metrics?: Metrics | undefined;
}

/** What kind of file a message carries (`voice`: an `m.audio` voice note, MSC3245). */
export type MediaKind = 'image' | 'audio' | 'voice' | 'file' | 'video';

/** A file someone sent to the bot. */
export interface IncomingMedia {
  kind: MediaKind;
  mxc: string;
  /** The message body (a caption or the file name). */
  body: string;
  filename?: string | undefined;
  mimetype?: string | undefined;
  size?: number | undefined;
  /** Audio and video duration, ms. */
  durationMs?: number | undefined;
  /** Downloads it through authenticated media. */
  download(): Promise<{ bytes: Uint8Array; contentType: string }>;
}

export type BotCommand = CommandSpec<CommandContext>;

export interface BotDefinition {
  id: string;
  localpart: string;
  displayName: string;
  avatarUrl?: string;
  /** One line about the bot, in both languages. */
  description: Text;
  commands: readonly BotCommand[];
  /**
   * Sync apps the commands read (`ctx.store(app)`). When a command arrives, the runtime starts
   * pulling them while it reads the user's settings, so the command's first read finds them fresh.
   */
  apps?: readonly AppId[];
  /** Plain text that is not a command (todo: it becomes a task). */
  fallback?: (ctx: CommandContext, text: string) => Promise<ReplyInput | undefined>;
  /**
   * The catalogue operation a fallback run costs: fixed (tts: reading the text aloud) or chosen per
   * message (the ollama bot: by the user's model); undefined = free.
   */
  fallbackCost?:
    string | ((ctx: CommandContext, text: string) => Promise<string | undefined> | string | undefined);
  /** Marker-prefixed words that still go to the fallback (todo: `!p1` … `!p4`). */
  fallbackWords?: RegExp;
  /**
   * Two or three example commands, each in both languages (`{ de: 'liste', en: 'list' }`), for the
   * greeting. Default: the first three commands of the table.
   */
  examples?: readonly Text[];
  /**
   * The greeting, sent once per room when the bot joins a DM on an invite, in the inviter's language
   * (or the default one). Default: what the bot does (`description`), the `examples` and `help`
   * (see `welcomeReply`). Its `ctx.eventId` is the invite's.
   */
  welcome?: (ctx: CommandContext) => Promise<ReplyInput | undefined> | ReplyInput | undefined;
  jobs?: Readonly<Record<string, (ctx: JobContext, data: Json) => Promise<void>>>;
  /**
   * Per job name: `idempotent` (no exactly-once claim, gone from Redis once done) and a BullMQ
   * `priority`, for jobs whose doubling is harmless and whose lateness is cosmetic (countdown edits),
   * so that they never delay the jobs that must fire on time. Names without an entry keep the claim.
   */
  jobOptions?: Readonly<Record<string, JobOptions>>;
  /** Runs once at start-up (see `StartContext`); a failure stops the runner (bad configuration). */
  start?: (ctx: StartContext) => Promise<void>;
  /** How long one of its commands may run (an LLM answer); default the runner's `commandTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Reactions people put on messages in the bot's rooms, by key (`💤`, `⏸`, …), with the same
   * identity, credits bracket and idempotency (the reaction's event id) as commands. `❌` on a
   * running command (or its placeholder) cancels it, built in.
   */
  reactions?: Readonly<Record<string, ReactionHandler>>;
  /** The catalogue operation a reaction costs, by key. */
  reactionCosts?: Readonly<Record<string, string>>;
  /** Files the bot takes (others answer a file with "I only understand text"). */
  media?: {
    accepts: readonly MediaKind[];
    handle: (ctx: CommandContext, media: IncomingMedia) => Promise<ReplyInput | undefined>;
    /** The catalogue operation a file costs (a function: chosen per file and user). */
    cost?:
      | string
      | ((ctx: CommandContext, media: IncomingMedia) => Promise<string | undefined> | string | undefined);
  };
  /** Rows changed in a stream the bot watches (`ctx.watch`); `roomId`: where the watch was set up. */
  onDataChange?: (
    ctx: JobContext,
    change: { userId: string; appId: string; roomId: string; changes: RowChange[] },
  ) => Promise<void>;
}

/** A reaction to an event: `target` is the event reacted to. */
export type ReactionHandler = (
  ctx: CommandContext,
  reaction: { target: string; key: string },
) => Promise<ReplyInput | undefined>;

/** BullMQ's lowest priority (2^21). */
export const MAX_JOB_PRIORITY = 2_097_152;

export function defineBot(definition: BotDefinition): BotDefinition {
  if (!/^[a-z0-9._=-]+$/.test(definition.localpart))
    throw new Error(`bad localpart: ${definition.localpart}`);
  buildAliasIndex(definition.commands); // throws on clashing aliases
  for (const [name, o] of Object.entries(definition.jobOptions ?? {})) {
    if (!definition.jobs?.[name]) throw new Error(`jobOptions.${name}: the bot has no job "${name}"`);
    const p = o.priority;
    if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > MAX_JOB_PRIORITY))
      throw new Error(`jobOptions.${name}.priority: a whole number 1…${MAX_JOB_PRIORITY}, not ${p}`);
  }
  return definition;
}

/**
 * A job payload (or any JSON) that is an object whose `keys` are all strings: the check every job
 * handler makes before it trusts its data (payloads outlive the code that wrote them).
 */
export function hasStrings<K extends string>(
  data: Json,
  ...keys: K[]
): data is { [key: string]: Json } & Record<K, string> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  return keys.every((k) => typeof data[k] === 'string');
}
