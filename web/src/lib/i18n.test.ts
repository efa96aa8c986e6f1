import { describe, expect, it } from 'vitest';
import { formatTime, localeOf, messages, pickLang, translate } from './i18n.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('English has every German key with the same placeholders', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.de).sort());
    for (const [k, v] of Object.entries(messages.de))
      expect(placeholders(messages.en[k as keyof typeof messages.en]), k).toEqual(placeholders(v));
  });

  it('picks the saved choice, else the browser language, else English', () => {
    expect(pickLang('de', ['en-US'])).toBe('de');
    expect(pickLang(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(pickLang('xx', ['fr'])).toBe('en');
  });

  it('fills placeholders', () => {
    expect(translate('en', 'syncPendingCount', { n: 3 })).toBe('3 pending');
    expect(translate('de', 'syncPendingCount', { n: 3 })).toBe('3 ausstehend');
  });

  it('shows a task’s stored due time the way the language writes times', () => {
    expect(localeOf('de')).toBe('de-DE');
    expect(formatTime('10:00', 'de')).toBe('10:00');
    expect(formatTime('09:05', 'en')).toBe('09:05');
    expect(formatTime('23:59', 'en')).toBe(
      new Intl.DateTimeFormat(localeOf('en'), { hour: '2-digit', minute: '2-digit' }).format(
        new Date(2026, 0, 1, 23, 59),
      ),
    );
    expect(formatTime('garbage', 'de')).toBe('garbage');
  });
});
