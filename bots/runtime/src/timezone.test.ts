import { describe, expect, it } from 'vitest';
import { memoryIdentity, memoryStores } from './memory.ts';
import { SETTINGS_APP, SETTINGS_ROW, SETTINGS_TABLE, settingsOnSync } from './settings.ts';
import {
  assertTimezone,
  canonicalTimezone,
  formatDate,
  InvalidTimezoneError,
  isValidTimezone,
} from './timezone.ts';

describe('time zones', () => {
  it('IANA names, any case, aliases answered with the canonical name', () => {
    expect(canonicalTimezone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimezone(' europe/berlin ')).toBe('Europe/Berlin');
    expect(canonicalTimezone('America/New York')).toBe('America/New_York');
    // Old and new names of one zone come back as one name (ICU's, whichever it is).
    expect(canonicalTimezone('asia/kolkata')).toBe(canonicalTimezone('Asia/Calcutta'));
    expect(canonicalTimezone('Asia/Kolkata')).toMatch(/^Asia\/(Kolkata|Calcutta)$/);
    expect(canonicalTimezone('US/Pacific')).toBe('America/Los_Angeles');
    expect(canonicalTimezone('UTC')).toBe('UTC');
    expect(isValidTimezone('Etc/GMT-2')).toBe(true);
  });

  it('anything else is refused with an example and close matches', () => {
    for (const bad of ['Mars/Olympus', 'CEST', '+02:00', '', 'Europe/../Berlin', 'Berlin']) {
      expect(isValidTimezone(bad), bad).toBe(false);
    }
    const err = (() => {
      try {
        assertTimezone('Europe/Berlim');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidTimezoneError);
    if (!(err instanceof InvalidTimezoneError)) return;
    expect(err.suggestions).toContain('Europe/Berlin');
    expect(typeof err.human === 'string' ? err.human : err.human.en).toMatch(
      /Europe\/Berlin or America\/New_York.*Did you mean .*Europe\/Berlin/,
    );
    expect(typeof err.human === 'string' ? err.human : err.human.de).toMatch(/keine Zeitzone/);
  });

  it('formatDate shows the instant in the zone and language', () => {
    const d = new Date('2026-12-02T08:05:00Z');
    expect(formatDate(d, { lang: 'de', timezone: 'Europe/Berlin' })).toBe('Mi., 2. Dez. 2026, 09:05');
    expect(formatDate(d, { lang: 'en', timezone: 'Europe/Berlin' })).toBe('Wed, 2 Dec 2026, 09:05');
    expect(formatDate(d, { lang: 'en', timezone: 'America/New_York', style: 'time' })).toBe('03:05');
    expect(formatDate(d, { lang: 'de', timezone: 'Asia/Tokyo', style: 'date' })).toBe('Mi., 2. Dez. 2026');
    expect(formatDate(d, { lang: 'de', timezone: 'Europe/Berlin', style: 'short' })).toBe('02.12.26, 09:05');
    expect(formatDate(d, { lang: 'de', timezone: 'Europe/Berlin', style: 'time', showZone: true })).toBe(
      '09:05 MEZ',
    );
    // Summer time shows as such.
    expect(
      formatDate(new Date('2027-06-01T07:00:00Z'), {
        lang: 'en',
        timezone: 'Europe/Berlin',
        style: 'time',
        showZone: true,
      }),
    ).toBe('09:00 CEST');
    expect(() => formatDate(d, { lang: 'de', timezone: 'Nowhere' })).toThrow(InvalidTimezoneError);
  });

  it('setTimezone stores the canonical name in the settings row, creating it with a language', async () => {
    const identity = memoryIdentity(['@a:x', '@b:x']);
    const stores = memoryStores(identity);
    const settings = settingsOnSync(stores, { defaultTimezone: 'Europe/Berlin', defaultLanguage: 'en' });
    expect(await settings.setTimezone('@a:x', 'asia/tokyo')).toBe('Asia/Tokyo');
    expect(stores.rows('@a:x', SETTINGS_APP, SETTINGS_TABLE)).toEqual([
      { id: SETTINGS_ROW, timezone: 'Asia/Tokyo', language: 'en' },
    ]);
    expect(await settings.get('@a:x')).toEqual({ language: 'en', timezone: 'Asia/Tokyo' });
    await settings.setLanguage('@b:x', 'de');
    await settings.setTimezone('@b:x', 'America/New_York');
    expect(await settings.get('@b:x')).toEqual({ language: 'de', timezone: 'America/New_York' });
    await expect(settings.setTimezone('@b:x', 'Mars/Olympus')).rejects.toBeInstanceOf(InvalidTimezoneError);
    expect((await settings.get('@b:x'))?.timezone).toBe('America/New_York');
  });
});
