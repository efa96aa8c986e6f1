/**
 * The runner: one process hosting any subset of bots as one appservice. `startRunner()` →
 * `drain()` (on SIGTERM, through the shared life cycle `runService`) → `stop()`. Events are stored
 * before Synapse gets its 200, processed in order per room, and every pending event is processed
 * again after a restart.
 */
import { ConfigError } from '@mana/config';
import { createServiceApp, listen, type RunningServer, type Service } from '@mana/http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '@mana/logging';
import { createMetrics, type Metrics } from '@mana/metrics';
import { userIdRegexFor } from './namespace.ts';
import { creditsApi, syncStores, tokenExchangeIdentity } from './adapters.ts';
import { mountAppserviceRoutes } from './appservice-http.ts';
import { defineBot, type BotDefinition, type BotInfo } from './bot.ts';
import type { BotConfig } from './config.ts';
import { createE2ee, type E2ee } from './crypto/e2ee.ts';
import { postgresBackupKeys } from './crypto/backup.ts';
import { parseStoreKey, postgresCryptoStore } from './crypto/store.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { hostBots } from './stages/hosted.ts';
import { errorMessage } from './errors.ts';
import { createBullJobs, type BullJobs } from './jobs.ts';
import { createAppservicePort, type MatrixPort } from './matrix.ts';
import { createBotMetrics } from './metrics.ts';
import type { Accounts, Credits, Identity, Scheduler, Stores, UserSettings } from './ports.ts';
import { settingsOnSync } from './settings.ts';
import { openAiTranscriber } from './stages/voice.ts';
import { syncWatcher, type Watcher } from './watch.ts';
import { jobClaimsOf, openRuntimeState, type RuntimeState, type StoredEvent } from './state.ts';

export interface RunnerOptions {
  config: BotConfig;
  /** Every bot this build knows; `config.bots` picks the hosted ones. */
  available: readonly BotDefinition[];
  logger?: Logger;
  /** Replace a port (tests; or a deployment without auth/sync). */
  ports?: {
    identity?: Identity;
    accounts?: Accounts;
    stores?: Stores;
    credits?: Credits;
    settings?: UserSettings;
    matrix?: MatrixPort;
    scheduler?: Scheduler;
    watcher?: Watcher;
  };
  defaultTimezone?: string;
}

export interface Runner extends Service {
  readonly server: RunningServer;
  readonly url: string;
  readonly port: number;
  readonly hosted: readonly BotInfo[];
  readonly metrics: Metrics;
  readonly dispatcher: Dispatcher;
  /** Resolves when every event received so far is processed (tests, drain). */
  idle(): Promise<void>;
  /**
   * Finishes the events being processed now; events not started yet (and any that arrive from here
   * on) stay stored and are processed after the next start.
   */
  drain(): Promise<void>;
  /** Closes the HTTP server, finishes every event received, then closes jobs, stores and state. */
  stop(): Promise<void>;
}

export function selectBots(available: readonly BotDefinition[], names: readonly string[]): BotDefinition[] {
  const unknown = names.filter((n) => !available.some((b) => b.id === n));
  if (unknown.length > 0) {
    throw new ConfigError([
      {
        variable: 'BOT_BOTS',
        message: `names unknown bots: ${unknown.join(', ')} (known: ${available.map((b) => b.id).join(', ')})`,
      },
    ]);
  }
  return available.filter((b) => names.includes(b.id));
}

/** The bots of `BOT_MODULES`: each module exports `bot` (a `defineBot()` result). */
export async function loadBotModules(paths: readonly string[]): Promise<BotDefinition[]> {
  const bots: BotDefinition[] = [];
  for (const path of paths) {
    const mod: unknown = await import(pathToFileURL(resolve(path)).href);
    const bot = typeof mod === 'object' && mod !== null && 'bot' in mod ? mod.bot : undefined;
    if (typeof bot !== 'object' || bot === null || !('id' in bot) || !('commands' in bot))
      throw new Error(`BOT_MODULES: ${path} exports no \`bot\` (a defineBot() result)`);
    bots.push(defineBot(bot as BotDefinition));
  }
  return bots;
}

