import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, defineConfig, envName, loadConfig, renderEnvExample, vars } from './index.ts';

const spec = defineConfig('DEMO_', {
  port: vars.port(3000),
  databaseUrl: vars.databaseUrl(),
  apiSecret: vars.secret('signing secret'),
  mode: { schema: z.enum(['a', 'b']), default: 'a', doc: 'mode' },
});

describe('loadConfig', () => {
  it('applies defaults, coercion and fallbacks', () => {
    const c = loadConfig(spec, { DEMO_API_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://h/db' });
    expect(c).toEqual({ port: 3000, databaseUrl: 'postgres://h/db', apiSecret: 'x'.repeat(32), mode: 'a' });
    expect(loadConfig(spec, { DEMO_PORT: '8080', DEMO_API_SECRET: 'y'.repeat(40) }).port).toBe(8080);
  });

  it('rejects a bad variable, naming it', () => {
    let err: unknown;
    try {
      loadConfig(spec, { DEMO_PORT: 'eighty', DEMO_API_SECRET: 'x'.repeat(32) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    if (!(err instanceof ConfigError)) return;
    expect(err.issues.map((i) => i.variable)).toEqual(['DEMO_PORT']);
    expect(err.message).toContain('DEMO_PORT');
  });

  it('names every missing or invalid variable at once, including fallbacks by their own name', () => {
    try {
      loadConfig(spec, { DATABASE_URL: 'mysql://nope', DEMO_MODE: 'c' });
      expect.unreachable();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      expect(e.issues.map((i) => i.variable).sort()).toEqual([
        'DATABASE_URL',
        'DEMO_API_SECRET',
        'DEMO_MODE',
      ]);
    }
  });

  it('never prints a secret into .env.example', () => {
    const text = renderEnvExample(spec, 'demo');
    expect(text).toContain('DEMO_API_SECRET=\n');
    expect(text).toContain('# DEMO_PORT=3000');
    expect(envName('X_', 'cookieDomain')).toBe('X_COOKIE_DOMAIN');
  });
});
