/**
 * Natural-language events in German and English: `Zahnarzt Do 14 Uhr`, `am 15.02. 9:30–10:15`,
 * `Urlaub ganztägig`, `übermorgen`, `in 3 Tagen`, `next friday 3pm for 2h`, `in <Ort>` / `at <place>`
 * as the location, and recurrence phrases (see `recurrence.ts`). What chrono-node lacks (German
 * weekday abbreviations, `dd.mm.` with a validity check, ranges, durations, `übermorgen`) is parsed
 * here first; chrono-node reads the rest (`nächsten Montag`, `24. Dezember`, `tomorrow at noon`).
 * Wall times are placed in the user's IANA zone, DST-correct. A parse that guessed something (no
 * time given, a date only chrono inferred) is flagged `uncertain`, so the bot asks before saving.
 */
import * as chrono from 'chrono-node';
import { CalendarError } from './errors.ts';
import { parseRecurrence } from './recurrence.ts';
import {
  addDays,
  isValidTimezone,
  offsetMinutes,
  wallOf,
  wallToInstant,
  type Wall,
} from '@mana/bot-runtime/zone';

export type Lang = 'de' | 'en';

export interface ParsedEvent {
  title: string;
  start: Date;
  end: Date;
  allDay: boolean;
  location?: string;
  /** RRULE value when the text says how it repeats. */
  rrule?: string;
  /** True when part of the date or time was guessed: echo it back for a ✅/❌ confirmation. */
  uncertain: boolean;
}

export interface ParseOptions {
  now: Date;
  timezone: string;
  lang: Lang;
  /** Length of a timed event without an end (default 60). */
  defaultMinutes?: number;
}

type Day = { year: number; month: number; day: number };
type Time = { hour: number; minute: number };

const WEEKDAY: Record<string, number> = {
  mo: 1,
  montag: 1,
  mon: 1,
  monday: 1,
  di: 2,
  dienstag: 2,
  tue: 2,
  tues: 2,
  tuesday: 2,
  mi: 3,
  mittwoch: 3,
  wed: 3,
  wednesday: 3,
  do: 4,
  donnerstag: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fr: 5,
  freitag: 5,
  fri: 5,
  friday: 5,
  sa: 6,
  samstag: 6,
  sat: 6,
  saturday: 6,
  so: 7,
  sonntag: 7,
  sun: 7,
  sunday: 7,
};
const WD = Object.keys(WEEKDAY)
  .sort((a, b) => b.length - a.length)
  .join('|');
const RELATIVE: Record<string, number> = {
  heute: 0,
  today: 0,
  morgen: 1,
  tomorrow: 1,
  übermorgen: 2,
  uebermorgen: 2,
  'day after tomorrow': 2,
};

const B = String.raw`(?<![\p{L}\d])`;
const E = String.raw`(?![\p{L}\d])`;
const re = (s: string) => new RegExp(s, 'iu');

const ALL_DAY = re(`${B}(?:ganztägig|ganztaegig|ganztags|den ganzen tag|all[- ]day)${E}`);
const FOR = re(
  `${B}(?:for|für|fuer)\\s+(\\d+(?:[.,]\\d+)?)\\s*(h|std|stunden?|hours?|hrs?|m|min|minuten|minutes?|mins)${E}`,
);
const NUM_DATE = re(`${B}(?:am\\s+|on\\s+)?(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4}|\\d{2})?(?![\\d])`);
const ISO_DATE = re(`${B}(?:am\\s+|on\\s+)?(\\d{4})-(\\d{2})-(\\d{2})${E}`);
const REL_DAY = re(`${B}(übermorgen|uebermorgen|day after tomorrow|heute|today|morgen|tomorrow)${E}`);
const IN_DAYS = re(`${B}in\\s+(\\d{1,3}|einem|einer|one|a)\\s+(tag|tagen|days?|wochen?|weeks?)${E}`);
const WEEKDAY_RE = re(`${B}(?:(?:am|on|this|diesen)\\s+)?(${WD})\\.?${E}`);
const T = String.raw`(\d{1,2})(?:[:.](\d{2}))?`;
const RANGE = re(
  `${B}(?:(von|from|between)\\s+)?${T}\\s*(uhr|am|pm)?\\s*(?:[-–—]|bis|to|until|and)\\s*${T}\\s*(uhr|h|am|pm)?${E}`,
);
const TIME = re(`${B}(?:(um|at|@)\\s*)?(\\d{1,2})(?:([:.])(\\d{2}))?\\s*(uhr|h|am|pm)?${E}`);
const LOCATION = re(`(?:^|\\s)(?:in|im|at|bei|@)\\s+(\\S.*)$`);