export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const { config } = options;
  const log = options.logger ?? createLogger({ service: 'bots', level: config.logLevel });
  const fromModules = await loadBotModules(config.modules);
  const bots = [...selectBots(options.available, config.bots), ...fromModules];
  const metrics = createMetrics({ service: 'bots' });
  const botMetrics = createBotMetrics(metrics);
  const namespace = new RegExp(userIdRegexFor(config.namespace, config.serverName));

  let storeKey: Buffer | undefined;
  if (config.e2ee) {
    try {
      storeKey = parseStoreKey(config.cryptoStoreKey);
    } catch (err) {
      throw new ConfigError([
        {
          variable: 'BOT_CRYPTO_STORE_KEY',
          message: `${config.cryptoStoreKey ? (err as Error).message : 'is required'} (with BOT_E2EE=true)`,
        },
      ]);
    }
  }

  const state: RuntimeState = await openRuntimeState({
    databaseUrl: config.databaseUrl,
    schema: config.dbSchema,
    appserviceId: config.appserviceId,
  });
  const ports = options.ports ?? {};
  const exchange =
    ports.identity && ports.accounts
      ? undefined
      : tokenExchangeIdentity({
          tokenEndpoint: config.authTokenEndpoint,
          clientId: config.authClientId,
          clientSecret: config.authClientSecret,
          audiences: [config.syncAudience, config.creditsAudience],
        });
  const identity = ports.identity ?? exchange;
  if (!identity) throw new Error('no identity port');
  const accounts = ports.accounts ?? exchange;
  const stores =
    ports.stores ??
    syncStores({ baseUrl: config.syncUrl, clientId: 'bots', identity, audience: config.syncAudience, log });
  // Only bots that react to data changes need live sync connections.
  const watcher =
    ports.watcher ??
    (bots.some((b) => b.onDataChange) && !ports.stores
      ? syncWatcher({
          baseUrl: config.syncUrl,
          clientId: 'bots-watch',
          identity,
          audience: config.syncAudience,
          log,
        })
      : undefined);
  const credits =
    ports.credits ?? creditsApi({ baseUrl: `${config.creditsUrl.replace(/\/+$/, '')}/api/v1/credits` });
  const defaultTimezone = options.defaultTimezone ?? 'Europe/Berlin';
  const settings = ports.settings ?? settingsOnSync(stores, { defaultTimezone });
  const plainMatrix =
    ports.matrix ??
    createAppservicePort({
      homeserverUrl: config.homeserverUrl,
      serverName: config.serverName,
      registration: {
        id: config.appserviceId,
        asToken: config.asToken,
        hsToken: config.hsToken,
        senderLocalpart: config.senderLocalpart,
        userRegex: namespace.source,
      },
      logger: log,
      retryMaxMs: config.matrixRetryMaxMs,
    }).port;
  const e2ee: E2ee | undefined = storeKey
    ? createE2ee({
        bots: hostBots(bots, config.serverName).map((b) => ({
          userId: b.info.userId,
          displayName: b.info.displayName,
        })),
        homeserverUrl: config.homeserverUrl,
        asToken: config.asToken,
        store: postgresCryptoStore(state.sql, storeKey),
        backupKeys: postgresBackupKeys(state.sql, storeKey),
        metrics: { keys: botMetrics.e2eeBackupKeys, restored: botMetrics.e2eeRestoredKeys },
        log,
        retryMaxMs: config.matrixRetryMaxMs,
      })
    : undefined;
  // In encrypted rooms every event the bots send is encrypted (replies, edits, reactions).
  const matrix = e2ee ? e2ee.port(plainMatrix) : plainMatrix;
  let jobs: BullJobs | undefined;
  let scheduler = ports.scheduler;
  if (!scheduler) {
    jobs = createBullJobs({
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      log,
      delayScale: config.testDelayScale,
    });
    if (config.testDelayScale !== 1)
      log.warn({ scale: config.testDelayScale }, 'BOT_TEST_DELAY_SCALE: delayed jobs run early (tests only)');
    scheduler = jobs.scheduler;
  }

  const dispatcher = createDispatcher({
    bots,
    serverName: config.serverName,
    namespace,
    matrix,
    kv: state.kv,
    identity,
    stores,
    credits,
    settings,
    ...(accounts ? { accounts } : {}),
    scheduler,
    claims: jobClaimsOf(state),
    metrics: botMetrics,
    log,
    defaultLanguage: config.defaultLanguage,
    defaultTimezone,
    webUrl: config.webUrl,
    inviteAllowList: config.inviteAllowList,
    progressAfterMs: config.progressAfterMs,
    typingAfterMs: config.typingAfterMs,
    commandTimeoutMs: config.commandTimeoutMs,
    maxMessageBytes: config.maxMessageBytes,
    ...(e2ee ? { e2ee } : {}),
    undecryptableWaitMs: config.undecryptableWaitMs,
    creditsAudience: config.creditsAudience,
    ...(watcher ? { watcher } : {}),
    stt: config.sttUrl
      ? openAiTranscriber({
          baseUrl: config.sttUrl,
          model: config.sttModel,
          apiKey: config.sttApiKey,
          maxBytes: config.sttMaxBytes,
          timeoutMs: config.sttTimeoutMs,
        })
      : undefined,
    onReplySending: (eventId) => {
      const at = arrivedAt.get(eventId);
      if (at !== undefined) botMetrics.runnerTime.observe((performance.now() - at) / 1000);
    },
  });

  // When each event in progress arrived (its transaction), for the runner's own time per command.
  const arrivedAt = new Map<string, number>();
  // Events are processed in order per room, rooms in parallel.
  const chains = new Map<string, Promise<void>>();
  // The events of each room not started yet, in order (their place in the queue).
  const waiting = new Map<string, StoredEvent[]>();
  /** A message still waiting after `queuedNoticeAfterMs` is told its place (once). */
  const noticeIfStillWaiting = (e: StoredEvent, queue: StoredEvent[]) => {
    if (config.queuedNoticeAfterMs <= 0) return undefined;
    const timer = setTimeout(() => {
      const position = queue.indexOf(e) + 1;
      if (position === 0 || stopping) return;
      dispatcher
        .queued(e.event, position)
        .catch((err: unknown) => log.warn({ err, eventId: e.eventId }, 'queued notice failed'));
    }, config.queuedNoticeAfterMs);
    timer.unref();
    return timer;
  };
  const outOfBand = new Set<Promise<void>>();
  let stopping = false;
  const processOne = async (e: StoredEvent) => {
    if (e.receivedAt !== undefined) arrivedAt.set(e.eventId, e.receivedAt);
    try {
      const outcome = await dispatcher.handle(e.event);
      await state.finishEvent(e.eventId, outcome === 'handled' ? 'done' : 'skipped');
      botMetrics.events.inc({ outcome });
    } catch (err) {
      // One failing event never takes the runner down; it is recorded and not retried forever.
      log.error({ err, eventId: e.eventId, roomId: e.roomId }, 'event processing failed');
      botMetrics.events.inc({ outcome: 'failed' });
      await state.finishEvent(e.eventId, 'failed', errorMessage(err)).catch(() => undefined);
    } finally {
      arrivedAt.delete(e.eventId);
    }
  };
  const enqueue = (events: readonly StoredEvent[]) => {
    for (const e of events) {
      // Reactions (and `stop`) are not queued behind the commands of their room: a ❌ must reach
      // the command it cancels while that command is still running.
      if (e.event.type === 'm.reaction' || dispatcher.mayStop(e.event)) {
        const done = (stopping ? Promise.resolve() : processOne(e)).finally(() => outOfBand.delete(done));
        outOfBand.add(done);
        continue;
      }
      const prev = chains.get(e.roomId);
      const queue = waiting.get(e.roomId) ?? [];
      waiting.set(e.roomId, queue);
      queue.push(e);
      // Only a message behind another one waits; the first starts at once.
      const timer = prev ? noticeIfStillWaiting(e, queue) : undefined;
      const next = (prev ?? Promise.resolve()).then(() => {
        clearTimeout(timer);
        queue.splice(queue.indexOf(e), 1);
        if (queue.length === 0 && waiting.get(e.roomId) === queue) waiting.delete(e.roomId);
        return stopping ? undefined : processOne(e);
      });
      chains.set(e.roomId, next);
      void next.finally(() => {
        if (chains.get(e.roomId) === next) chains.delete(e.roomId);
      });
    }
  };
  const idle = async () => {
    while (chains.size > 0 || outOfBand.size > 0) await Promise.all([...chains.values(), ...outOfBand]);
  };

  const app = createServiceApp({
    name: 'bots',
    logger: log,
    metrics,
    maxBodyBytes: 32 * 1024 * 1024,
    readiness: {
      postgres: () => state.sql`select 1`,
      ...(jobs ? { redis: () => jobs.ping() } : {}),
    },
  });
  const hostedIds = new Set(dispatcher.hosted.map((b) => b.userId));
  mountAppserviceRoutes(app, {
    hsToken: config.hsToken,
    state,
    metrics: botMetrics,
    isBotUser: (u) => hostedIds.has(u),
    wants: (e) => dispatcher.wants(e),
    ...(e2ee ? { onTransaction: (body: Record<string, unknown>) => e2ee.receiveTransaction(body) } : {}),
    log,
    onEvents: enqueue,
  });

  // Bot users exist before Synapse can send us anything for them; their devices and keys next.
  await dispatcher.start({ http: app, metrics });
  await e2ee?.start();
  const server: RunningServer = await listen(app, { port: config.port, host: config.host });
  // Whatever was stored but not processed before the last stop.
  const pending = await state.pendingEvents();
  if (pending.length > 0) log.info({ count: pending.length }, 'processing events left from the last run');
  enqueue(pending);
  jobs?.start((job) => dispatcher.runJob(job));
  log.info({ url: server.url, bots: dispatcher.hosted.map((b) => b.id) }, 'bot runner listening');

  return {
    server,
    url: server.url,
    port: server.port,
    hosted: dispatcher.hosted,
    metrics,
    dispatcher,
    idle,
    async drain() {
      stopping = true;
      await idle();
    },
    async stop() {
      await server.close();
      await idle();
      stopping = true;
      await jobs?.close();
      await watcher?.close();
      await stores.close();
      e2ee?.close();
      await state.close();
    },
  };
}
