/**
 * What the dispatcher is given (the ports and settings of the runner) and what it offers: the
 * contract of `dispatcher.ts`, apart from the composition itself.
 */
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';
import type { Hono } from 'hono';
import type { BotDefinition, BotInfo } from './bot.ts';
import type { Lang } from '@mana/i18n';
import type { BotMetrics } from './metrics.ts';
import type { MatrixEvent } from './state.ts';
import type { JobClaims } from './ports.ts';
import type { CommandPorts } from './stages/context.ts';
import type { Decrypter } from './stages/encrypted.ts';
import type { SpeechToText } from './stages/voice.ts';
import type { Watcher } from './watch.ts';

export interface DispatcherOptions extends CommandPorts {
  bots: readonly BotDefinition[];
  /** Bots to list in the hub's help (default: the hosted ones). */
  knownBots?: readonly BotInfo[];
  serverName: string;
  /** Senders matching this (every bot of the registration) are ignored. */
  namespace: RegExp;
  /** Claims on jobs, so each runs once across runners and restarts (see `JobClaims`). */
  claims: JobClaims;
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
  /** Transcribes voice notes for every bot; without one a voice note gets "not set up". */
  stt?: SpeechToText | undefined;
  /** Decrypts `m.room.encrypted` events (the runner's E2EE); without it they get the "cannot read" notice. */
  e2ee?: Decrypter | undefined;
  /** How long an undecryptable message waits for its keys before its notice (default 5 s). */
  undecryptableWaitMs?: number;
  /** Called as the reply to a command is handed to Synapse. */
  onReplySending?: (commandEventId: string) => void;
}

export interface Dispatcher {
  readonly hosted: readonly BotInfo[];
  /**
   * Registers the bot users and sets their profiles, then runs each bot's `start` with the
   * runner's HTTP app and metrics (the runner passes them; tests may not).
   */
  start(extras?: { http?: Hono; metrics?: Metrics }): Promise<void>;
  handle(event: MatrixEvent): Promise<'handled' | 'ignored'>;
  /**
   * False for an event `handle` would ignore whatever the state (no I/O): the bots' own messages
   * (every reply comes back in a transaction) and types the bots do not act on. Such events need
   * not be stored.
   */
  wants(event: MatrixEvent): boolean;
  /**
   * True for a message that may be `stop` (no I/O): the runner handles it out of band, not queued
   * behind the running command of its room it is meant to cancel.
   */
  mayStop(event: MatrixEvent): boolean;
  /**
   * Tells the sender of a message waiting in its room's queue where it stands (`position` 1 = next),
   * from the bot it is for; nothing for a message no bot would answer.
   */
  queued(event: MatrixEvent, position: number): Promise<void>;
  runJob(job: {
    botId: string;
    name: string;
    jobId: string;
    data: unknown;
    /** An occurrence of a series: its key and the instant it was due. */
    repeat?: { key: string; at: string } | undefined;
  }): Promise<void>;
}
