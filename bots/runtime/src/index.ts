/**
 * The bot runtime: define a bot as data (`defineBot` + a command table), host bots with
 * `startRunner`. See README.md.
 *
 * @example
 * export const echo = defineBot({
 *   id: 'echo', localpart: 'echo', displayName: 'Echo',
 *   description: { de: 'Wiederholt', en: 'Repeats' },
 *   commands: [{ name: 'say', aliases: { de: ['sag'], en: ['say'] }, args: [{ name: 'text', kind: 'text' }],
 *     help: { de: 'Wiederholt den Text', en: 'Repeats the text' }, run: (ctx, args) => args.str('text') }],
 * });
 */
export {
  defineBot,
  hasStrings,
  type AccountInfo,
  type BotCommand,
  type BotDefinition,
  type BotInfo,
  type CommandContext,
  type IncomingMedia,
  type JobContext,
  type Json,
  type MediaKind,
  type RoomEvent,
  type ScheduleOptions,
  type StartContext,
  type StreamOptions,
} from './bot.ts';
export {
  Args,
  buildAliasIndex,
  parseCommand,
  primaryAlias,
  signature,
  usageLine,
  type ArgSpec,
  type CommandSpec,
  type ParseResult,
} from './commands.ts';
export { botConfigSpec, loadBotConfig, type BotConfig } from './config.ts';
export { clockTime, dailyJob, dayIn, setDaily, type DailyTarget } from './daily.ts';
// Credits are formatted once, in @mana/credits; `formatMilliCredits` is the runtime's older name for it.
export { formatCredits, formatCredits as formatMilliCredits } from '@mana/credits';
export {
  addressedText,
  createDispatcher,
  helpReply,
  isInviteAllowed,
  welcomeFooter,
  welcomeReply,
  type Dispatcher,
  type DispatcherOptions,
} from './dispatcher.ts';
export {
  BotError,
  CommandError,
  InsufficientCreditsError,
  MediaTooLargeError,
  NotLinkedError,
  type BotErrorCode,
} from './errors.ts';
export {
  editContent,
  escapeHtml,
  html,
  htmlToText,
  raw,
  noticeContent,
  sanitize,
  toReply,
  withNote,
  type Html,
  type Reply,
  type ReplyInput,
} from './format.ts';
export { interpolate, isLang, LANGUAGES, parseLang, pick, type Lang, type Text } from '@mana/i18n';
export {
  createAppservicePort,
  MatrixRequestError,
  parseMxc,
  type DownloadedMedia,
  type MatrixPort,
  type UploadOptions,
} from './matrix.ts';
export {
  audioContent,
  fileContent,
  imageContent,
  normalizeWaveform,
  type AudioOptions,
  type FileOptions,
  type ImageOptions,
  type MediaRef,
} from './media.ts';
export { userIdRegexFor } from './namespace.ts';
export type { AppId } from '@mana/sync-protocol';
export { openAiTranscriber, STT_OPERATION, type SpeechToText } from './stages/voice.ts';
// For a message a job sends into a command's thread (the clock's end mention).
export { inThread } from './stages/reply.ts';
export type {
  Accounts,
  AppStore,
  CreditBalance,
  Credits,
  Identity,
  JobOptions,
  Kv,
  RepeatableJob,
  RepeatSchedule,
  Row,
  ScheduledJob,
  Scheduler,
  Stores,
  StoredRow,
  TypedAppStore,
  UserSettings,
} from './ports.ts';
export { classifyMatrixError, withRetry } from './retry.ts';
export { selectBots, startRunner, type Runner, type RunnerOptions } from './runner.ts';
export {
  createStreamingMessage,
  replaceContent,
  type StreamingMessage,
  type StreamingMessageOptions,
} from './streaming.ts';
export { createBullJobs, nextOccurrences, occurrenceId, type BullJobs, type JobPayload } from './jobs.ts';
export {
  assertTimezone,
  canonicalTimezone,
  formatDate,
  InvalidTimezoneError,
  isValidTimezone,
  type DateStyle,
} from './timezone.ts';
export { syncWatcher, type RowChange, type Watcher } from './watch.ts';
export { SETTINGS_APP, SETTINGS_ROW, SETTINGS_TABLE, settingsOnSync } from './settings.ts';
