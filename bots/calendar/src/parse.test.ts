import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CalendarError } from './errors.ts';
import { parseEvent } from './parse.ts';

const tz = 'Europe/Berlin';
// Tuesday 2026-12-01, 10:00 in Berlin (09:00 UTC).
const now = new Date('2026-12-01T09:00:00Z');
const de = { now, timezone: tz, lang: 'de' as const };
const en = { now, timezone: tz, lang: 'en' as const };
const iso = (d: Date) => d.toISOString();

describe('parseEvent', () => {
  it('Zahnarzt Do 14 Uhr', () => {
    const e = parseEvent('Zahnarzt Do 14 Uhr', de);
    expect(e).toMatchObject({ title: 'Zahnarzt', allDay: false, uncertain: false });
    expect(iso(e.start)).toBe('2026-12-03T13:00:00.000Z');
    expect(iso(e.end)).toBe('2026-12-03T14:00:00.000Z');
  });

  it('am 15.02. 9:30–10:15 (next year, since it has passed)', () => {
    const e = parseEvent('Friseur am 15.02. 9:30–10:15', de);
    expect(e.title).toBe('Friseur');
    expect(iso(e.start)).toBe('2027-02-15T08:30:00.000Z');
    expect(iso(e.end)).toBe('2027-02-15T09:15:00.000Z');
    expect(iso(parseEvent('Termin 15.12. von 9 bis 10 Uhr', de).end)).toBe('2026-12-15T09:00:00.000Z');
  });

  it('ganztägig / all day, and a day without a time (uncertain)', () => {
    const a = parseEvent('Urlaub morgen ganztägig', de);
    expect(a).toMatchObject({ title: 'Urlaub', allDay: true, uncertain: false });
    expect(iso(a.start)).toBe('2026-12-01T23:00:00.000Z');
    expect(iso(a.end)).toBe('2026-12-02T23:00:00.000Z');
    expect(parseEvent('holiday tomorrow all day', en)).toMatchObject({ title: 'holiday', allDay: true });
    expect(parseEvent('Geburtstag Oma am 24.12.', de)).toMatchObject({ allDay: true, uncertain: true });
  });

  it('übermorgen, in 3 Tagen, in 2 weeks', () => {
    expect(iso(parseEvent('Sport übermorgen 18 Uhr', de).start)).toBe('2026-12-03T17:00:00.000Z');
    expect(iso(parseEvent('Anruf in 3 Tagen 11:00', de).start)).toBe('2026-12-04T10:00:00.000Z');
    expect(iso(parseEvent('call in 2 weeks at 9am', en).start)).toBe('2026-12-15T08:00:00.000Z');
  });

  it("next friday 3pm for 2h (next week's, as chrono reads it, and flagged for confirmation)", () => {
    const e = parseEvent('Demo next friday 3pm for 2h', en);
    expect(e).toMatchObject({ title: 'Demo', uncertain: true });
    expect(iso(e.start)).toBe('2026-12-11T14:00:00.000Z');
    expect(iso(e.end)).toBe('2026-12-11T16:00:00.000Z');
    expect(parseEvent('Demo fri 3pm for 90 min', en)).toMatchObject({ uncertain: false });
    expect(iso(parseEvent('Demo fri 3pm for 90 min', en).end)).toBe('2026-12-04T15:30:00.000Z');
    expect(iso(parseEvent('Review nächsten Montag 10 Uhr für 30 min', de).end)).toBe(
      '2026-12-07T09:30:00.000Z',
    );
  });

  it('in <Ort> / at <place> as the location', () => {
    expect(parseEvent('Zahnarzt Do 14 Uhr in Kreuzberg', de)).toMatchObject({
      title: 'Zahnarzt',
      location: 'Kreuzberg',
    });
    expect(parseEvent('Lunch tomorrow 12:30 at Café Einstein', en)).toMatchObject({
      title: 'Lunch',
      location: 'Café Einstein',
    });
    expect(parseEvent('Team im Raum 3 morgen 9 Uhr', de)).toMatchObject({
      title: 'Team',
      location: 'Raum 3',
    });
  });

  it('recurrence phrases give an RRULE', () => {
    const e = parseEvent('Team jeden Montag 9 Uhr', de);
    expect(e).toMatchObject({ title: 'Team', rrule: 'FREQ=WEEKLY;BYDAY=MO', allDay: false });
    expect(iso(e.start)).toBe('2026-12-07T08:00:00.000Z');
    const rent = parseEvent('Miete monatlich am 1. 8 Uhr', de);
    expect(rent.rrule).toBe('FREQ=MONTHLY;BYMONTHDAY=1');
    expect(iso(rent.start)).toBe('2027-01-01T07:00:00.000Z');
    expect(iso(parseEvent('Sport jeden Di und Do 18 Uhr', de).start)).toBe('2026-12-01T17:00:00.000Z');
    expect(parseEvent('standup every 2 weeks on tue 10am', en)).toMatchObject({
      title: 'standup',
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
    });
  });

  it('wall times are DST-correct', () => {
    const march = { ...de, now: new Date('2026-03-27T09:00:00Z') };
    expect(iso(parseEvent('x am 30.03. 9 Uhr', march).start)).toBe('2026-03-30T07:00:00.000Z');
    expect(iso(parseEvent('x am 28.03. 9 Uhr', march).start)).toBe('2026-03-28T08:00:00.000Z');
    // All day on the change day lasts 23 hours.
    const d = parseEvent('x am 29.03. ganztägig', march);
    expect(d.end.getTime() - d.start.getTime()).toBe(23 * 3_600_000);
  });

  it('numbers that are no times stay in the title; a bare "at 5" is flagged', () => {
    const e = parseEvent('Kapitel 1-2 lesen morgen', de);
    expect(e).toMatchObject({ title: 'Kapitel 1-2 lesen', allDay: true });
    expect(parseEvent('call mom at 5', en)).toMatchObject({ title: 'call mom', uncertain: true });
    expect(parseEvent('call mom at 5pm', en)).toMatchObject({ uncertain: false });
    const r = parseEvent('Arbeit morgen 9am-5pm', en);
    expect([iso(r.start), iso(r.end)]).toEqual(['2026-12-02T08:00:00.000Z', '2026-12-02T16:00:00.000Z']);
    const late = parseEvent('Party Sa 22-2 Uhr', de);
    expect([iso(late.start), iso(late.end)]).toEqual([
      '2026-12-05T21:00:00.000Z',
      '2026-12-06T01:00:00.000Z',
    ]);
  });

  it('a time only: today when ahead, else tomorrow', () => {
    expect(iso(parseEvent('Call 14:30', en).start)).toBe('2026-12-01T13:30:00.000Z');
    expect(iso(parseEvent('Call 8:00', en).start)).toBe('2026-12-02T07:00:00.000Z');
  });

  it.each([
    ['Termin am 31.02.', 'ERR_DATE_INVALID'],
    ['Termin am 30.02.2027 10 Uhr', 'ERR_DATE_INVALID'],
    ['Meeting 25:99', 'ERR_DATE_INVALID'],
    ['Meeting 13pm', 'ERR_DATE_INVALID'],
    ['Milch kaufen', 'ERR_DATE_MISSING'],
  ])('%s → %s', (input, code) => {
    expect(() => parseEvent(input, de)).toThrow(expect.objectContaining({ code }));
  });

  it('never throws anything but CalendarError, and end ≥ start', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc
            .tuple(
              fc.constantFrom('Zahnarzt', 'Team', 'x'),
              fc.constantFrom('Do', 'morgen', 'am 3.4.', 'übermorgen', 'next monday', 'in 2 Tagen', ''),
              fc.constantFrom('14 Uhr', '9:30–10:15', '3pm', 'ganztägig', 'for 2h', ''),
              fc.constantFrom('in Berlin', 'at home', ''),
            )
            .map((p) => p.join(' ')),
        ),
        fc.constantFrom(de, en),
        (s, o) => {
          try {
            const e = parseEvent(s, o);
            expect(e.end.getTime()).toBeGreaterThanOrEqual(e.start.getTime());
            expect(e.title.length).toBeGreaterThan(0);
          } catch (err) {
            expect(err).toBeInstanceOf(CalendarError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
