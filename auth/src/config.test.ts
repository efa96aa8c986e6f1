import { ConfigError } from '@mana/config';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './config.ts';

describe('AUTH_MATRIX_MODE', () => {
  it('defaults to sso and needs no shared secret there', () => {
    expect(loadAuthConfig({}).matrixMode).toBe('sso');
  });

  it('delegated mode needs a shared secret of 32+ characters, named in the error', () => {
    const err = (() => {
      try {
        loadAuthConfig({ AUTH_MATRIX_MODE: 'delegated', AUTH_MATRIX_SHARED_SECRET: 'short' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err instanceof ConfigError ? err.issues.map((i) => i.variable) : []).toEqual([
      'AUTH_MATRIX_SHARED_SECRET',
    ]);
    expect(
      loadAuthConfig({ AUTH_MATRIX_MODE: 'delegated', AUTH_MATRIX_SHARED_SECRET: 's'.repeat(32) }).matrixMode,
    ).toBe('delegated');
  });
});
