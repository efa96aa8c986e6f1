import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFiring, parseAlarm } from './alarm.ts';
import { wallOf } from '@mana/bot-runtime/zone';

const tz = 'Europe/Berlin';

describe('parseAlarm', () => {
  it.each([
    ['7:30', { time: '07:30', days: [] }],
    ['07:30 werktags', { time: '07:30', days: [1, 2, 3, 4, 5] }],
    ['07:30 weekdays', { time: '07:30', days: [1, 2, 3, 4, 5] }],
    ['6:45 Mo,Mi,Fr', { time: '06:45', days: [1, 3, 5] }],
    ['6:45 mon, wed, fri Laufen', { time: '06:45', days: [1, 3, 5], label: 'Laufen' }],
    ['6:00 Mo-Fr Training', { time: '06:00', days: [1, 2, 3, 4, 5], label: 'Training' }],
    ['9 Uhr Wochenende', { time: '09:00', days: [6, 7] }],
    ['7am every day', { time: '07:00', days: [1, 2, 3, 4, 5, 6, 7] }],
    ['12pm', { time: '12:00', days: [] }],
    ['12am', { time: '00:00', days: [] }],
    ['23.15 Sa So', { time: '23:15', days: [6, 7] }],
    ['0:00 Fr-Mo', { time: '00:00', days: [1, 5, 6, 7] }],
  ])('%s', (input, spec) => {
    expect(parseAlarm(input)).toEqual(spec);
  });

  it.each(['25:99', '24:00', '7:60', '7:5', 'abc', '', '13pm', '7'])('%j → ERR_ALARM_TIME', (input) => {
    expect(() => parseAlarm(input)).toThrow(expect.objectContaining({ code: 'ERR_ALARM_TIME' }));
  });

  it('a non-day inside a day list → ERR_ALARM_DAYS', () => {
    expect(() => parseAlarm('6:45 Mo,Xy,Fr')).toThrow(expect.objectContaining({ code: 'ERR_ALARM_DAYS' }));
  });
});

describe('nextFiring', () => {
  const at = (after: string, time: string, days: number[] = []) =>
    nextFiring({ time, days }, { after: new Date(after), timezone: tz }).toISOString();

  it('later today, else tomorrow; on the given weekdays only', () => {
    expect(at('2026-12-01T05:00:00Z', '07:30')).toBe('2026-12-01T06:30:00.000Z');
    expect(at('2026-12-01T06:30:00Z', '07:30')).toBe('2026-12-02T06:30:00.000Z');
    // Friday evening → Monday for a weekday alarm.
    expect(at('2026-12-04T18:00:00Z', '07:30', [1, 2, 3, 4, 5])).toBe('2026-12-07T06:30:00.000Z');
  });

  it('across the March change (29 March 2026, 02:00 → 03:00)', () => {
    expect(at('2026-03-28T12:00:00Z', '07:30')).toBe('2026-03-29T05:30:00.000Z');
    expect(at('2026-03-28T12:00:00Z', '02:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(at('2026-03-29T01:30:00Z', '02:30')).toBe('2026-03-30T00:30:00.000Z');
    expect(at('2026-03-27T12:00:00Z', '07:30', [1])).toBe('2026-03-30T05:30:00.000Z');
  });

  it('across the October change (25 October 2026, 03:00 → 02:00): a repeated time rings once', () => {
    expect(at('2026-10-24T12:00:00Z', '07:30')).toBe('2026-10-25T06:30:00.000Z');
    const first = at('2026-10-24T12:00:00Z', '02:30');
    expect(first).toBe('2026-10-25T00:30:00.000Z');
    expect(at(first, '02:30')).toBe('2026-10-26T01:30:00.000Z');
  });

  it('other zones', () => {
    expect(
      nextFiring(
        { time: '07:00', days: [] },
        { after: new Date('2026-12-01T00:00:00Z'), timezone: 'Asia/Tokyo' },
      ).toISOString(),
    ).toBe('2026-12-01T22:00:00.000Z');
    expect(() =>
      nextFiring({ time: '07:00', days: [] }, { after: new Date(), timezone: 'Mars/Base' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_TIMEZONE' }));
  });

  it('an alarm at midnight on the day Santiago skips midnight rings at 01:00 that day', () => {
    // 2028-09-03: clocks go from 24:00 straight to 01:00 in America/Santiago.
    const next = nextFiring(
      { time: '00:00', days: [7] },
      { after: new Date('2028-08-27T04:00:00Z'), timezone: 'America/Santiago' },
    );
    const w = wallOf(next, 'America/Santiago');
    expect([w.year, w.month, w.day, w.hour, w.minute]).toEqual([2028, 9, 3, 1, 0]);
  });

  it('always in the future, within 8 days, on an allowed weekday, at the wall time (or the end of a gap)', () => {
    const zones = [tz, 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Santiago', 'UTC'];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2024-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 7 }),
        fc.constantFrom(...zones),
        (after, h, m, days, zone) => {
          const time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
          const next = nextFiring({ time, days }, { after, timezone: zone });
          expect(next.getTime()).toBeGreaterThan(after.getTime());
          expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(8 * 86_400_000);
          const w = wallOf(next, zone);
          if (days.length > 0) expect(days).toContain(w.weekday);
          const wallMin = w.hour * 60 + w.minute;
          const want = h * 60 + m;
          // Exactly the wall time, unless it fell into a gap: then at most the gap (≤ 1 h) later.
          expect(wallMin - want).toBeGreaterThanOrEqual(0);
          expect(wallMin - want).toBeLessThanOrEqual(60);
          if (wallMin !== want) {
            // An hour earlier it was before the wanted time (on the same day, or the day before:
            // Santiago's gap is at midnight, so the hour before it is 23:00 of the previous day).
            const before = wallOf(new Date(next.getTime() - 3_600_000), zone);
            const sameDay = before.day === w.day;
            expect((sameDay ? 0 : -1440) + before.hour * 60 + before.minute).toBeLessThan(want);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
