import { describe, expect, it } from 'vitest';
import { interpolate, isLang, LANGUAGES, matchLang, parseLang, pick } from './index.ts';

describe('i18n', () => {
  it('knows German and English only', () => {
    expect(LANGUAGES).toEqual(['de', 'en']);
    expect(isLang('de')).toBe(true);
    expect(isLang('fr')).toBe(false);
    expect(isLang(undefined)).toBe(false);
  });

  it('picks a language and fills placeholders, leaving unknown ones', () => {
    const text = { de: 'Hallo {name} {x}', en: 'Hello {name} {x}' };
    expect(pick('de', text, { name: 'Ada' })).toBe('Hallo Ada {x}');
    expect(pick('en', 'plain')).toBe('plain');
    expect(interpolate('{n} left', { n: 0 })).toBe('0 left');
  });

  it('parses what people type and matches browser / Accept-Language tags', () => {
    expect(parseLang(' Deutsch ')).toBe('de');
    expect(parseLang('english')).toBe('en');
    expect(parseLang('français')).toBeUndefined();
    expect(matchLang(['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(matchLang(['EN-us'])).toBe('en');
    expect(matchLang(['fr', ''])).toBeUndefined();
  });
});
