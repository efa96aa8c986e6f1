/**
 * The runtime's view of the services it talks to, as small interfaces. Production wires auth
 * (token exchange), sync (`@mana/sync-client`) and credits (`@mana/credits`); tests use the
 * in-process implementations in `memory.ts`.
 */
import type { Gift, GiftCreated, RedeemResponse, RevokeResponse } from '@mana/credits';
import type { Lang } from '@mana/i18n';
import type { AppId, RowOf, TableName } from '@mana/sync-protocol';

/** Maps a Matrix user to an access token for one audience (sync or credits). */
export interface Identity {
  /** A token for the user, or throws `NotLinkedError` when no account is linked to the Matrix id. */
  tokenFor(matrixUserId: string, audience: string): Promise<string>;
}

export interface Reservation {
  reservationId: string;
  /** Milli-credits held. */
  amount: number;
}

export interface CreditBalance {
  balance: number;
  held: number;
  available: number;
}

export interface CreditTransaction {
  kind: string;
  amount: number;
  operation?: string | undefined;
  createdAt: string;
}

/** Gifts as bots see them: the credits API's shapes. */
export type { Gift, GiftCreated, RedeemResponse, RevokeResponse };

/** The credits API as a bot uses it, for one user (`token` acts for that user). */
export interface Credits {
  /** Throws `InsufficientCreditsError`; the same key again returns the same reservation. */
  reserve(
    token: string,
    request: { operation: string; idempotencyKey: string; reference?: string },
  ): Promise<Reservation>;
  /**
   * Charges the hold, or `amount` (at most the hold) for metered work such as an LLM answer paid by
   * its tokens; the rest of the hold goes back.
   */
  commit(token: string, reservationId: string, amount?: number): Promise<void>;
  release(token: string, reservationId: string): Promise<void>;
  balance(token: string): Promise<CreditBalance>;
  transactions(token: string, limit: number): Promise<CreditTransaction[]>;
  /**
   * Moves `amount` milli-credits into a new gift code; `toToken` (the recipient's token) limits it to
   * that account. Refusals are `CreditsApiError`s with the API's errcode (402 as
   * `InsufficientCreditsError`).
   */
  gift(
    token: string,
    request: { amount: number; idempotencyKey: string; toToken?: string | undefined },
  ): Promise<GiftCreated>;
  redeem(token: string, code: string): Promise<RedeemResponse>;
  gifts(token: string): Promise<Gift[]>;
  revoke(token: string, code: string): Promise<RevokeResponse>;
  /** Cost of an operation in milli-credits (throws on an unknown operation). */
  cost(operation: string): number;
}

/** A row of a synced table: its id and field values. */
export interface Row {
  id: string;
  [field: string]: unknown;
}

/**
 * A row of a registered table as a bot reads it: its id and the fields the collections registry
 * (`@mana/sync-protocol`) gives it. Every field may be missing, since rows merge field by field (a
 * concurrent edit can revive a deleted row with only the fields it set); what is there has the
 * registry's type, because sync validates every push against it.
 */
export type StoredRow<A extends AppId, T extends TableName<A>> = { id: string } & Partial<RowOf<A, T>>;

/** One user's data of a registered app, with tables and rows typed from the collections registry. */
export interface TypedAppStore<A extends AppId> {
  /** Live rows of a table (tombstones excluded), after pulling what the server has. */
  list<T extends TableName<A>>(table: T): Promise<StoredRow<A, T>[]>;
  get<T extends TableName<A>>(table: T, id: string): Promise<StoredRow<A, T> | undefined>;
  /** Sets the given fields (others are kept; `null` clears an optional one). */
  upsert<T extends TableName<A>>(table: T, id: string, fields: Partial<RowOf<A, T>>): Promise<void>;
  delete(table: TableName<A>, id: string): Promise<void>;
  /** Resolves when local writes are acknowledged by the server. */
  flush(): Promise<void>;
}

/**
 * The same store as the runtime's ports see it, untyped (the adapters serve any app): bots get it
 * typed through `ctx.store(appId)`.
 */
export interface AppStore {
  /** Live rows of a table (tombstones excluded), after pulling what the server has. */
  list(table: string): Promise<Row[]>;
  get(table: string, id: string): Promise<Row | undefined>;
  /** Sets the given fields (others are kept). */
  upsert(table: string, id: string, fields: Record<string, unknown>): Promise<void>;
  delete(table: string, id: string): Promise<void>;
  /** Resolves when local writes are acknowledged by the server. */
  flush(): Promise<void>;
}

export interface StoreOptions {
  /**
   * A `performance.now()` instant (when the command arrived): a read may be served by a pull that
   * started at or after it (the prefetch, or the command's first read) instead of pulling again,
   * since such a pull already sees every write made before the command was sent. Without it, every
   * read pulls first.
   */
  readAfter?: number;
}

