/**
 * Runs the ledger check (`checkLedger`) on a timer and exports its outcome, so Prometheus alerts
 * when the books stop balancing (`CreditsLedgerCheckFailed`) or the check stops running
 * (`CreditsLedgerCheckStale`), and the stats bot's reports show it:
 * - `credits_ledger_check_ok`: 1 when the last finished check found nothing, else 0 (also 0 before
 *   the first one finished; the alert needs the timestamp too, so a fresh start is no failure);
 * - `credits_ledger_check_timestamp_seconds`: when the last check finished (unix seconds, 0 = never).
 */
import type { Sql } from '@mana/db';
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';
import { checkLedger, type LedgerCheck } from './check.ts';

export interface LedgerWatch {
  /** Checks now, then every interval (the timer does not keep the process alive). */
  start(): void;
  /** Stops the timer and waits for a running check. */
  stop(): Promise<void>;
  /** One check, its outcome exported; undefined when it failed to run (the gauges keep their values). */
  checkOnce(): Promise<LedgerCheck | undefined>;
}

function gauge(metrics: Metrics, name: string, help: string) {
  // Reused when the module is built twice against one registry (tests).
  const existing = metrics.registry.getSingleMetric(name);
  if (existing instanceof metrics.client.Gauge) return existing;
  return new metrics.client.Gauge({ name, help, registers: [metrics.registry] });
}

export function createLedgerWatch(options: {
  sql: Sql;
  metrics: Metrics;
  logger: Logger;
  intervalSec: number;
  now?: () => Date;
}): LedgerWatch {
  const { sql, logger: log } = options;
  const now = options.now ?? (() => new Date());
  const ok = gauge(
    options.metrics,
    'credits_ledger_check_ok',
    '1 when the last ledger check found the books consistent, 0 when it found problems (or none finished yet)',
  );
  const finished = gauge(
    options.metrics,
    'credits_ledger_check_timestamp_seconds',
    'Unix time the last ledger check finished (0 = none yet)',
  );
  ok.set(0);
  finished.set(0);

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<LedgerCheck | undefined> | undefined;

  async function checkOnce(): Promise<LedgerCheck | undefined> {
    let result: LedgerCheck;
    try {
      // One snapshot for all of the check's statements: writes landing meanwhile cannot make two of
      // its queries disagree.
      result = await sql.begin('isolation level repeatable read read only', (tx) =>
        checkLedger(tx as unknown as Sql),
      );
    } catch (err) {
      // Postgres away or too slow: the gauges stay; CreditsLedgerCheckStale fires if it lasts.
      log.error({ err }, 'ledger check failed to run');
      return undefined;
    }
    ok.set(result.ok ? 1 : 0);
    finished.set(now().getTime() / 1000);
    if (!result.ok) log.error({ problems: result.problems }, 'ledger check found problems');
    return result;
  }

  const tick = () => {
    // Never two checks at once from this process; a slow one skips a tick.
    running ??= checkOnce().finally(() => (running = undefined));
  };

  return {
    checkOnce,
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, options.intervalSec * 1000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
