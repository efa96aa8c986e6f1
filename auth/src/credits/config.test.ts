import { defineConfig, loadConfig, renderEnvExample } from '@mana/config';
import { describe, expect, it } from 'vitest';
import { creditsConfigFrom, creditsConfigVars } from './config.ts';

describe('credits configuration', () => {
  const spec = defineConfig('AUTH_', { ...creditsConfigVars });

  it('reads AUTH_CREDITS_* with documented defaults', () => {
    expect(creditsConfigFrom(loadConfig(spec, {}))).toEqual({
      startingBalance: 10_000,
      reservationTtlSec: 900,
      sweepIntervalSec: 30,
      checkIntervalSec: 300,
      giftTtlSec: 2_592_000,
      redeemPerMinute: 10,
      redeemPerIpPerMinute: 60,
    });
    const env = {
      AUTH_CREDITS_STARTING_BALANCE: '0',
      AUTH_CREDITS_RESERVATION_TTL_SEC: '60',
      AUTH_CREDITS_SWEEP_INTERVAL_SEC: '5',
      AUTH_CREDITS_CHECK_INTERVAL_SEC: '60',
      AUTH_CREDITS_GIFT_TTL_SEC: '3600',
      AUTH_CREDITS_REDEEM_PER_MINUTE: '3',
    };
    expect(creditsConfigFrom(loadConfig(spec, env))).toEqual({
      startingBalance: 0,
      reservationTtlSec: 60,
      sweepIntervalSec: 5,
      checkIntervalSec: 60,
      giftTtlSec: 3600,
      redeemPerMinute: 3,
      redeemPerIpPerMinute: 60,
    });
    expect(renderEnvExample(spec, 'auth')).toContain('# AUTH_CREDITS_STARTING_BALANCE=10000');
  });

  it('names the bad variable', () => {
    expect(() =>
      loadConfig(spec, { AUTH_CREDITS_STARTING_BALANCE: '1.5', AUTH_CREDITS_RESERVATION_TTL_SEC: '0' }),
    ).toThrow(/AUTH_CREDITS_STARTING_BALANCE[\s\S]*AUTH_CREDITS_RESERVATION_TTL_SEC/);
    // A check every second would scan the whole ledger back to back.
    expect(() => loadConfig(spec, { AUTH_CREDITS_CHECK_INTERVAL_SEC: '1' })).toThrow(
      'AUTH_CREDITS_CHECK_INTERVAL_SEC',
    );
  });
});
