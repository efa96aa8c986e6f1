import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderLogConfigYaml } from './log-config.ts';

describe('renderLogConfigYaml', () => {
  it('is a dictConfig document with one console handler', () => {
    const config = parse(renderLogConfigYaml({ level: 'WARNING' })) as Record<string, unknown>;
    expect(config).toMatchObject({
      version: 1,
      handlers: { console: { class: 'logging.StreamHandler', formatter: 'precise' } },
      root: { level: 'WARNING', handlers: ['console'] },
      loggers: { 'synapse.storage.SQL': { level: 'INFO' } },
      disable_existing_loggers: false,
    });
  });
});
