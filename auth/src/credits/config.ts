/**
 * The credits part of auth's configuration, declared as data (`@mana/config`). Auth spreads these
 * into its own `defineConfig('AUTH_', { ... })`, which names them `AUTH_CREDITS_*`.
 */
import type { VarSpec } from '@mana/config';
import { z } from 'zod';

export const creditsConfigVars = {
  creditsStartingBalance: {
    schema: z.coerce.number().int().min(0).max(1_000_000_000),
    default: '10000',
    doc: 'Milli-credits granted once to every new account (1000 = 1 credit)',
  },
  creditsReservationTtlSec: {
    schema: z.coerce.number().int().min(1).max(86_400),
    default: '900',
    doc: 'Seconds a credit reservation stays held before the sweeper returns it',
  },
  creditsSweepIntervalSec: {
    schema: z.coerce.number().int().min(1).max(3600),
    default: '30',
    doc: 'Seconds between sweeps for expired credit reservations',
  },
  creditsCheckIntervalSec: {
    schema: z.coerce.number().int().min(10).max(86_400),
    default: '300',
    doc: 'Seconds between runs of the ledger check (exported as credits_ledger_check_ok / _timestamp_seconds; the stale alert fires after an hour without one)',
  },
  creditsGiftTtlSec: {
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(366 * 86_400),
    default: String(30 * 86_400),
    doc: 'Seconds an unredeemed gift code stays valid before the sweeper returns it to the giver',
  },
  creditsRedeemPerMinute: {
    schema: z.coerce.number().int().min(1).max(10_000),
    default: '10',
    doc: 'Gift redeem attempts per user per minute before 429',
  },
  creditsRedeemPerIpPerMinute: {
    schema: z.coerce.number().int().min(1).max(100_000),
    default: '60',
    doc: 'Gift redeem attempts per client IP per minute before 429 (not for bots acting for users)',
  },
} as const satisfies Record<string, VarSpec>;

export interface CreditsConfig {
  /** Milli-credits granted once per account by `grantStartingBalance`. */
  startingBalance: number;
  reservationTtlSec: number;
  sweepIntervalSec: number;
  /** Seconds between ledger checks (`ledger-watch.ts`). */
  checkIntervalSec: number;
  giftTtlSec: number;
  redeemPerMinute: number;
  redeemPerIpPerMinute: number;
}

/**
 * Picks the credits settings out of auth's parsed config.
 *
 * @example
 * const config = loadConfig(defineConfig('AUTH_', { ...authVars, ...creditsConfigVars }));
 * createCreditsModule({ ..., config: creditsConfigFrom(config) });
 */
export function creditsConfigFrom(config: {
  creditsStartingBalance: number;
  creditsReservationTtlSec: number;
  creditsSweepIntervalSec: number;
  creditsCheckIntervalSec: number;
  creditsGiftTtlSec: number;
  creditsRedeemPerMinute: number;
  creditsRedeemPerIpPerMinute: number;
}): CreditsConfig {
  return {
    startingBalance: config.creditsStartingBalance,
    reservationTtlSec: config.creditsReservationTtlSec,
    sweepIntervalSec: config.creditsSweepIntervalSec,
    checkIntervalSec: config.creditsCheckIntervalSec,
    giftTtlSec: config.creditsGiftTtlSec,
    redeemPerMinute: config.creditsRedeemPerMinute,
    redeemPerIpPerMinute: config.creditsRedeemPerIpPerMinute,
  };
}