function invalidDate(text: string, detail: string): CalendarError {
  return new CalendarError('ERR_DATE_INVALID', `invalid date ${JSON.stringify(text)}: ${detail}`, {
    de: `„${text.trim()}“ ist kein gültiges Datum oder keine gültige Uhrzeit.`,
    en: `"${text.trim()}" is not a valid date or time.`,
  });
}

function checkDay(d: Day, text: string): Day {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  if (d.month < 1 || d.month > 12 || t.getUTCDate() !== d.day || t.getUTCMonth() !== d.month - 1)
    throw invalidDate(text, 'no such day');
  return d;
}

function hour12(h: number, suffix: string | undefined, text: string): number {
  const s = suffix?.toLowerCase();
  if (s === 'am' || s === 'pm') {
    if (h < 1 || h > 12) throw invalidDate(text, 'hour');
    return (h % 12) + (s === 'pm' ? 12 : 0);
  }
  return h;
}

function checkTime(t: Time, text: string): Time {
  if (t.hour > 23 || t.minute > 59) throw invalidDate(text, 'time of day');
  return t;
}

const cmpDay = (a: Day, b: Day) => a.year - b.year || a.month - b.month || a.day - b.day;

/**
 * @example
 * parseEvent('Zahnarzt Do 14 Uhr in Kreuzberg', { now, timezone: 'Europe/Berlin', lang: 'de' })
 * // { title: 'Zahnarzt', start: <Thu 14:00>, end: <Thu 15:00>, allDay: false, location: 'Kreuzberg', uncertain: false }
 */