export interface Stores {
  /** The store of `appId` for the user; throws `NotLinkedError` when the user has no account. */
  forUser(matrixUserId: string, appId: string, options?: StoreOptions): Promise<AppStore>;
  /** Starts pulling the user's `appId` now (errors are ignored: the read that follows reports them). */
  prefetch?(matrixUserId: string, appId: string): void;
  close(): Promise<void>;
}

/** Small durable key-value state per bot and scope (e.g. the list a user last saw). */
export interface Kv {
  get<T = unknown>(bot: string, scope: string, key: string): Promise<T | undefined>;
  set(bot: string, scope: string, key: string, value: unknown): Promise<void>;
  /** Sets only if absent; true when this call set it (a once-only flag). */
  setOnce(bot: string, scope: string, key: string, value: unknown): Promise<boolean>;
  /** Every entry of one scope (small scopes only: the watches a bot keeps). */
  list<T = unknown>(bot: string, scope: string): Promise<{ key: string; value: T }[]>;
}

/** When a repeatable job runs: a cron pattern in an IANA time zone (DST-correct), or a fixed period. */
export type RepeatSchedule =
  | {
      /** Cron, 5 fields or 6 with seconds first (`0 9 * * 1-5`: weekdays at 9:00). */
      pattern: string;
      /** IANA time zone the pattern is read in (`Europe/Berlin`). */
      tz: string;
    }
  | { everyMs: number };

export interface RepeatableJob {
  botId: string;
  name: string;
  data: unknown;
  /**
   * Names the series: the same key again replaces it. Each occurrence runs with the job id
   * `<key>@<ISO instant of the occurrence>`, claimed once (so it fires once, whichever runner).
   */
  key: string;
  repeat: RepeatSchedule;
}

/**
 * How the runtime treats every job of one name (a bot declares them in `jobOptions`). The defaults
 * fit a job whose effect must happen exactly once (a timer's end, an alarm).
 */
export interface JobOptions {
  /**
   * Running it twice is harmless (a countdown edit): no exactly-once claim in Postgres (two round
   * trips saved per run), and BullMQ removes it once done instead of keeping it 7 days. A redelivered
   * or re-scheduled job then runs again. Default false.
   */
  idempotent?: boolean;
  /**
   * BullMQ priority, 1 (highest) … 2,097,152. A due job without one runs before every due job with
   * one, so cosmetic work gets a number and the jobs that must be on time get none.
   */
  priority?: number;
}

/** A delayed job: `name` of bot `botId`, at `at`, once per `jobId`. */
export interface ScheduledJob {
  botId: string;
  name: string;
  data: unknown;
  jobId: string;
  at: Date;
  /** The bot's `jobOptions` for `name` (the dispatcher adds them). */
  options?: JobOptions | undefined;
}

/** Delayed and repeatable jobs (BullMQ in production). */
export interface Scheduler {
  schedule(job: ScheduledJob): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** Moves a job that has not run yet to `at`; false when there is no such job (ran, cancelled, unknown). */
  move(jobId: string, at: Date): Promise<boolean>;
  /** Creates or replaces the repeatable job `key`. Throws on an invalid pattern or time zone. */
  repeat(job: RepeatableJob): Promise<void>;
  /** Stops the series `key` (an occurrence already running finishes); false when there was none. */
  removeRepeatable(key: string): Promise<boolean>;
}

/** A claim on a job id: this claim's token, or why there is none (`done`: it ran; `held`: running). */
export type JobClaim = { token: string } | 'done' | 'held';

/**
 * Exactly-once for jobs (leases in Postgres in production). A claim is held while its holder renews
 * it; `finish` marks the job done for good, `release` undoes the claim so a retry can take it.
 */
export interface JobClaims {
  claim(jobId: string): Promise<JobClaim>;
  renew(jobId: string, token: string): Promise<boolean>;
  finish(jobId: string): Promise<void>;
  release(jobId: string, token: string): Promise<void>;
  /** How often a holder renews its claim (well within the lease). */
  renewEveryMs: number;
}

/** The per-user settings the runtime reads (language, time zone), kept in sync's `settings` app. */
export interface UserSettings {
  /** Undefined when unknown (no account, or nothing set). */
  get(
    matrixUserId: string,
  ): Promise<{ language?: Lang | undefined; timezone?: string | undefined } | undefined>;
  setLanguage(matrixUserId: string, language: Lang): Promise<void>;
  /**
   * Stores the user's IANA time zone (aliases and case are normalized: `asia/calcutta` →
   * `Asia/Kolkata`) and returns the stored name; throws `InvalidTimezoneError` for anything else.
   */
  setTimezone(matrixUserId: string, timezone: string): Promise<string>;
}

/** Account details for the hub's `account` command. */
export interface Accounts {
  describe(
    matrixUserId: string,
  ): Promise<{ username?: string; email?: string; emailVerified?: boolean } | undefined>;
}
