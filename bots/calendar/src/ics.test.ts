import { describe, expect, it } from 'vitest';
import { exportIcs, importIcs, MAX_ICS_BYTES, type ExportEvent } from './ics.ts';
import { expandEvent } from './recurrence.ts';

const tz = 'Europe/Berlin';
const now = new Date('2026-12-01T09:00:00Z');

const events: ExportEvent[] = [
  {
    id: 'e1',
    calendarId: 'default',
    title: 'Team',
    start: '2026-03-02T08:00:00.000Z',
    end: '2026-03-02T09:00:00.000Z',
    allDay: false,
    rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20260331T215959Z',
    exdates: ['2026-03-16T08:00:00.000Z', '2026-03-30T07:00:00.000Z'],
    timezone: tz,
    location: 'Raum 3',
  },
  {
    id: 'e2',
    calendarId: 'default',
    title: 'Urlaub',
    start: '2026-07-31T22:00:00.000Z',
    end: '2026-08-02T22:00:00.000Z',
    allDay: true,
    notes: 'Ostsee',
  },
  {
    id: 'e3',
    calendarId: 'default',
    title: 'Zahnarzt, Kontrolle; „Bitte“',
    start: '2026-12-03T13:00:00.000Z',
    end: '2026-12-03T13:30:00.000Z',
    allDay: false,
    uid: 'dentist@example.org',
  },
];

describe('exportIcs / importIcs', () => {
  it('round-trips events with RRULE, EXDATE, all-day and UTC times', () => {
    const text = exportIcs(events, { timezone: tz, now, name: 'Persönlich' });
    expect(text).toContain('BEGIN:VCALENDAR');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20260302T090000');
    expect(text).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260331T215959Z');
    expect(text).toContain('EXDATE;TZID=Europe/Berlin:20260316T090000');
    expect(text).toContain('DTSTART;VALUE=DATE:20260801');
    expect(text).toContain('DTSTART:20261203T130000Z');
    expect(text).toContain('UID:dentist@example.org');

    const { added, skipped } = importIcs(text, { calendarId: 'cal2', timezone: tz });
    expect(skipped).toEqual([]);
    expect(added).toHaveLength(3);
    const [team, holiday, dentist] = added;
    expect(team).toMatchObject({
      calendarId: 'cal2',
      title: 'Team',
      start: '2026-03-02T08:00:00.000Z',
      end: '2026-03-02T09:00:00.000Z',
      rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20260331T215959Z',
      exdates: ['2026-03-16T08:00:00.000Z', '2026-03-30T07:00:00.000Z'],
      location: 'Raum 3',
      uid: 'e1@mana',
      timezone: tz,
    });
    expect(holiday).toMatchObject({
      allDay: true,
      start: '2026-07-31T22:00:00.000Z',
      end: '2026-08-02T22:00:00.000Z',
      notes: 'Ostsee',
    });
    expect(dentist).toMatchObject({
      title: 'Zahnarzt, Kontrolle; „Bitte“',
      start: '2026-12-03T13:00:00.000Z',
    });
    if (!team?.rrule) throw new Error('no rrule');
    const occ = expandEvent(
      { start: team.start, end: team.end, rrule: team.rrule, exdates: team.exdates, timezone: tz },
      { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-30T00:00:00Z') },
    );
    expect(occ.map((o) => o.start.toISOString())).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-09T08:00:00.000Z',
      '2026-03-23T08:00:00.000Z',
    ]);

    // A second import of the same file adds nothing.
    const again = importIcs(text, {
      calendarId: 'cal2',
      timezone: tz,
      existingUids: new Set(added.map((a) => a.uid ?? '')),
    });
    expect(again.added).toEqual([]);
    expect(again.skipped.map((s) => s.reason)).toEqual(['duplicate', 'duplicate', 'duplicate']);
  });

  it('says what it skipped and why', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:test',
      'BEGIN:VEVENT',
      'UID:a',
      'SUMMARY:ok',
      'DTSTART;TZID=America/New_York:20260308T023000',
      'DURATION:PT1H',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a',
      'SUMMARY:dup',
      'DTSTART:20260101T100000Z',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:b',
      'SUMMARY:no start',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:c',
      'SUMMARY:backwards',
      'DTSTART:20260101T100000Z',
      'DTEND:20260101T090000Z',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:d',
      'SUMMARY:hourly',
      'DTSTART:20260101T100000Z',
      'RRULE:FREQ=HOURLY',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:e',
      'SUMMARY:moved',
      'RECURRENCE-ID:20260105T100000Z',
      'DTSTART:20260106T100000Z',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:f',
      'DTSTART:20260101T100000',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const { added, skipped } = importIcs(ics, { calendarId: 'c', timezone: tz, lang: 'en' });
    expect(added.map((a) => [a.title, a.start, a.end])).toEqual([
      ['ok', '2026-03-08T07:30:00.000Z', '2026-03-08T08:30:00.000Z'],
      ['Untitled', '2026-01-01T09:00:00.000Z', '2026-01-01T09:00:00.000Z'],
    ]);
    expect(skipped.map((s) => [s.uid, s.reason])).toEqual([
      ['a', 'duplicate'],
      ['b', 'no-start'],
      ['c', 'end-before-start'],
      ['d', 'unsupported-rrule'],
      ['e', 'recurrence-override'],
    ]);
  });

  it('reads TZIDs defined by a VTIMEZONE', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:test',
      'BEGIN:VTIMEZONE',
      'TZID:W. Europe Standard Time',
      'BEGIN:STANDARD',
      'DTSTART:16010101T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:w',
      'SUMMARY:Outlook',
      'DTSTART;TZID=W. Europe Standard Time:20260701T090000',
      'DTEND;TZID=W. Europe Standard Time:20260701T100000',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const { added } = importIcs(ics, { calendarId: 'c', timezone: 'UTC' });
    expect(added[0]).toMatchObject({ start: '2026-07-01T07:00:00.000Z', end: '2026-07-01T08:00:00.000Z' });
  });

  it('refuses files over 5 MB and broken ones with a typed error', () => {
    expect(() => importIcs('x'.repeat(MAX_ICS_BYTES + 1), { calendarId: 'c', timezone: tz })).toThrow(
      expect.objectContaining({ code: 'ERR_ICS_TOO_LARGE' }),
    );
    expect(() => importIcs(new Uint8Array(MAX_ICS_BYTES + 1), { calendarId: 'c', timezone: tz })).toThrow(
      expect.objectContaining({ code: 'ERR_ICS_TOO_LARGE' }),
    );
    for (const broken of ['hello', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n', 'BEGIN:VCARD\r\nEND:VCARD', '']) {
      expect(() => importIcs(broken, { calendarId: 'c', timezone: tz })).toThrow(
        expect.objectContaining({ code: 'ERR_ICS_INVALID' }),
      );
    }
  });
});
