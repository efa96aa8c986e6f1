/**
 * The credits module of the auth service: ledger tables (schema `credits`), the `/api/v1/credits`
 * routes, the starting-balance grant, the sweeper that returns expired holds and the periodic
 * ledger check (`ledger-watch.ts`, exported as metrics).
 *
 * @example
 * const credits = createCreditsModule({ sql, verifier, logger, metrics, config: creditsConfigFrom(config) });
 * await credits.migrate();
 * app.route('/api/v1/credits', credits.routes);  // app = createServiceApp(...), whose onError renders errors
 * credits.start();
 * // on sign-up: await credits.grantStartingBalance(user.id);
 * // on shutdown: await credits.stop();
 */
import type { TokenVerifier } from '@mana/auth-client';
import { flushWal, loadMigrations, migrate, type Sql } from '@mana/db';
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';
import type { Context, Hono } from 'hono';
import { fileURLToPath } from 'node:url';
import type { CreditsConfig } from './config.ts';
import { createLedger, type Ledger } from './ledger.ts';
import { createLedgerWatch, type LedgerWatch } from './ledger-watch.ts';
import { memoryLimiter, type Limiter } from './limiter.ts';
import { creditsMetrics } from './metrics.ts';
import { createCreditsRoutes, type CreditsEnv } from './routes.ts';

export { checkLedger, type LedgerCheck } from './check.ts';
export { creditsConfigFrom, creditsConfigVars, type CreditsConfig } from './config.ts';
export type { Ledger, Principal } from './ledger.ts';
export { SCOPE_CREDITS, SCOPE_CREDITS_ADMIN } from './routes.ts';

/** The Postgres schema the ledger lives in. */
export const CREDITS_SCHEMA = 'credits';
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/credits', import.meta.url));

export interface CreditsModuleOptions {
  /** postgres.js pool; queries name `credits.*` explicitly, so its search_path does not matter. */
  sql: Sql;
  /**
   * A pool that commits asynchronously (`connect({ asyncCommit: true })`) for the ledger's writes;
   * each answer then waits for `flushWal(sql)`. One hot account (64 writers) goes from one disk flush
   * per statement to one per group. Without it the ledger commits synchronously on `sql`.
   */
  ledgerSql?: Sql;
  /** Verifies access tokens for audience `urn:mana:credits`. */
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  config: CreditsConfig;
  /** Counts redeem attempts (auth's Redis limiter); default: in process memory. */
  limiter?: Limiter;
  /** Reads the client's address for the per-IP redeem limit (auth's `clientIp`). */
  clientIp?: (c: Context) => string;
}

export interface CreditsModule {
  /** Mount with `app.route('/api/v1/credits', routes)` inside a `createServiceApp` app. */
  routes: Hono<CreditsEnv>;
  /** Applies the ledger migrations to schema `credits` (advisory-locked, safe with many instances). */
  migrate(): Promise<void>;
  /** Creates the account and grants the configured starting balance once; safe to call repeatedly. */
  grantStartingBalance(userId: string): Promise<void>;
  /**
   * Starts the sweeper that releases reservations past their TTL and returns expired gifts, and the
   * ledger check (at once, then every `checkIntervalSec`).
   */
  start(): void;
  /** Stops both timers and waits for a running sweep or check to finish. */
  stop(): Promise<void>;
  /** The periodic ledger check and its gauges. */
  watch: LedgerWatch;
  /** The ledger itself, for in-process callers (admin CLI, tests). */
  ledger: Ledger;
}

export function createCreditsModule(options: CreditsModuleOptions): CreditsModule {
  const { sql, verifier, logger, metrics, config } = options;
  const log = logger.child({ module: 'credits' });
  const ledger = createLedger({
    sql: options.ledgerSql ?? sql,
    reservationTtlSec: config.reservationTtlSec,
    giftTtlSec: config.giftTtlSec,
    events: creditsMetrics(metrics),
    ...(options.ledgerSql ? { flush: () => flushWal(sql) } : {}),
  });
  const routes = createCreditsRoutes({
    ledger,
    verifier,
    limiter: options.limiter ?? memoryLimiter(),
    redeemPerMinute: config.redeemPerMinute,
    redeemPerIpPerMinute: config.redeemPerIpPerMinute,
    ...(options.clientIp ? { clientIp: options.clientIp } : {}),
  });

  const watch = createLedgerWatch({ sql, metrics, logger: log, intervalSec: config.checkIntervalSec });

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const sweepOnce = async () => {
    try {
      const released = await ledger.sweep();
      if (released > 0) log.info({ released }, 'released expired credit reservations');
      const returned = await ledger.sweepGifts();
      if (returned > 0) log.info({ returned }, 'returned expired gifts to their givers');
    } catch (err) {
      // A failed sweep only delays returning holds; the next tick tries again.
      log.error({ err }, 'credit reservation sweep failed');
    }
  };

  return {
    routes,
    ledger,
    watch,
    async migrate() {
      const applied = await migrate(sql, {
        schema: CREDITS_SCHEMA,
        migrations: await loadMigrations(MIGRATIONS_DIR),
      });
      if (applied.length > 0) log.info({ applied }, 'credits migrations applied');
    },
    grantStartingBalance: (userId) => ledger.grantStartingBalance(userId, config.startingBalance),
    start() {
      if (timer) return;
      timer = setInterval(() => {
        // Never two sweeps at once from this process; a slow sweep just skips a tick.
        running ??= sweepOnce().finally(() => (running = undefined));
      }, config.sweepIntervalSec * 1000);
      timer.unref();
      watch.start();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all([running, watch.stop()]);
    },
  };
}
