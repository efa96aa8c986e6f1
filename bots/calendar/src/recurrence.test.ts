import { describe, expect, it } from 'vitest';
import { checkRrule, expandEvent, MAX_OCCURRENCES, parseRecurrence } from './recurrence.ts';

const tz = 'Europe/Berlin';
// Tuesday 2026-12-01, 10:00 in Berlin.
const now = new Date('2026-12-01T09:00:00Z');
const o = { now, timezone: tz };

describe('parseRecurrence', () => {
  it.each([
    ['Team jeden Montag 9 Uhr', 'FREQ=WEEKLY;BYDAY=MO', 'Team 9 Uhr'],
    ['Sport jeden Mo und Do', 'FREQ=WEEKLY;BYDAY=MO,TH', 'Sport'],
    ['standup every 2 weeks on tue 10am', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', 'standup 10am'],
    ['review every other week', 'FREQ=WEEKLY;INTERVAL=2', 'review'],
    ['Miete monatlich am 1.', 'FREQ=MONTHLY;BYMONTHDAY=1', 'Miete'],
    ['rent monthly on the 15th', 'FREQ=MONTHLY;BYMONTHDAY=15', 'rent'],
    ['Yoga montags', 'FREQ=WEEKLY;BYDAY=MO', 'Yoga'],
    ['Pillen täglich 8 Uhr', 'FREQ=DAILY', 'Pillen 8 Uhr'],
    ['Essen jeden Tag', 'FREQ=DAILY', 'Essen'],
    ['Geburtstag jährlich', 'FREQ=YEARLY', 'Geburtstag'],
    ['Mails werktags 8 Uhr', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'Mails 8 Uhr'],
    ['Kurs jeden Dienstag 10 mal', 'FREQ=WEEKLY;BYDAY=TU;COUNT=10', 'Kurs'],
  ])('%s', (input, rrule, rest) => {
    expect(parseRecurrence(input, o)).toEqual({ rrule, rest });
  });

  it('bis 31.03. ends the rule at the end of that day in the zone (next year when it has passed)', () => {
    expect(parseRecurrence('Team jeden Montag bis 31.03.', o)).toEqual({
      rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20270331T215959Z',
      rest: 'Team',
    });
    expect(parseRecurrence('Team jeden Montag bis 15.12.', o)?.rrule).toBe(
      'FREQ=WEEKLY;BYDAY=MO;UNTIL=20261215T225959Z',
    );
    expect(parseRecurrence('team every monday until 2027-01-31', o)?.rrule).toBe(
      'FREQ=WEEKLY;BYDAY=MO;UNTIL=20270131T225959Z',
    );
    expect(() => parseRecurrence('Team jeden Montag bis 31.02.', o)).toThrow(
      expect.objectContaining({ code: 'ERR_DATE_INVALID' }),
    );
  });

  it('no phrase → undefined', () => {
    expect(parseRecurrence('Zahnarzt Do 14 Uhr', o)).toBeUndefined();
    expect(parseRecurrence('Montag Meeting', o)).toBeUndefined();
  });
});

describe('checkRrule', () => {
  it.each([
    ['FREQ=SECONDLY', 'ERR_RRULE_UNSUPPORTED'],
    ['FREQ=DAILY;BYHOUR=9', 'ERR_RRULE_UNSUPPORTED'],
    ['INTERVAL=2', 'ERR_RRULE_UNSUPPORTED'],
    ['FREQ=DAILY;INTERVAL=0', 'ERR_RRULE_INVALID'],
    ['FREQ=DAILY;COUNT=5;UNTIL=20260101T000000Z', 'ERR_RRULE_INVALID'],
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'ERR_RRULE_INVALID'],
    ['FREQ=WEEKLY;BYDAY=XX', 'ERR_RRULE_INVALID'],
    ['FREQ=DAILY;FREQ=DAILY', 'ERR_RRULE_INVALID'],
    ['garbage', 'ERR_RRULE_INVALID'],
  ])('%s → %s', (rule, code) => {
    expect(() => checkRrule(rule)).toThrow(expect.objectContaining({ code }));
  });
  it('accepts and normalizes', () => {
    expect(checkRrule('RRULE:freq=weekly;byday=mo,fr')).toBe('FREQ=WEEKLY;BYDAY=MO,FR');
  });
});

describe('expandEvent', () => {
  const weekly = {
    start: '2026-03-02T08:00:00Z', // Monday 09:00 CET
    end: '2026-03-02T09:00:00Z',
    rrule: 'FREQ=WEEKLY;BYDAY=MO',
    timezone: tz,
  };

  it('keeps the wall time across DST and leaves out EXDATEs', () => {
    const occ = expandEvent(
      { ...weekly, exdates: ['2026-03-16T08:00:00Z'] },
      { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-07T00:00:00Z') },
    );
    expect(occ.map((x) => x.start.toISOString())).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-09T08:00:00.000Z',
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z', // 09:00 CEST
      '2026-04-06T07:00:00.000Z',
    ]);
    expect(occ[3]?.end.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('UNTIL and COUNT', () => {
    const win = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };
    expect(
      expandEvent({ ...weekly, rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20260316T225959Z' }, win),
    ).toHaveLength(3);
    expect(expandEvent({ ...weekly, rrule: 'FREQ=WEEKLY;COUNT=4' }, win)).toHaveLength(4);
    expect(
      expandEvent({ ...weekly, rrule: 'FREQ=MONTHLY;BYMONTHDAY=31' }, win).map((x) =>
        x.start.toISOString().slice(0, 10),
      ),
    ).toEqual(['2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31', '2026-10-31', '2026-12-31']);
  });

  it('a rule of 100,000 occurrences is refused quickly, never a hang', () => {
    const t0 = performance.now();
    expect(() =>
      expandEvent(
        { ...weekly, rrule: 'FREQ=DAILY;COUNT=100000' },
        { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2045-12-31T00:00:00Z') },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_TOO_MANY_OCCURRENCES' }));
    expect(performance.now() - t0).toBeLessThan(2000);
    // The same rule in a bounded window is fine.
    const month = expandEvent(
      { ...weekly, rrule: 'FREQ=DAILY;COUNT=100000' },
      { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-02-01T00:00:00Z') },
    );
    expect(month).toHaveLength(31);
    expect(performance.now() - t0).toBeLessThan(3000);
  }, 10_000);

  it('exactly MAX_OCCURRENCES is allowed; windows are bounded', () => {
    const occ = expandEvent(
      { ...weekly, rrule: `FREQ=DAILY;COUNT=${MAX_OCCURRENCES}` },
      { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2045-12-31T00:00:00Z') },
    );
    expect(occ).toHaveLength(MAX_OCCURRENCES);
    expect(() =>
      expandEvent(weekly, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2066-01-01T00:00:00Z') }),
    ).toThrow(expect.objectContaining({ code: 'ERR_WINDOW_TOO_LARGE' }));
    expect(() =>
      expandEvent(
        { ...weekly, rrule: 'FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31' },
        { from: new Date(0), to: new Date(1) },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_RRULE_INVALID' }));
  });
});