export function parseEvent(input: string, options: ParseOptions): ParsedEvent {
  const tz = options.timezone;
  if (!isValidTimezone(tz))
    throw new CalendarError('ERR_TIMEZONE', `unknown time zone ${tz}`, {
      de: `Unbekannte Zeitzone ${tz}.`,
      en: `Unknown time zone ${tz}.`,
    });
  let text = ` ${input.replace(/\s+/g, ' ')} `;
  const cutOut = (m: RegExpExecArray) => {
    text = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`;
  };
  const nowWall = wallOf(options.now, tz);
  const today: Day = { year: nowWall.year, month: nowWall.month, day: nowWall.day };
  let uncertain = false;

  const rec = parseRecurrence(text, { now: options.now, timezone: tz });
  let rrule: string | undefined;
  if (rec) {
    rrule = rec.rrule;
    text = ` ${rec.rest} `;
  }

  let allDay = false;
  const ad = ALL_DAY.exec(text);
  if (ad) {
    allDay = true;
    cutOut(ad);
  }

  let durationMin: number | undefined;
  const f = FOR.exec(text);
  if (f) {
    const n = Number((f[1] ?? '0').replace(',', '.'));
    durationMin = /^(h|std|stunde|stunden|hours?|hrs?)$/i.test(f[2] ?? '') ? n * 60 : n;
    if (!(durationMin > 0) || durationMin > 60 * 24 * 31) throw invalidDate(f[0], 'duration');
    cutOut(f);
  }

  // ── the day ──
  let day: Day | undefined;
  let weekday: number | undefined;
  const nd = NUM_DATE.exec(text);
  const iso = nd ? undefined : ISO_DATE.exec(text);
  if (nd) {
    const y = nd[3] ? Number(nd[3].length === 2 ? `20${nd[3]}` : nd[3]) : today.year;
    day = checkDay({ year: y, month: Number(nd[2]), day: Number(nd[1]) }, nd[0]);
    // Without a year: the next such day (this year's if it has not passed).
    if (!nd[3] && cmpDay(day, today) < 0) day = checkDay({ ...day, year: y + 1 }, nd[0]);
    cutOut(nd);
  } else if (iso) {
    day = checkDay({ year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) }, iso[0]);
    cutOut(iso);
  } else {
    const rel = REL_DAY.exec(text);
    const inDays = rel ? undefined : IN_DAYS.exec(text);
    if (rel) {
      day = addDays(today, RELATIVE[(rel[1] ?? '').toLowerCase()] ?? 0);
      cutOut(rel);
    } else if (inDays) {
      const n = /^\d+$/.test(inDays[1] ?? '') ? Number(inDays[1]) : 1;
      day = addDays(today, /^(tag|tagen|days?)$/i.test(inDays[2] ?? '') ? n : n * 7);
      cutOut(inDays);
    } else {
      const wd = WEEKDAY_RE.exec(text);
      // "next friday" / "nächsten Freitag" are left to chrono below.
      if (wd && !/(next|nächste[nrs]?|naechste[nrs]?)\s*$/i.test(text.slice(0, wd.index))) {
        weekday = WEEKDAY[(wd[1] ?? '').toLowerCase()];
        cutOut(wd);
      }
    }
  }

  // ── the time (a range, or a start) ──
  let start: Time | undefined;
  let end: Time | undefined;
  const r = RANGE.exec(text);
  // Groups: 1 von/from, 2–4 start hour, minute, suffix, 5–7 end hour, minute, suffix. A range needs
  // a marker (von/from, minutes, Uhr/am/pm): "Kapitel 1-2" is none.
  if (r && (r[1] || r[3] || r[4] || r[6] || r[7])) {
    const s = checkTime({ hour: hour12(Number(r[2]), r[4] ?? r[7], r[0]), minute: Number(r[3] ?? 0) }, r[0]);
    const e = checkTime({ hour: hour12(Number(r[5]), r[7], r[0]), minute: Number(r[6] ?? 0) }, r[0]);
    start = s;
    end = e;
    cutOut(r);
  } else {
    for (const m of text.matchAll(new RegExp(TIME.source, 'giu'))) {
      const [, prefix, h, sep, min, suffix] = m;
      // A bare number is no time ("3 Eier"); "14 Uhr", "14:30", "3pm", "um 9" are.
      if (!suffix && !min && !prefix) continue;
      if (sep === '.' && !suffix && !prefix) continue;
      start = checkTime({ hour: hour12(Number(h), suffix, m[0]), minute: Number(min ?? 0) }, m[0]);
      // "at 5" / "um 5": morning or afternoon? Ask.
      if (!suffix && !min && Number(h) <= 12) uncertain = true;
      text = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`;
      break;
    }
  }

  // ── chrono for what is left ("nächsten Montag", "24. Dezember", "next friday") ──
  if (!day && weekday === undefined) {
    const ref = { instant: options.now, timezone: offsetMinutes(options.now, tz) };
    const langs = options.lang === 'de' ? [chrono.de, chrono.en] : [chrono.en, chrono.de];
    for (const p of langs) {
      const [hit] = p.parse(text, ref, { forwardDate: true });
      if (!hit) continue;
      const c = hit.start;
      if (!c.isCertain('day') && !c.isCertain('weekday') && !c.isCertain('hour')) continue;
      const at = c.date();
      const w = wallOf(at, tz);
      if (c.isCertain('day') || c.isCertain('weekday')) day = { year: w.year, month: w.month, day: w.day };
      if (!start && c.isCertain('hour')) start = { hour: w.hour, minute: w.minute };
      // "next friday" on a Tuesday: this week's or next week's? chrono says next week's; ask.
      if (!c.isCertain('day') && !c.isCertain('weekday')) uncertain = true;
      if (c.isCertain('weekday') && /\b(next|nächste[nrs]?|naechste[nrs]?|kommende[nrs]?)\b/iu.test(hit.text))
        uncertain = true;
      if (hit.end && !end && hit.end.isCertain('hour')) {
        const we = wallOf(hit.end.date(), tz);
        end = { hour: we.hour, minute: we.minute };
      }
      text = `${text.slice(0, hit.index)} ${text.slice(hit.index + hit.text.length)}`;
      break;
    }
  }

  const ahead = () => !!start && start.hour * 60 + start.minute > nowWall.hour * 60 + nowWall.minute;
  // A series without a day starts at its first occurrence: the next BYDAY weekday, the next BYMONTHDAY.
  if (rrule && !day && weekday === undefined) {
    const byday = /BYDAY=([A-Z,]+)/.exec(rrule)?.[1]?.split(',');
    const bymonthday = /BYMONTHDAY=(\d+)/.exec(rrule)?.[1];
    if (byday) {
      const codes = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
      const deltas = byday.map((c) => {
        const d = (codes.indexOf(c) + 1 - nowWall.weekday + 7) % 7;
        return d === 0 && !ahead() ? 7 : d;
      });
      day = addDays(today, Math.min(...deltas));
    } else if (bymonthday) {
      const n = Number(bymonthday);
      for (let i = 0; i < 24 && !day; i++) {
        const first = new Date(Date.UTC(today.year, today.month - 1 + i, 1));
        const cand = { year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: n };
        const real = new Date(Date.UTC(cand.year, cand.month - 1, n));
        if (real.getUTCDate() !== n) continue;
        const c = cmpDay(cand, today);
        if (c > 0 || (c === 0 && ahead())) day = cand;
      }
    }
  }

  if (weekday !== undefined) {
    // The next such weekday; today only when the time is still ahead.
    let delta = (weekday - nowWall.weekday + 7) % 7;
    if (delta === 0 && !ahead()) delta = 7;
    day = addDays(today, delta);
  }

  if (!day && !start)
    throw new CalendarError('ERR_DATE_MISSING', `no date in ${JSON.stringify(input)}`, {
      de: 'Wann? Zum Beispiel: „Zahnarzt Do 14 Uhr“, „am 15.02. 9:30–10:15“, „morgen ganztägig“.',
      en: 'When? For example: "dentist thu 2pm", "on 2027-02-15 9:30-10:15", "tomorrow all day".',
    });
  if (!day && start) {
    // A time only: today if it is still ahead, else tomorrow.
    const later = start.hour * 60 + start.minute > nowWall.hour * 60 + nowWall.minute;
    day = later ? today : addDays(today, 1);
  }
  if (!day) throw invalidDate(input, 'no day');

  // ── location and title ──
  let location: string | undefined;
  const loc = LOCATION.exec(text.replace(/\s+/g, ' ').trim());
  let rest = text.replace(/\s+/g, ' ').trim();
  if (loc?.[1]) {
    location = loc[1].replace(/[\s,;]+$/, '').trim() || undefined;
    rest = rest.slice(0, loc.index).trim();
  }
  const title =
    rest.replace(/^[\s,;:–-]+|[\s,;:–-]+$/g, '').trim() || (options.lang === 'de' ? 'Termin' : 'Event');

  let startAt: Date;
  let endAt: Date;
  if (allDay || !start) {
    if (!allDay) uncertain = true; // a day without a time: assumed all-day
    allDay = true;
    startAt = wallToInstant({ ...day, hour: 0, minute: 0 }, tz);
    const days = durationMin && durationMin >= 1440 ? Math.round(durationMin / 1440) : 1;
    endAt = wallToInstant(addDays(day, days), tz);
  } else {
    startAt = wallToInstant({ ...day, ...start }, tz);
    if (end) {
      let endDay: Day = day;
      if (end.hour * 60 + end.minute <= start.hour * 60 + start.minute) endDay = addDays(day, 1);
      endAt = wallToInstant({ ...endDay, ...end } satisfies Wall, tz);
    } else {
      endAt = new Date(startAt.getTime() + (durationMin ?? options.defaultMinutes ?? 60) * 60_000);
    }
  }
  return {
    title,
    start: startAt,
    end: endAt,
    allDay,
    ...(location ? { location } : {}),
    ...(rrule ? { rrule } : {}),
    uncertain,
  };
}
