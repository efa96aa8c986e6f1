/**
 * The runner's configuration (`BOT_` prefix), declared once as data and parsed at start-up.
 * Every variable is documented here, where its default is defined; bots/runtime/README.md lists them.
 */
import { CREDITS_AUDIENCE, SYNC_AUDIENCE } from '@mana/auth-client';
import { ConfigError, defineConfig, loadConfig, vars, type ConfigOf } from '@mana/config';
import { z } from 'zod';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

const ms = z.coerce.number().int().min(0);

export const botConfigSpec = defineConfig('BOT_', {
  port: vars.port(3300),
  host: vars.host(),
  logLevel: vars.logLevel(),
  drainTimeoutMs: vars.drainTimeoutMs(),
  nodeEnv: vars.nodeEnv(),
  bots: {
    schema: list,
    default: 'todo,mana,calendar,clock,zitare,ollama,tts,stats',
    fallback: ['BOTS'],
    doc: 'Comma-separated bots this runner hosts (falls back to BOTS)',
  },
  modules: {
    schema: list,
    default: '',
    doc: 'Comma-separated paths of extra bot modules (each exports `bot`, a defineBot() result); they are hosted too (your own bots, test bots)',
  },
  homeserverUrl: vars.url('Client-server API base URL of Synapse', 'http://127.0.0.1:8008'),
  serverName: {
    schema: z.string().min(1),
    default: 'mana.test',
    doc: 'Matrix server name (the domain of user ids)',
  },
  appserviceId: { schema: z.string().min(1), default: 'mana-bots', doc: 'Id of the appservice registration' },
  asToken: {
    schema: z.string().min(1),
    secret: true,
    doc: 'Token the runner uses to call Synapse (as_token)',
  },
  hsToken: {
    schema: z.string().min(1),
    secret: true,
    doc: 'Token Synapse sends with every transaction (hs_token)',
  },
  senderLocalpart: {
    schema: z.string().min(1),
    default: 'mana',
    doc: "Localpart of the appservice's own user (sender_localpart)",
  },
  namespace: {
    schema: list,
    default: 'mana,todo,calendar,clock,ollama,tts,zitare,stats',
    doc: 'Every bot localpart of the registration; events from these users are ignored',
  },
  inviteAllowList: {
    schema: list,
    default: '',
    doc: 'Auto-join invites only from these Matrix ids or :domains (e.g. "@ops:x.org,:x.org"); empty = anyone',
  },
  defaultLanguage: {
    schema: z.enum(['de', 'en']),
    default: 'de',
    doc: 'Language for users with none set (de | en)',
  },
  webUrl: vars.url('Public URL of the web app (links in replies)', 'http://localhost:5173'),
  ssoHint: {
    schema: z.string(),
    default: '',
    doc: 'Extra sign-in hint for unlinked users (e.g. the SSO button label); empty = the built-in text',
  },
  databaseUrl: vars.databaseUrl(),
  dbSchema: {
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    default: 'bots',
    doc: 'Postgres schema for runtime state',
  },
  redisUrl: vars.redisUrl(),
  queuePrefix: {
    schema: z.string().min(1),
    default: 'mana:bots',
    doc: 'BullMQ key prefix in Redis (tests use a unique one)',
  },
  authTokenEndpoint: vars.url(
    'Token endpoint of the auth server (token exchange)',
    'http://127.0.0.1:3001/token',
  ),
  authClientId: { schema: z.string().min(1), default: 'bots', doc: 'OAuth client id of the bot runner' },
  authClientSecret: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: 'OAuth client secret of the bot runner',
  },
  syncUrl: vars.url('Base URL of the sync server', 'http://127.0.0.1:3010'),
  syncAudience: { schema: z.string().min(1), default: SYNC_AUDIENCE, doc: 'Audience of tokens for sync' },
  creditsUrl: vars.url('Base URL of the credits API (auth server)', 'http://127.0.0.1:3001'),
  creditsAudience: {
    schema: z.string().min(1),
    default: CREDITS_AUDIENCE,
    doc: 'Audience of tokens for credits',
  },
  matrixRetryMaxMs: {
    schema: ms,
    default: '300000',
    doc: 'How long a Matrix call is retried (backoff) while Synapse is down or rate-limiting',
  },
  progressAfterMs: {
    schema: ms,
    default: '2500',
    doc: 'A command still running after this long gets a placeholder reply, edited when done',
  },
  typingAfterMs: {
    schema: ms,
    default: '500',
    doc: 'A command still running after this long shows a typing notice (fast ones get none)',
  },
  commandTimeoutMs: { schema: ms, default: '60000', doc: 'A command running longer than this fails' },
  queuedNoticeAfterMs: {
    schema: ms,
    default: '3000',
    doc: 'A message waiting this long behind others in its room is told its place in the queue (0 = never)',
  },
  sttUrl: {
    schema: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
    default: '',
    doc: 'Base URL of an OpenAI-compatible speech-to-text server (POST <url>/v1/audio/transcriptions: whisper.cpp server, speaches, LocalAI) for voice notes to every bot; empty = voice input is off',
  },
  sttModel: {
    schema: z.string().min(1),
    default: 'whisper-1',
    doc: 'The `model` sent to the speech-to-text server',
  },
  sttApiKey: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: 'Bearer token for the speech-to-text server (empty = none)',
  },
  sttMaxBytes: {
    schema: z.coerce.number().int().min(1024),
    default: String(25 * 1024 * 1024),
    doc: 'Larger voice notes are refused before they are downloaded (bytes)',
  },
  sttTimeoutMs: { schema: ms, default: '60000', doc: 'A transcription taking longer than this fails' },
  e2ee: {
    schema: z.enum(['true', 'false']).transform((v) => v === 'true'),
    default: 'false',
    doc: 'Bots take part in end-to-end encryption (a cross-signed device each; needs HS_APPSERVICE_E2EE and BOT_CRYPTO_STORE_KEY); false = encrypted rooms get a "cannot read" notice',
  },
  cryptoStoreKey: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: "Seals the bots' crypto stores in Postgres: 32 bytes as 64 hex digits or base64 (`openssl rand -hex 32`); required with BOT_E2EE",
  },
  undecryptableWaitMs: {
    schema: ms,
    default: '5000',
    doc: 'An encrypted message the bots cannot decrypt waits this long for its keys before they say so',
  },
  testDelayScale: {
    schema: z.coerce.number().min(1).max(3600),
    default: '1',
    doc: 'Test only: delayed jobs run this many times sooner than their instant says (60: a 10-minute snooze rings after 10 s), so end-to-end tests of minute-long waits take seconds; rows and messages keep the real instants. 1 = off; refused with NODE_ENV=production',
  },
  maxMessageBytes: {
    schema: z.coerce.number().int().min(64),
    default: '8192',
    doc: 'Longer messages are answered with a short refusal, never parsed',
  },
});

export type BotConfig = ConfigOf<typeof botConfigSpec>;

export function loadBotConfig(env: Readonly<Record<string, string | undefined>> = process.env): BotConfig {
  const config = loadConfig(botConfigSpec, env);
  // A scaled job clock makes alarms ring early: never where people rely on them.
  if (config.nodeEnv === 'production' && config.testDelayScale !== 1)
    throw new ConfigError([
      { variable: 'BOT_TEST_DELAY_SCALE', message: 'is for tests only: unset it in production' },
    ]);
  return config;
}
