import { describe, expect, it } from 'vitest';
import { findCity, normalizeCity, suggestCities, UnknownCityError } from './cities.ts';

describe('findCity', () => {
  it.each([
    ['Tokio', 'Asia/Tokyo'],
    ['tokyo', 'Asia/Tokyo'],
    ['new york', 'America/New_York'],
    ['New York', 'America/New_York'],
    ['München', 'Europe/Berlin'],
    ['Muenchen', 'Europe/Berlin'],
    ['munich', 'Europe/Berlin'],
    ['Wien', 'Europe/Vienna'],
    ['Zürich', 'Europe/Zurich'],
    ['zurich', 'Europe/Zurich'],
    ['são paulo', 'America/Sao_Paulo'],
    ['Peking', 'Asia/Shanghai'],
    ['Moskau', 'Europe/Moscow'],
    ['San Francisco', 'America/Los_Angeles'],
    ['Europe/Lisbon', 'Europe/Lisbon'],
    ['asia/tokyo', 'Asia/Tokyo'],
  ])('%s → %s', (name, zone) => {
    expect(findCity(name).timezone).toBe(zone);
  });

  it('an unknown city gets the closest names', () => {
    expect(suggestCities('Berlim')).toContain('Berlin');
    expect(suggestCities('Tokyio')).toContain('Tokyo');
    expect(suggestCities('Ams')).toContain('Amsterdam');
    try {
      findCity('Hamburgg');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownCityError);
      if (!(err instanceof UnknownCityError)) return;
      expect(err.code).toBe('ERR_CITY_UNKNOWN');
      expect(err.suggestions).toContain('Hamburg');
      expect(err.human.de).toContain('Meintest du Hamburg');
    }
    expect(() => findCity('xqzzv')).toThrow(UnknownCityError);
    expect(suggestCities('x'.repeat(10_000))).toEqual([]);
  });

  it('normalizes names', () => {
    expect(normalizeCity('  São-Paulo ')).toBe('sao paulo');
    expect(normalizeCity('Straße')).toBe('strasse');
  });
});
