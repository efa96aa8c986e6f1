import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  breakdown,
  dayIn,
  formatDue,
  parseTask,
  parseWhen,
  shortTitle,
  splitTaskText,
} from './parse.ts';

// Thursday 2026-11-19, 10:00 in Berlin (09:00 UTC).
const now = new Date('2026-11-19T09:00:00Z');
const tz = 'Europe/Berlin';
const de = { now, timezone: tz, lang: 'de' as const };
const en = { now, timezone: tz, lang: 'en' as const };

describe('parseTask', () => {
  it('@morgen / @tomorrow / @heute / @today', () => {
    expect(parseTask('Milch kaufen @morgen', de)).toEqual({
      title: 'Milch kaufen',
      priority: 4,
      dueDate: '2026-11-20',
    });
    expect(parseTask('buy milk @tomorrow', en)).toEqual({
      title: 'buy milk',
      priority: 4,
      dueDate: '2026-11-20',
    });
    expect(parseTask('@heute Steuer', de).dueDate).toBe('2026-11-19');
    expect(parseTask('Steuer @today', en).dueDate).toBe('2026-11-19');
  });
  it('priorities !p1–!p4 and projects', () => {
    expect(parseTask('!p1 Steuer #Finanzen', de)).toEqual({
      title: 'Steuer',
      priority: 1,
      project: 'Finanzen',
    });
    expect(parseTask('call mom !P2', en).priority).toBe(2);
    expect(parseTask('x !p5', en)).toMatchObject({ title: 'x !p5', priority: 4 });
  });
  it('natural dates in German and English', () => {
    expect(parseTask('Zahnarzt am Freitag um 15 Uhr', de)).toMatchObject({
      title: 'Zahnarzt',
      dueDate: '2026-11-20',
      dueTime: '15:00',
    });
    expect(parseTask('dentist on friday at 3pm', en)).toMatchObject({
      dueDate: '2026-11-20',
      dueTime: '15:00',
    });
    expect(parseTask('Bericht schreiben nächsten Montag', de).dueDate).toBe('2026-11-23');
    expect(parseTask('report next monday', en).dueDate).toBe('2026-11-23');
    expect(parseTask('Geburtstag am 24. Dezember', de).dueDate).toBe('2026-12-24');
  });
  it('a bare number is not a date', () => {
    expect(parseTask('3 Eier kaufen', de)).toEqual({ title: '3 Eier kaufen', priority: 4 });
  });
  it('the title is never empty and never longer than the input', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
        fc.constantFrom(de, en),
        (s, o) => {
          const t = parseTask(s, o);
          expect(t.title.length).toBeGreaterThan(0);
          expect(t.title.length).toBeLessThanOrEqual(s.length);
          expect(t.priority).toBeGreaterThanOrEqual(1);
          expect(t.priority).toBeLessThanOrEqual(4);
          if (t.dueDate) expect(t.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('dates', () => {
  it('days are in the user time zone', () => {
    const lateUtc = new Date('2026-11-19T23:30:00Z');
    expect(dayIn(lateUtc, 'Europe/Berlin')).toBe('2026-11-20');
    expect(dayIn(lateUtc, 'America/New_York')).toBe('2026-11-19');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
  it('parseWhen gives a future instant', () => {
    expect(parseWhen('in 10 Minuten', de)?.toISOString()).toBe('2026-11-19T09:10:00.000Z');
    expect(parseWhen('tomorrow at 9am', en)?.toISOString()).toBe('2026-11-20T08:00:00.000Z');
    expect(parseWhen('Quatsch', de)).toBeUndefined();
  });
  it('formatDue', () => {
    expect(formatDue('2026-11-20', undefined, 'de', '2026-11-19')).toBe('morgen');
    expect(formatDue('2026-11-19', '15:00', 'en', '2026-11-19')).toBe('today 15:00');
    expect(formatDue('2026-11-24', undefined, 'en', '2026-11-19')).toBe('Tue, Nov 24');
  });
  it('breakdown', () => {
    expect(breakdown('Einkaufen, kochen und dann abwaschen')).toEqual(['Einkaufen', 'kochen', 'abwaschen']);
  });
});

describe('splitTaskText', () => {
  it('first line → title, the other lines → notes', () => {
    expect(splitTaskText('  one line  ')).toEqual({ title: 'one line' });
    expect(splitTaskText('Title\r\nline 2\n\nline 3\n')).toEqual({
      title: 'Title',
      notes: 'line 2\n\nline 3',
    });
  });

  it('a first line over the limit is cut at a word; the rest opens the notes', () => {
    expect(splitTaskText('aaa bbb ccc\nmore', 9)).toEqual({ title: 'aaa bbb', notes: 'ccc\nmore' });
    expect(splitTaskText('aaa bbbbbbbbbbbb', 9)).toEqual({ title: 'aaa', notes: 'bbbbbbbbbbbb' });
    expect(splitTaskText('aaaaaaaaaaaa', 9)).toEqual({ title: 'aaaaaaaaa', notes: 'aaa' });
    // Never splits a surrogate pair.
    expect(splitTaskText('aaaaaaaa😀😀', 9)).toEqual({ title: 'aaaaaaaa', notes: '😀😀' });
  });

  it('keeps every word and never exceeds the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zäöü]{1,30}$/), { minLength: 1, maxLength: 400 }), (ws) => {
        const text = ws.join(' ');
        const { title, notes } = splitTaskText(text, 100);
        expect(title.length).toBeLessThanOrEqual(100);
        expect(title.length).toBeGreaterThan(0);
        expect([title, notes].filter(Boolean).join(' ')).toBe(text);
      }),
    );
  });
});

describe('shortTitle', () => {
  it('keeps short titles, cuts long ones at a word with …', () => {
    expect(shortTitle('buy milk')).toBe('buy milk');
    const long = 'word '.repeat(40).trim();
    const s = shortTitle(long);
    expect(s.length).toBeLessThanOrEqual(80);
    expect(s).toMatch(/^(word )+word…$/);
    expect(shortTitle('x'.repeat(200))).toBe(`${'x'.repeat(79)}…`);
  });
});
