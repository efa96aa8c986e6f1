/**
 * Recurrence: phrases (`jeden Montag`, `every 2 weeks on tue`, `monatlich am 1.`, `bis 31.03.`,
 * `10 mal`) → an RFC 5545 RRULE (`rrule` package), and capped expansion of a recurring event into
 * occurrences. Rules repeat **wall times** in the event's zone (09:00 stays 09:00 across DST): the
 * rule is expanded in floating time and each occurrence is placed in the zone afterwards.
 *
 * Expansion is a DoS guard: at most `MAX_OCCURRENCES` per request and a window of at most
 * `MAX_WINDOW_DAYS`; a rule that would give more → `ERR_TOO_MANY_OCCURRENCES`. Only the parts of
 * RFC 5545 a calendar needs are accepted (FREQ DAILY…YEARLY, INTERVAL, COUNT, UNTIL, BYDAY,
 * BYMONTHDAY, BYMONTH, BYSETPOS, WKST), and rules that can never match are refused up front, since
 * `rrule` would search for them until the year 9999.
 */
import rrulePkg from 'rrule';
import { CalendarError } from './errors.ts';
import { floatingToInstant, offsetTable, wallOf, wallToInstant, type Wall } from '@mana/bot-runtime/zone';

const { RRule } = rrulePkg;

export const MAX_OCCURRENCES = 5000;
/** Twenty years: the longest window one expansion may ask for. */
export const MAX_WINDOW_DAYS = 7320;
const DAY_MS = 86_400_000;

function invalid(rule: string, why: string): CalendarError {
  return new CalendarError('ERR_RRULE_INVALID', `invalid RRULE ${JSON.stringify(rule)}: ${why}`, {
    de: `Diese Wiederholung verstehe ich nicht (${why}).`,
    en: `I can't use this recurrence (${why}).`,
  });
}

const ALLOWED = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Checks an RRULE value (without `RRULE:`) against the subset we expand; returns it normalized.
 * Throws `ERR_RRULE_INVALID` / `ERR_RRULE_UNSUPPORTED`.
 */
