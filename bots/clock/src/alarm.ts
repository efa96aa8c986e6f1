/**
 * Alarms: `7:30`, `07:30 werktags` / `weekdays`, `6:45 Mo,Mi,Fr`, `7 Uhr Wochenende`, `6:00 Mo-Fr
 * Training` → a wall time, ISO weekdays and a label; and the next instant an alarm rings in an IANA
 * zone, DST-correct (a time in the spring-forward gap rings at the gap's end, a time that occurs
 * twice in autumn rings once, at the first).
 */
import { ClockError } from './errors.ts';
import { addDays, isValidTimezone, wallOf, wallToInstant } from '@mana/bot-runtime/zone';

export interface AlarmSpec {
  /** `HH:MM` */
  time: string;
  /** ISO weekdays 1 (Monday) … 7, ascending; empty = once (the next time that wall time comes). */
  days: number[];
  label?: string;
}

const DAY_NAMES: Record<string, number> = {
  mo: 1,
  mon: 1,
  montag: 1,
  monday: 1,
  di: 2,
  tue: 2,
  tues: 2,
  dienstag: 2,
  tuesday: 2,
  mi: 3,
  wed: 3,
  mittwoch: 3,
  wednesday: 3,
  do: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  donnerstag: 4,
  thursday: 4,
  fr: 5,
  fri: 5,
  freitag: 5,
  friday: 5,
  sa: 6,
  sat: 6,
  samstag: 6,
  sonnabend: 6,
  saturday: 6,
  so: 7,
  sun: 7,
  sonntag: 7,
  sunday: 7,
};
const DAY_SETS: Record<string, number[]> = {
  werktags: [1, 2, 3, 4, 5],
  wochentags: [1, 2, 3, 4, 5],
  weekdays: [1, 2, 3, 4, 5],
  wochenende: [6, 7],
  weekend: [6, 7],
  weekends: [6, 7],
  täglich: [1, 2, 3, 4, 5, 6, 7],
  daily: [1, 2, 3, 4, 5, 6, 7],
  'jeden tag': [1, 2, 3, 4, 5, 6, 7],
  'every day': [1, 2, 3, 4, 5, 6, 7],
};

const TIME = /^(\d{1,2})(?:[:.](\d{1,2}))?(\s*uhr|\s*h|\s*(am|pm))?(?=\s|,|$)/iu;

function badTime(input: string): ClockError {
  return new ClockError('ERR_ALARM_TIME', `not an alarm time: ${JSON.stringify(input)}`, {
    de: `„${input}“ ist keine Uhrzeit. Beispiele: wecker 7:30, alarm 6:45 Mo,Mi,Fr, alarm 07:30 werktags.`,
    en: `"${input}" is not a time of day. Examples: alarm 7:30, alarm 6:45 mon,wed,fri, alarm 07:30 weekdays.`,
  });
}

function dayToken(token: string): number[] | undefined {
  const t = token.toLowerCase().replace(/\.$/, '');
  const set = DAY_SETS[t];
  if (set) return set;
  const range = /^(\p{L}+)\s*[-–]\s*(\p{L}+)$/u.exec(t);
  if (range) {
    const a = DAY_NAMES[range[1] ?? ''];
    const b = DAY_NAMES[range[2] ?? ''];
    if (a === undefined || b === undefined) return undefined;
    const out: number[] = [];
    for (let d = a; ; d = (d % 7) + 1) {
      out.push(d);
      if (d === b) break;
    }
    return out;
  }
  const one = DAY_NAMES[t];
  return one === undefined ? undefined : [one];
}

/**
 * @example
 * parseAlarm('6:45 Mo,Mi,Fr Laufen') // { time: '06:45', days: [1, 3, 5], label: 'Laufen' }
 */
export function parseAlarm(input: string): AlarmSpec {
  const text = input.trim();
  const m = TIME.exec(text);
  if (!m) throw badTime(text.split(/\s/)[0] ?? text);
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const ampm = m[4]?.toLowerCase();
  if (m[2] !== undefined && m[2].length !== 2) throw badTime(m[0]);
  if (ampm) {
    if (hour < 1 || hour > 12) throw badTime(m[0]);
    hour = (hour % 12) + (ampm === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) throw badTime(m[0]);
  if (m[2] === undefined && !m[3]) throw badTime(m[0]);
  let rest = text.slice(m[0].length).trim();
  const days = new Set<number>();
  const two = /^(jeden tag|every day)(?=\s|$)/iu.exec(rest);
  if (two) {
    for (const d of DAY_SETS[two[1]?.toLowerCase() ?? ''] ?? []) days.add(d);
    rest = rest.slice(two[0].length).trim();
  }
  // Day tokens separated by commas or spaces, until the first word that is no day (the label).
  for (;;) {
    const tok = /^([\p{L}.]+(?:\s*[-–]\s*[\p{L}.]+)?)\s*(,\s*)?/u.exec(rest);
    const found = tok?.[1] ? dayToken(tok[1]) : undefined;
    if (!tok || !found) {
      // A word inside a comma list that is no day is a typo, not the label.
      if (tok?.[1] && (tok[2] || (days.size > 0 && /^,/.test(rest.slice(tok[1].length).trim()))))
        throw new ClockError('ERR_ALARM_DAYS', `not a weekday: ${tok[1]}`, {
          de: `„${tok[1]}“ ist kein Wochentag (Mo, Di, Mi, Do, Fr, Sa, So, werktags, Wochenende).`,
          en: `"${tok[1]}" is not a weekday (mon, tue, wed, thu, fri, sat, sun, weekdays, weekend).`,
        });
      break;
    }
    for (const d of found) days.add(d);
    rest = rest.slice(tok[0].length).trim();
  }
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return { time, days: [...days].sort((a, b) => a - b), ...(rest ? { label: rest } : {}) };
}

/**
 * The first instant strictly after `after` at which the alarm rings, in `timezone`.
 *
 * @example
 * nextFiring({ time: '07:30', days: [1, 2, 3, 4, 5] }, { after: new Date('2026-03-28T12:00:00Z'), timezone: 'Europe/Berlin' })
 * // Monday 2026-03-30 07:30 CEST = 05:30Z
 */
export function nextFiring(
  alarm: Pick<AlarmSpec, 'time' | 'days'>,
  options: { after: Date; timezone: string },
): Date {
  if (!isValidTimezone(options.timezone))
    throw new ClockError('ERR_TIMEZONE', `unknown time zone ${options.timezone}`, {
      de: `Unbekannte Zeitzone ${options.timezone}.`,
      en: `Unknown time zone ${options.timezone}.`,
    });
  const t = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(alarm.time);
  if (!t) throw badTime(alarm.time);
  const hour = Number(t[1]);
  const minute = Number(t[2]);
  const today = wallOf(options.after, options.timezone);
  for (let i = 0; i <= 8; i++) {
    const day = addDays(today, i);
    const weekday = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay() || 7;
    if (alarm.days.length > 0 && !alarm.days.includes(weekday)) continue;
    const at = wallToInstant({ ...day, hour, minute }, options.timezone);
    if (at.getTime() > options.after.getTime()) return at;
  }
  throw new ClockError('ERR_ALARM_DAYS', `no firing day in ${JSON.stringify(alarm.days)}`, {
    de: 'Dieser Wecker hat keinen gültigen Wochentag.',
    en: 'This alarm has no valid weekday.',
  });
}
