import { describe, expect, it } from 'vitest';
import { loadStatsConfig } from './config.ts';

describe('stats config', () => {
  it('defaults: no ops room, 09:00 daily and Monday 09:00 weekly in Europe/Berlin', () => {
    expect(loadStatsConfig({})).toMatchObject({
      opsRoom: '',
      operators: [],
      timezone: 'Europe/Berlin',
      dailyCron: '0 9 * * *',
      weeklyCron: '0 9 * * 1',
      alertmanagerToken: '',
    });
  });

  it('reads the operators as a list and refuses bad values, naming the variable', () => {
    expect(loadStatsConfig({ STATS_OPERATORS: '@a:x.org, @b:x.org' }).operators).toEqual([
      '@a:x.org',
      '@b:x.org',
    ]);
    expect(() => loadStatsConfig({ STATS_OPERATORS: 'alice' })).toThrow('STATS_OPERATORS');
    expect(() => loadStatsConfig({ STATS_OPS_ROOM: 'ops' })).toThrow('STATS_OPS_ROOM');
    expect(() => loadStatsConfig({ STATS_TIMEZONE: 'Mars/Olympus' })).toThrow('STATS_TIMEZONE');
    expect(() => loadStatsConfig({ STATS_ALERTMANAGER_TOKEN: 'short' })).toThrow('STATS_ALERTMANAGER_TOKEN');
    expect(() => loadStatsConfig({ STATS_DAILY_CRON: 'daily' })).toThrow('STATS_DAILY_CRON');
    expect(() => loadStatsConfig({ STATS_RUNBOOK_BASE_URL: 'deploy/' })).toThrow('STATS_RUNBOOK_BASE_URL');
    expect(() => loadStatsConfig({ STATS_RUNBOOK_BASE_URL: 'ftp://x.org/' })).toThrow(
      'STATS_RUNBOOK_BASE_URL',
    );
  });

  it('the runbook base gets its trailing slash, so a path resolves under it', () => {
    expect(
      loadStatsConfig({ STATS_RUNBOOK_BASE_URL: 'https://git.example.org/mana/blob/main' }).runbookBaseUrl,
    ).toBe('https://git.example.org/mana/blob/main/');
    expect(loadStatsConfig({}).runbookBaseUrl).toBe('');
  });
});