export function checkRrule(rule: string): string {
  const text = rule.trim().replace(/^RRULE:/i, '');
  if (text.length === 0 || text.length > 1000) throw invalid(rule, 'length');
  const parts = new Map<string, string>();
  for (const p of text.split(';')) {
    const [k, v, more] = p.split('=');
    if (!k || v === undefined || more !== undefined || v === '') throw invalid(rule, `bad part ${p}`);
    const key = k.toUpperCase();
    if (parts.has(key)) throw invalid(rule, `${key} twice`);
    if (!ALLOWED.has(key))
      throw new CalendarError('ERR_RRULE_UNSUPPORTED', `unsupported RRULE part ${key}`, {
        de: `Wiederholungen mit ${key} unterstütze ich nicht.`,
        en: `Recurrences with ${key} are not supported.`,
      });
    parts.set(key, v.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (!freq || !['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(freq))
    throw new CalendarError('ERR_RRULE_UNSUPPORTED', `unsupported FREQ ${freq ?? '(none)'}`, {
      de: 'Wiederholungen gibt es täglich, wöchentlich, monatlich oder jährlich.',
      en: 'Recurrences can be daily, weekly, monthly or yearly.',
    });
  const int = (key: string, min: number, max: number) => {
    const v = parts.get(key);
    if (v === undefined) return;
    for (const x of v.split(',')) {
      if (!/^[+-]?\d{1,6}$/.test(x) || Number(x) < min || Number(x) > max || Number(x) === 0)
        throw invalid(rule, `${key}=${v}`);
    }
  };
  int('INTERVAL', 1, 1000);
  int('COUNT', 1, 1_000_000);
  int('BYMONTHDAY', -31, 31);
  int('BYMONTH', 1, 12);
  int('BYSETPOS', -366, 366);
  if (parts.has('COUNT') && parts.has('UNTIL')) throw invalid(rule, 'COUNT and UNTIL');
  const until = parts.get('UNTIL');
  if (until !== undefined && !/^\d{8}(T\d{6}Z?)?$/.test(until)) throw invalid(rule, `UNTIL=${until}`);
  const byday = parts.get('BYDAY');
  if (
    byday !== undefined &&
    !byday.split(',').every((d) => /^([+-]?[1-5]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.test(d))
  )
    throw invalid(rule, `BYDAY=${byday}`);
  // BYMONTH × BYMONTHDAY must name a day that exists (Feb 30 never comes).
  const days = parts.get('BYMONTHDAY')?.split(',').map(Number);
  if (days) {
    const months = parts.get('BYMONTH')?.split(',').map(Number) ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const possible = months.some((m) => days.some((d) => Math.abs(d) <= (MONTH_DAYS[m - 1] ?? 0)));
    if (!possible) throw invalid(rule, 'that day never comes');
  }
  return [...parts].map(([k, v]) => `${k}=${v}`).join(';');
}

/** A wall time as a floating Date (its UTC fields are the wall fields), the way we feed `rrule`. */
const floating = (w: Wall) => new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute));

export interface RecurringEvent {
  /** First occurrence's start and end (ISO instants). */
  start: string;
  end: string;
  /** RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO`. */
  rrule: string;
  /** Start instants of deleted occurrences. */
  exdates?: readonly string[] | null;
  timezone: string;
}

export interface Occurrence {
  start: Date;
  end: Date;
}

/**
 * The occurrences starting in `[from, to)`, at most `max` (≤ `MAX_OCCURRENCES`); more →
 * `ERR_TOO_MANY_OCCURRENCES`, a window over `MAX_WINDOW_DAYS` → `ERR_WINDOW_TOO_LARGE`.
 *
 * @example
 * expandEvent({ start: '2026-03-02T08:00:00Z', end: '2026-03-02T09:00:00Z', rrule: 'FREQ=WEEKLY;BYDAY=MO', timezone: 'Europe/Berlin' },
 *   { from: new Date('2026-03-01'), to: new Date('2026-04-01') }) // 5 Mondays at 09:00 Berlin time
 */
export function expandEvent(
  event: RecurringEvent,
  window: { from: Date; to: Date; max?: number },
): Occurrence[] {
  const max = Math.min(window.max ?? MAX_OCCURRENCES, MAX_OCCURRENCES);
  const span = window.to.getTime() - window.from.getTime();
  if (!(span >= 0) || span > MAX_WINDOW_DAYS * DAY_MS)
    throw new CalendarError('ERR_WINDOW_TOO_LARGE', `window of ${span} ms`, {
      de: `Ich zeige Termine für höchstens ${MAX_WINDOW_DAYS} Tage auf einmal.`,
      en: `I show events for at most ${MAX_WINDOW_DAYS} days at a time.`,
    });
  const rule = checkRrule(event.rrule);
  const start = new Date(event.start);
  const duration = new Date(event.end).getTime() - start.getTime();
  if (Number.isNaN(start.getTime()) || !(duration >= 0)) throw invalid(event.rrule, 'start/end');
  const tz = event.timezone;
  const options = RRule.parseString(rule);
  // UNTIL is an instant; in floating time it is the zone's wall time at that instant.
  if (options.until) options.until = floating(wallOf(options.until, tz));
  const rr = new RRule({ ...options, dtstart: floating(wallOf(start, tz)) });
  const excluded = new Set((event.exdates ?? []).map((d) => new Date(d).getTime()));
  // Floating bounds one day wider on each side (zone offsets are < 1 day); exact filter below.
  const lo = new Date(floating(wallOf(window.from, tz)).getTime() - DAY_MS);
  const hi = new Date(floating(wallOf(window.to, tz)).getTime() + DAY_MS);
  // Floating occurrences first (cheap), then one offset table over their span. Collecting stops at
  // `cap`: the margins (a day or two on each side) drop at most four and the EXDATEs at most their number, so reaching it means
  // more than `max` in the window.
  const cap = max + excluded.size + 5;
  const floatingDates: Date[] = [];
  rr.between(lo, hi, true, (d) => {
    floatingDates.push(d);
    return floatingDates.length < cap;
  });
  const first = floatingDates[0];
  const last = floatingDates[floatingDates.length - 1];
  if (!first || !last) return [];
  const offsetAt = offsetTable(tz, first.getTime() - 2 * DAY_MS, last.getTime() + 2 * DAY_MS);
  const out: Occurrence[] = [];
  let tooMany = floatingDates.length >= cap;
  const fromMs = window.from.getTime();
  const toMs = window.to.getTime();
  const checkExcluded = excluded.size > 0;
  for (const d of floatingDates) {
    // rrule yields whole minutes in floating time: its ms are the wall time's UTC fields.
    const t = floatingToInstant(d.getTime(), tz, offsetAt);
    if (t < fromMs || t >= toMs || (checkExcluded && excluded.has(t))) continue;
    if (out.length >= max) {
      tooMany = true;
      break;
    }
    out.push({ start: new Date(t), end: new Date(t + duration) });
  }
  if (tooMany)
    throw new CalendarError('ERR_TOO_MANY_OCCURRENCES', `more than ${max} occurrences`, {
      de: `Diese Wiederholung ergibt mehr als ${max} Termine im Zeitraum — bitte einen kürzeren Zeitraum.`,
      en: `This recurrence gives more than ${max} events in that period — please ask for a shorter one.`,
    });
  return out;
}

/**
 * Refuses a series that asks for more than `MAX_OCCURRENCES` in all (`COUNT=100000`) before it is
 * stored: expansion is windowed anyway, but such a rule is a mistake or an attack, and the user
 * should hear so at once. Returns the rule normalized.
 */
export function checkSeries(rule: string): string {
  const normalized = checkRrule(rule);
  const count = /(?:^|;)COUNT=(\d+)/.exec(normalized)?.[1];
  if (count !== undefined && Number(count) > MAX_OCCURRENCES)
    throw new CalendarError('ERR_TOO_MANY_OCCURRENCES', `COUNT=${count} over ${MAX_OCCURRENCES}`, {
      de: `Diese Serie hätte ${Number(count).toLocaleString('de-DE')} Termine — ich lege höchstens ${MAX_OCCURRENCES.toLocaleString('de-DE')} an.`,
      en: `This series would have ${Number(count).toLocaleString('en-US')} events — I create at most ${MAX_OCCURRENCES.toLocaleString('en-US')}.`,
    });
  return normalized;
}

/**
 * The first occurrence starting at or after `after` (within `MAX_WINDOW_DAYS`), or undefined.
 * Two windows (a week, then the rest) keep the usual case cheap.
 */
export function nextOccurrence(event: RecurringEvent, after: Date): Occurrence | undefined {
  const week = new Date(after.getTime() + 8 * DAY_MS);
  const near = expandEvent(event, { from: after, to: week });
  if (near[0]) return near[0];
  const far = new Date(after.getTime() + (MAX_WINDOW_DAYS - 1) * DAY_MS);
  for (let from = week; from < far;) {
    // Windows of at most a year: under MAX_OCCURRENCES for every FREQ we accept.
    const to = new Date(Math.min(far.getTime(), from.getTime() + 366 * DAY_MS));
    const hit = expandEvent(event, { from, to })[0];
    if (hit) return hit;
    from = to;
  }
  return undefined;
}

// ── phrases ──────────────────────────────────────────────────────────────────────────────────

const WEEKDAYS: Record<string, string> = {
  montag: 'MO',
  montags: 'MO',
  mo: 'MO',
  monday: 'MO',
  mondays: 'MO',
  mon: 'MO',
  dienstag: 'TU',
  dienstags: 'TU',
  di: 'TU',
  tuesday: 'TU',
  tuesdays: 'TU',
  tue: 'TU',
  tues: 'TU',
  mittwoch: 'WE',
  mittwochs: 'WE',
  mi: 'WE',
  wednesday: 'WE',
  wednesdays: 'WE',
  wed: 'WE',
  donnerstag: 'TH',
  donnerstags: 'TH',
  do: 'TH',
  thursday: 'TH',
  thursdays: 'TH',
  thu: 'TH',
  thur: 'TH',
  freitag: 'FR',
  freitags: 'FR',
  fr: 'FR',
  friday: 'FR',
  fridays: 'FR',
  fri: 'FR',
  samstag: 'SA',
  samstags: 'SA',
  sa: 'SA',
  saturday: 'SA',
  saturdays: 'SA',
  sat: 'SA',
  sonntag: 'SU',
  sonntags: 'SU',
  so: 'SU',
  sunday: 'SU',
  sundays: 'SU',
  sun: 'SU',
};
const DAY_RE = Object.keys(WEEKDAYS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const DAY_LIST = String.raw`(?:${DAY_RE})\.?(?:\s*(?:,|und|and|&)\s*(?:${DAY_RE})\.?)*`;

const UNITS: Record<string, string> = {
  tag: 'DAILY',
  tage: 'DAILY',
  tagen: 'DAILY',
  day: 'DAILY',
  days: 'DAILY',
  woche: 'WEEKLY',
  wochen: 'WEEKLY',
  week: 'WEEKLY',
  weeks: 'WEEKLY',
  monat: 'MONTHLY',
  monate: 'MONTHLY',
  monaten: 'MONTHLY',
  month: 'MONTHLY',
  months: 'MONTHLY',
  jahr: 'YEARLY',
  jahre: 'YEARLY',
  jahren: 'YEARLY',
  year: 'YEARLY',
  years: 'YEARLY',
};
const UNIT_RE = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const ADVERBS: Record<string, string> = {
  täglich: 'DAILY',
  daily: 'DAILY',
  wöchentlich: 'WEEKLY',
  weekly: 'WEEKLY',
  monatlich: 'MONTHLY',
  monthly: 'MONTHLY',
  jährlich: 'YEARLY',
  yearly: 'YEARLY',
  annually: 'YEARLY',
};

function days(list: string): string {
  const out: string[] = [];
  for (const m of list.toLowerCase().matchAll(new RegExp(`(?:${DAY_RE})(?![\\p{L}])`, 'gu'))) {
    const d = WEEKDAYS[m[0]];
    if (d && !out.includes(d)) out.push(d);
  }
  return out.join(',');
}

const PATTERNS: { re: RegExp; rule: (m: RegExpExecArray) => string }[] = [
  // "alle 2 Wochen am Dienstag", "every 2 weeks on tue", "every other week"
  {
    re: new RegExp(
      String.raw`(?:alle|every)\s+(\d{1,3}|other|zwei|two)\s+(${UNIT_RE})(?:\s+(?:am|an|on)\s+(${DAY_LIST}))?`,
      'iu',
    ),
    rule: (m) => {
      const n = /^\d+$/.test(m[1] ?? '') ? Number(m[1]) : 2;
      const freq = UNITS[(m[2] ?? '').toLowerCase()] ?? 'WEEKLY';
      return `FREQ=${freq};INTERVAL=${n}${m[3] ? `;BYDAY=${days(m[3])}` : ''}`;
    },
  },
  // "werktags", "weekdays", "every weekday"
  {
    re: /(?:jeden\s+)?(?:werktags?|wochentags|(?:every\s+)?weekdays?)(?![\p{L}])/iu,
    rule: () => 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  },
  // "monatlich am 1.", "jeden Monat am 15.", "monthly on the 1st"
  {
    re: /(?:monatlich|jeden\s+monat|monthly|every\s+month)\s+(?:am|on\s+the|on)\s+(\d{1,2})(?:\.|st|nd|rd|th)?(?![\p{L}\d])/iu,
    rule: (m) => `FREQ=MONTHLY;BYMONTHDAY=${Number(m[1])}`,
  },
  // "jeden Montag", "jeden Mo und Do", "every monday", "mondays"
  {
    re: new RegExp(String.raw`(?:jeden|jede|jedes|every|immer)\s+(${DAY_LIST})(?![\p{L}])`, 'iu'),
    rule: (m) => `FREQ=WEEKLY;BYDAY=${days(m[1] ?? '')}`,
  },
  {
    re: /(?<![\p{L}])(montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonntags|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)(?![\p{L}])/iu,
    rule: (m) => `FREQ=WEEKLY;BYDAY=${days(m[1] ?? '')}`,
  },
  // "jeden Tag", "jede Woche", "every month", "every year"
  {
    re: new RegExp(String.raw`(?:jeden|jede|jedes|every)\s+(${UNIT_RE})(?![\p{L}])`, 'iu'),
    rule: (m) => `FREQ=${UNITS[(m[1] ?? '').toLowerCase()] ?? 'DAILY'}`,
  },
  {
    re: new RegExp(String.raw`(?<![\p{L}])(${Object.keys(ADVERBS).join('|')})(?![\p{L}])`, 'iu'),
    rule: (m) => `FREQ=${ADVERBS[(m[1] ?? '').toLowerCase()] ?? 'DAILY'}`,
  },
];

const UNTIL_RE = /(?<![\p{L}])(?:bis\s+(?:zum\s+)?|until\s+)(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?/iu;
const UNTIL_ISO = /(?<![\p{L}])(?:bis|until)\s+(\d{4})-(\d{2})-(\d{2})/iu;
// Up to 7 digits, so "100000 mal" reads as COUNT=100000 (and is refused as too many) rather than as "0000 mal".
const COUNT_RE = /(?<![\p{L}\d])(\d{1,7})\s*(?:mal|x|times)(?![\p{L}])/iu;

export interface ParsedRecurrence {
  rrule: string;
  /** The text with the recurrence phrases cut out. */
  rest: string;
}

/**
 * The recurrence phrases in `text` → an RRULE and the rest of the text; undefined when there are none.
 * `bis 31.03.` ends the rule at the end of that day in `timezone` (the next 31 March after `now`
 * when the year is left out); `10 mal` / `10 times` gives a COUNT.
 *
 * @example
 * parseRecurrence('Team jeden Montag 9 Uhr bis 31.03.', { now, timezone: 'Europe/Berlin' })
 * // { rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20260331T215959Z', rest: 'Team 9 Uhr' }
 */
export function parseRecurrence(
  text: string,
  options: { now: Date; timezone: string },
): ParsedRecurrence | undefined {
  let rest = ` ${text} `;
  let rule: string | undefined;
  for (const p of PATTERNS) {
    const m = p.re.exec(rest);
    if (!m) continue;
    rule = p.rule(m);
    rest = rest.slice(0, m.index) + ' ' + rest.slice(m.index + m[0].length);
    break;
  }
  if (!rule) return undefined;
  const u = UNTIL_RE.exec(rest) ?? UNTIL_ISO.exec(rest);
  if (u) {
    const iso = u[0].includes('-');
    const today = wallOf(options.now, options.timezone);
    const day = Number(iso ? u[3] : u[1]);
    const month = Number(iso ? u[2] : u[2]);
    let year = iso ? Number(u[1]) : u[3] ? Number(u[3].length === 2 ? `20${u[3]}` : u[3]) : today.year;
    if (!iso && !u[3] && (month < today.month || (month === today.month && day < today.day))) year++;
    const check = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 || month > 12 || check.getUTCDate() !== day)
      throw new CalendarError('ERR_DATE_INVALID', `no such date ${u[0]}`, {
        de: `Den ${day}.${month}. gibt es nicht.`,
        en: `There is no ${year}-${month}-${day}.`,
      });
    // The last second of that day in the zone, as UTC.
    const next = wallToInstant({ year, month, day: day + 1, hour: 0, minute: 0 }, options.timezone);
    const until = new Date(next.getTime() - 1000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    rule += `;UNTIL=${until}`;
    rest = rest.slice(0, u.index) + ' ' + rest.slice(u.index + u[0].length);
  } else {
    const c = COUNT_RE.exec(rest);
    if (c) {
      rule += `;COUNT=${Number(c[1])}`;
      rest = rest.slice(0, c.index) + ' ' + rest.slice(c.index + c[0].length);
    }
  }
  return { rrule: checkRrule(rule), rest: rest.replace(/\s+/g, ' ').trim() };
}
