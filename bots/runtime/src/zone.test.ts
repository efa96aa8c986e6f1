import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetMinutes, offsetTable, parseTimeOfDay, wallOf, wallToInstant } from './zone.ts';

const tz = 'Europe/Berlin';

describe('zone', () => {
  it('offsets around the Berlin changes of 2026 (29 March, 25 October)', () => {
    expect(offsetMinutes(new Date('2026-03-29T00:59:00Z'), tz)).toBe(60);
    expect(offsetMinutes(new Date('2026-03-29T01:00:00Z'), tz)).toBe(120);
    expect(offsetMinutes(new Date('2026-10-25T00:59:00Z'), tz)).toBe(120);
    expect(offsetMinutes(new Date('2026-10-25T01:00:00Z'), tz)).toBe(60);
  });
  it('a wall time in the spring gap moves forward, a repeated one is its earlier instant', () => {
    const w = { year: 2026, month: 3, day: 29, minute: 30 };
    expect(wallToInstant({ ...w, hour: 1 }, tz).toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(wallToInstant({ ...w, hour: 2 }, tz).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(wallToInstant({ ...w, hour: 3 }, tz).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    const o = { year: 2026, month: 10, day: 25, minute: 30 };
    expect(wallToInstant({ ...o, hour: 2 }, tz).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(wallToInstant({ ...o, hour: 3 }, tz).toISOString()).toBe('2026-10-25T02:30:00.000Z');
    expect(
      wallToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York').toISOString(),
    ).toBe('2026-03-08T07:30:00.000Z');
  });
  it('wallOf ∘ wallToInstant is the identity outside gaps', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(tz, 'America/New_York', 'Australia/Sydney', 'Asia/Tokyo', 'UTC', 'Asia/Kolkata'),
        (d, zone) => {
          const w = wallOf(d, zone);
          const back = wallToInstant(w, zone);
          const again = wallOf(back, zone);
          expect({ ...again, second: 0 }).toEqual({ ...w, second: 0 });
          expect(back.getTime()).toBeLessThanOrEqual(d.getTime());
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('offsetTable', () => {
  it('answers what Intl answers, inside and outside its span', () => {
    const from = Date.parse('2020-01-01T00:00:00Z');
    const to = Date.parse('2035-01-01T00:00:00Z');
    for (const zone of [tz, 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Tokyo']) {
      const table = offsetTable(zone, from, to);
      fc.assert(
        fc.property(fc.integer({ min: from - 86_400_000 * 400, max: to + 86_400_000 * 400 }), (ms) => {
          expect(table(ms)).toBe(offsetMinutes(new Date(ms), zone));
        }),
        { numRuns: 300 },
      );
      // Just before and at each Berlin change.
      expect(table(Date.parse('2026-03-29T00:59:00Z'))).toBe(
        offsetMinutes(new Date('2026-03-29T00:59:00Z'), zone),
      );
      expect(table(Date.parse('2026-03-29T01:00:00Z'))).toBe(
        offsetMinutes(new Date('2026-03-29T01:00:00Z'), zone),
      );
    }
  });
});

describe('parseTimeOfDay', () => {
  it('reads the ways people write a time of day', () => {
    expect(parseTimeOfDay('7')).toEqual({ hour: 7, minute: 0 });
    expect(parseTimeOfDay('7:30')).toEqual({ hour: 7, minute: 30 });
    expect(parseTimeOfDay('07:05')).toEqual({ hour: 7, minute: 5 });
    expect(parseTimeOfDay('7.30')).toEqual({ hour: 7, minute: 30 });
    expect(parseTimeOfDay('7 Uhr')).toEqual({ hour: 7, minute: 0 });
    expect(parseTimeOfDay('12am')).toEqual({ hour: 0, minute: 0 });
    expect(parseTimeOfDay('7:30 pm')).toEqual({ hour: 19, minute: 30 });
    expect(parseTimeOfDay('23:59')).toEqual({ hour: 23, minute: 59 });
  });

  it('refuses what is no time of day', () => {
    for (const bad of ['', '24:00', '7:60', '7:5', '13pm', 'morgen', '7:30:00', '-1']) {
      expect(parseTimeOfDay(bad), bad).toBeUndefined();
    }
  });
});
