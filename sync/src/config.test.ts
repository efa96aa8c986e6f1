import { SYNC_AUDIENCE } from '@mana/auth-client';
import { ConfigError } from '@mana/config';
import { describe, expect, it } from 'vitest';
import { principalOf, cachedVerifier, mayUse } from './auth.ts';
import { loadSyncConfig } from './config.ts';

describe('sync config', () => {
  it('has working defaults for every variable', () => {
    const c = loadSyncConfig({});
    expect(c).toMatchObject({
      port: 3010,
      audience: SYNC_AUDIENCE,
      redisPrefix: 'mana:',
      maxChanges: 1000,
      jwksUri: '',
      wsAuthTimeoutMs: 10_000,
    });
  });

  it('fails naming the bad variable', () => {
    expect(() => loadSyncConfig({ SYNC_MAX_CHANGES: 'lots', SYNC_JWKS_URI: 'not a url' })).toThrow(
      ConfigError,
    );
    try {
      loadSyncConfig({ SYNC_MAX_CHANGES: 'lots', SYNC_JWKS_URI: 'not a url' });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      expect(err.issues.map((i) => i.variable).sort()).toEqual(['SYNC_JWKS_URI', 'SYNC_MAX_CHANGES']);
    }
  });
});

describe('principals', () => {
  const token = (scopes: string[], actor?: string) => ({
    sub: 'u',
    scopes,
    expiresAt: 0,
    ...(actor ? { actor: { sub: actor } } : {}),
  });
  it('scope sync grants every app; sync:<app> only that app; others nothing', () => {
    expect(mayUse(principalOf(token(['sync'])), 'calendar')).toBe(true);
    const bot = principalOf(token(['sync:todo', 'sync:settings'], 'bot-todo'));
    expect(bot).toMatchObject({ userId: 'u', actor: 'bot-todo' });
    expect([mayUse(bot, 'todo'), mayUse(bot, 'settings'), mayUse(bot, 'calendar')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(mayUse(principalOf(token(['openid', 'syncx'])), 'todo')).toBe(false);
  });

  it('caches verified tokens until they expire', async () => {
    let calls = 0;
    let now = 1_000_000;
    const v = cachedVerifier(
      { verify: async (t) => (calls++, { sub: String(t), scopes: [], expiresAt: 1_000 + 60, payload: {} }) },
      { now: () => now },
    );
    await v.verify('a');
    await v.verify('a');
    expect(calls).toBe(1);
    now = 1_061_000; // past exp
    await v.verify('a');
    expect(calls).toBe(2);
  });
});
