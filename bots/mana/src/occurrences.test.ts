import { describe, expect, it } from 'vitest';
import { occurrencesOn, parseSimpleRule, type EventRow } from './occurrences.ts';

const tz = 'Europe/Berlin';
const day = (iso: string) => {
  // Midnight to midnight in Berlin (winter, UTC+1).
  const start = new Date(`${iso}T00:00:00+01:00`);
  return { start, end: new Date(start.getTime() + 86_400_000), timezone: tz };
};
const ev = (over: Partial<EventRow>): EventRow => ({
  id: 'e1',
  title: 'x',
  start: '2026-11-02T08:00:00Z',
  end: '2026-11-02T09:00:00Z',
  allDay: false,
  ...over,
});

describe('occurrencesOn', () => {
  it('a single event on its day only', () => {
    expect(occurrencesOn(ev({}), day('2026-11-02'))).toHaveLength(1);
    expect(occurrencesOn(ev({}), day('2026-11-03'))).toHaveLength(0);
  });

  it('daily with interval, until and count', () => {
    const every2 = ev({ rrule: 'FREQ=DAILY;INTERVAL=2' });
    expect(occurrencesOn(every2, day('2026-11-04'))).toHaveLength(1);
    expect(occurrencesOn(every2, day('2026-11-05'))).toHaveLength(0);
    expect(occurrencesOn(ev({ rrule: 'FREQ=DAILY;COUNT=3' }), day('2026-11-04'))).toHaveLength(1);
    expect(occurrencesOn(ev({ rrule: 'FREQ=DAILY;COUNT=3' }), day('2026-11-05'))).toHaveLength(0);
    expect(occurrencesOn(ev({ rrule: 'FREQ=DAILY;UNTIL=20261103T235959Z' }), day('2026-11-04'))).toHaveLength(
      0,
    );
    expect(occurrencesOn(ev({}), day('2026-11-01'))).toHaveLength(0);
  });

  it('weekly keeps the wall time across the DST change and honours BYDAY and EXDATE', () => {
    // 09:00 Berlin in summer time (07:00Z), weekly on Mondays and Thursdays.
    const e = ev({
      start: '2026-10-19T07:00:00Z',
      end: '2026-10-19T08:00:00Z',
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TH',
      timezone: tz,
      exdates: ['2026-11-05T08:00:00Z'],
    });
    const [mon] = occurrencesOn(e, day('2026-11-02'));
    expect(mon?.start.toISOString()).toBe('2026-11-02T08:00:00.000Z'); // still 09:00 in winter time
    expect(occurrencesOn(e, day('2026-11-05'))).toHaveLength(0); // deleted occurrence
    expect(occurrencesOn(e, day('2026-11-12'))).toHaveLength(1);
    expect(occurrencesOn(e, day('2026-11-03'))).toHaveLength(0);
  });

  it('monthly and yearly on the same day; rules it does not know show only the first occurrence', () => {
    expect(occurrencesOn(ev({ rrule: 'FREQ=MONTHLY' }), day('2026-12-02'))).toHaveLength(1);
    expect(occurrencesOn(ev({ rrule: 'FREQ=YEARLY' }), day('2027-11-02'))).toHaveLength(1);
    expect(occurrencesOn(ev({ rrule: 'FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO' }), day('2026-12-07'))).toHaveLength(
      0,
    );
    expect(parseSimpleRule('FREQ=HOURLY')).toBeUndefined();
    expect(parseSimpleRule('FREQ=WEEKLY;BYDAY=XX')).toBeUndefined();
  });

  it('an event running into the day from yesterday is on it', () => {
    const overnight = ev({ start: '2026-11-02T21:00:00Z', end: '2026-11-03T02:00:00Z' });
    expect(occurrencesOn(overnight, day('2026-11-03'))).toHaveLength(1);
  });
});
