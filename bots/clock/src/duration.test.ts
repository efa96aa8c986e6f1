import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClockError } from './errors.ts';
import { formatDuration, parseDuration, splitDuration } from './duration.ts';

const MIN = 60_000;

describe('parseDuration', () => {
  it.each([
    ['25m', 25 * MIN],
    ['1h30m', 90 * MIN],
    ['1h 30m', 90 * MIN],
    ['90', 90 * MIN],
    ['1:30', 90 * MIN],
    ['0:00:45', 45_000],
    ['1,5h', 90 * MIN],
    ['1.5 hours', 90 * MIN],
    ['10 Sekunden', 10_000],
    ['25 Minuten', 25 * MIN],
    ['eine Stunde und 10 Minuten', 70 * MIN],
    ['zwei Stunden', 120 * MIN],
    ['two hours and 5 minutes', 125 * MIN],
    ['half an hour', 30 * MIN],
    ['eine halbe Stunde', 30 * MIN],
    ['3 Tage', 3 * 1440 * MIN],
    ['  45 min ', 45 * MIN],
  ])('%s', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['abc', '', 'm', '25x', '1h abc', '-5', '1:75', 'Minuten'])('%j is not a duration', (input) => {
    expect(() => parseDuration(input)).toThrow(expect.objectContaining({ code: 'ERR_DURATION_INVALID' }));
  });

  it.each(['0', '0m', '8d', '200h'])('%j is out of range', (input) => {
    expect(() => parseDuration(input)).toThrow(expect.objectContaining({ code: 'ERR_DURATION_RANGE' }));
  });

  it('a label after the duration', () => {
    expect(splitDuration('25m Pizza')).toEqual({ ms: 25 * MIN, rest: 'Pizza' });
    expect(splitDuration('1h30m Brot backen')).toEqual({ ms: 90 * MIN, rest: 'Brot backen' });
    expect(splitDuration('90 Tee')).toEqual({ ms: 90 * MIN, rest: 'Tee' });
    expect(splitDuration('10 minutes and tea')).toEqual({ ms: 10 * MIN, rest: 'and tea' });
    expect(splitDuration('Pizza')).toBeUndefined();
  });

  it('formatDuration round-trips through parseDuration; arbitrary text never throws anything else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 * 86_400 }), (s) => {
        expect(parseDuration(formatDuration(s * 1000).replace(/ /g, ''))).toBe(s * 1000);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          const ms = parseDuration(s);
          expect(ms).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(ClockError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
