import { ConfigError } from '@mana/config';
import { describe, expect, it } from 'vitest';
import { loadBotConfig } from './config.ts';

const base = { BOT_AS_TOKEN: 'as-token', BOT_HS_TOKEN: 'hs-token', BOT_DATABASE_URL: 'postgres://x/y' };

describe('BOT_TEST_DELAY_SCALE', () => {
  it('is 1 (off) by default and a number ≥ 1 in tests', () => {
    expect(loadBotConfig(base).testDelayScale).toBe(1);
    expect(loadBotConfig({ ...base, BOT_NODE_ENV: 'test', BOT_TEST_DELAY_SCALE: '60' }).testDelayScale).toBe(
      60,
    );
    expect(() => loadBotConfig({ ...base, BOT_TEST_DELAY_SCALE: '0.5' })).toThrow(ConfigError);
  });

  it('is refused in production: alarms there must ring at their minute', () => {
    expect(() => loadBotConfig({ ...base, BOT_NODE_ENV: 'production', BOT_TEST_DELAY_SCALE: '60' })).toThrow(
      /BOT_TEST_DELAY_SCALE.*tests only/s,
    );
  });
});
