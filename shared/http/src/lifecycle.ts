/**
 * The one life cycle of every Mana process: parse config → start → ready → on SIGTERM/SIGINT drain
 * (readiness red, in-flight work finishes, bounded by the drain timeout) → stop (HTTP server, then
 * the service's resources) → exit with one of `ExitCode`.
 */
import { ConfigError } from '@mana/config';
import { createLogger, type Logger } from '@mana/logging';
import type { RunningServer } from './service.ts';

/** Exit codes, the same for every service (scripts/dev.ts does not restart on `Config`). */
export const ExitCode = {
  /** Stopped on a signal, every in-flight piece of work finished. */
  Ok: 0,
  /** Failed to start (a dependency down, a bug) or failed while stopping; a restart may help. */
  Failure: 1,
  /** The drain timed out, or a second signal cut it short: in-flight work was cut off (EX_TEMPFAIL). */
  DrainTimeout: 75,
  /** Bad configuration (EX_CONFIG); the log names the variable. A restart cannot help. */
  Config: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What a service's start function hands to the life cycle. */
export interface Service {
  /** The HTTP server from `listen()`; its open requests are awaited by the drain. */
  readonly server: RunningServer;
  /**
   * Finishes the service's own in-flight work besides HTTP requests (events being processed,
   * WebSockets to close); called once readiness is red, concurrently with the wait for requests.
   */
  drain?(): Promise<void>;
  /** Closes the HTTP server if it is still open, then the service's resources (pools, Redis, timers). */
  stop(): Promise<void>;
}

/** The part of a service's config the life cycle reads. */
export interface LifecycleConfig {
  logLevel?: string;
  /** How long the drain may take before the process stops anyway (`ExitCode.DrainTimeout`). */
  drainTimeoutMs: number;
}

/** Where signals come from and how the process ends; `process` unless a test passes its own. */
export interface ProcessLike {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export interface RunServiceOptions<C extends LifecycleConfig> {
  /** Service name, for the logs. */
  name: string;
  /** Parses the configuration; a `ConfigError` exits 78 naming each bad variable. */
  config: () => C;
  /** Connects, migrates and listens; resolves once the service is ready. */
  start: (context: { config: C; logger: Logger }) => Promise<Service>;
  /** Other errors of `start` that mean bad configuration (exit 78), e.g. missing signing keys. */
  isConfigError?: (err: unknown) => boolean;
  /** Default: JSON logs at `config.logLevel`. */
  logger?: Logger;
  process?: ProcessLike;
}

/**
 * Runs a service until SIGTERM or SIGINT, then drains and stops it, and ends the process with an
 * `ExitCode`. Resolves with that code (after `process.exit`, which only a test's `process` returns from).
 *
 * @example
 * await runService({
 *   name: 'sync',
 *   config: () => loadSyncConfig(),
 *   start: async ({ config, logger }) => {
 *     const sync = await createSyncServer({ config, logger });
 *     return { server: await sync.listen(), drain: () => sync.drain(), stop: () => sync.stop() };
 *   },
 * });
 */
export async function runService<C extends LifecycleConfig>(
  options: RunServiceOptions<C>,
): Promise<ExitCode> {
  const proc = options.process ?? process;
  let logger = options.logger ?? createLogger({ service: options.name });
  let settle: (code: ExitCode) => void = () => undefined;
  const done = new Promise<ExitCode>((res) => (settle = res));
  const exit = (code: ExitCode) => {
    settle(code);
    proc.exit(code);
  };

  let signalled: NodeJS.Signals | undefined;
  let running: { service: Service; drainTimeoutMs: number } | undefined;
  const stopOn = (signal: NodeJS.Signals, { service, drainTimeoutMs }: NonNullable<typeof running>) => {
    shutdown({ signal, service, drainTimeoutMs, logger, name: options.name }).then(exit, (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      exit(ExitCode.Failure);
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: stopping without waiting for in-flight work');
      exit(ExitCode.DrainTimeout);
      return;
    }
    signalled = signal;
    // A signal during start-up is acted on once the service is up.
    if (running) stopOn(signal, running);
  };
  proc.on('SIGTERM', onSignal);
  proc.on('SIGINT', onSignal);

  try {
    const config = options.config();
    if (!options.logger)
      logger = createLogger({
        service: options.name,
        ...(config.logLevel ? { level: config.logLevel } : {}),
      });
    const service = await options.start({ config, logger });
    running = { service, drainTimeoutMs: config.drainTimeoutMs };
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal({ issues: err.issues }, err.message);
      exit(ExitCode.Config);
    } else if (options.isConfigError?.(err)) {
      logger.fatal({ err }, err instanceof Error ? err.message : String(err));
      exit(ExitCode.Config);
    } else {
      logger.fatal({ err }, `${options.name} failed to start`);
      exit(ExitCode.Failure);
    }
    return done;
  }
  logger.info({ url: running.service.server.url }, `${options.name} ready`);
  if (signalled) stopOn(signalled, running);
  return done;
}

/** Readiness red → requests and the service's own work finish (or the timeout) → close → stop. */
async function shutdown({
  signal,
  service,
  drainTimeoutMs,
  logger,
  name,
}: {
  signal: NodeJS.Signals;
  service: Service;
  drainTimeoutMs: number;
  logger: Logger;
  name: string;
}): Promise<ExitCode> {
  const { server } = service;
  const started = Date.now();
  logger.info({ signal, inFlight: server.inFlight, drainTimeoutMs }, 'draining');
  server.beginDrain();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.all([server.idle(), service.drain?.()]).then(() => true),
    new Promise<false>((res) => (timer = setTimeout(() => res(false), drainTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (drained) logger.info({ ms: Date.now() - started }, 'drained');
  else logger.warn({ inFlight: server.inFlight, drainTimeoutMs }, 'drain timed out; cutting off the rest');
  try {
    // Requests that came in after the drain get what is left of its time.
    await server.close({ forceAfterMs: drained ? Math.max(0, started + drainTimeoutMs - Date.now()) : 0 });
    await service.stop();
  } catch (err) {
    logger.error({ err }, 'stop failed');
    return ExitCode.Failure;
  }
  logger.info(`${name} stopped`);
  return drained ? ExitCode.Ok : ExitCode.DrainTimeout;
}
