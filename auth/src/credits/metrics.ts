import type { client, Metrics } from '@mana/metrics';
import type { LedgerEvents } from './ledger.ts';

/**
 * Registers the credits counters on the service's registry. Reuses a counter that is already there,
 * so building the module twice against one registry (tests, hot reload) does not throw.
 */
export function creditsMetrics(metrics: Metrics): LedgerEvents {
  const counter = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): client.Counter<L> => {
    const existing = metrics.registry.getSingleMetric(name);
    if (existing instanceof metrics.client.Counter) return existing;
    return new metrics.client.Counter({ name, help, labelNames, registers: [metrics.registry] });
  };
  const reserved = counter('credits_reserved_total', 'Credit holds placed (reserve and consume)');
  const committed = counter('credits_committed_total', 'Credit charges committed, by operation', [
    'operation',
  ] as const);
  const committedMilli = counter('credits_committed_milli_total', 'Milli-credits charged, by operation', [
    'operation',
  ] as const);
  const insufficient = counter('credits_insufficient_total', 'Reservations refused for lack of credits');
  const expired = counter('credits_expired_total', 'Reservations released by the TTL sweeper');
  const granted = counter(
    'credits_granted_milli_total',
    'Milli-credits added to accounts, by kind (grant: starting balances and admin grants, refund, gift: redeemed gifts)',
    ['kind'] as const,
  );
  // Every kind exported from the start (at 0): increase() then counts a kind's first grant too.
  for (const kind of ['grant', 'refund', 'gift'] as const) granted.inc({ kind }, 0);
  return {
    reserved: () => reserved.inc(),
    committed: (operation, amount) => {
      committed.inc({ operation });
      committedMilli.inc({ operation }, amount);
    },
    insufficient: () => insufficient.inc(),
    expired: (count) => expired.inc(count),
    granted: (kind, amount) => granted.inc({ kind }, amount),
  };
}
