/**
 * Pure parsing for the todo bot: a task line → title, priority, due date/time, project; a reminder
 * time → an instant. Dates are calendar days in the user's time zone.
 */
import type { Lang } from '@mana/bot-runtime';
import { offsetMinutes } from '@mana/bot-runtime/zone';
import * as chrono from 'chrono-node';

export interface ParsedTask {
  title: string;
  /** 1 (highest) … 4 (default). */
  priority: number;
  dueDate?: string;
  dueTime?: string;
  project?: string;
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function dayIn(instant: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const DAY_WORDS: Record<string, number> = {
  today: 0,
  heute: 0,
  tomorrow: 1,
  morgen: 1,
  übermorgen: 2,
  uebermorgen: 2,
};

const PRIORITY = /(^|\s)!p([1-4])(?=\s|$)/i;
const DAY_TAG = /(^|\s)@(today|heute|tomorrow|morgen|übermorgen|uebermorgen)(?=\s|$)/iu;
const PROJECT_TAG = /(^|\s)#([\p{L}\p{N}_-]{1,64})(?=\s|$)/u;

function tidy(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function parser(lang: Lang) {
  return lang === 'de' ? chrono.de : chrono.en;
}

/**
 * @example
 * parseTask('Milch kaufen @morgen !p1', { now, timezone: 'Europe/Berlin', lang: 'de' })
 * // { title: 'Milch kaufen', priority: 1, dueDate: '2026-11-23' }
 */
export function parseTask(input: string, options: { now: Date; timezone: string; lang: Lang }): ParsedTask {
  let text = ` ${input} `;
  let priority = 4;
  let dueDate: string | undefined;
  let dueTime: string | undefined;
  let project: string | undefined;
  const today = dayIn(options.now, options.timezone);

  const p = PRIORITY.exec(text);
  if (p) {
    priority = Number(p[2]);
    text = text.replace(PRIORITY, ' ');
  }
  const d = DAY_TAG.exec(text);
  if (d?.[2]) {
    dueDate = addDays(today, DAY_WORDS[d[2].toLowerCase()] ?? 0);
    text = text.replace(DAY_TAG, ' ');
  }
  const pr = PROJECT_TAG.exec(text);
  if (pr?.[2]) {
    project = pr[2];
    text = text.replace(PROJECT_TAG, ' ');
  }
  if (!dueDate) {
    // Natural dates in either language ("next friday", "am Freitag um 15 Uhr"); the user's first.
    const ref = { instant: options.now, timezone: offsetMinutes(options.now, options.timezone) };
    const langs: Lang[] = options.lang === 'de' ? ['de', 'en'] : ['en', 'de'];
    for (const l of langs) {
      const [hit] = parser(l).parse(text, ref, { forwardDate: true });
      if (!hit) continue;
      // A bare number ("3 Eier") is not a date.
      if (!hit.start.isCertain('day') && !hit.start.isCertain('weekday') && !hit.start.isCertain('hour'))
        continue;
      const at = hit.start.date();
      dueDate = dayIn(at, options.timezone);
      if (hit.start.isCertain('hour')) {
        dueTime = new Intl.DateTimeFormat('en-GB', {
          timeZone: options.timezone,
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(at);
      }
      text = text.slice(0, hit.index) + ' ' + text.slice(hit.index + hit.text.length);
      break;
    }
  }
  const title = tidy(text);
  return {
    title: title === '' ? tidy(input) : title,
    priority,
    ...(dueDate ? { dueDate } : {}),
    ...(dueTime ? { dueTime } : {}),
    ...(project ? { project } : {}),
  };
}

/** A reminder time ("in 10 Minuten", "morgen 9 Uhr", "at 5pm", "15:30") → an instant in the future. */
export function parseWhen(
  input: string,
  options: { now: Date; timezone: string; lang: Lang },
): Date | undefined {
  const ref = { instant: options.now, timezone: offsetMinutes(options.now, options.timezone) };
  const langs: Lang[] = options.lang === 'de' ? ['de', 'en'] : ['en', 'de'];
  for (const l of langs) {
    const [hit] = parser(l).parse(input, ref, { forwardDate: true });
    if (!hit) continue;
    const at = hit.start.date();
    if (at.getTime() > options.now.getTime()) return at;
  }
  return undefined;
}

/** "Fr., 23.11." / "Fri, Nov 23" — and "heute" / "today" for today and tomorrow. */
export function formatDue(day: string, time: string | undefined, lang: Lang, today: string): string {
  const words = lang === 'de' ? ['heute', 'morgen', 'gestern'] : ['today', 'tomorrow', 'yesterday'];
  let label: string;
  if (day === today) label = words[0] ?? day;
  else if (day === addDays(today, 1)) label = words[1] ?? day;
  else if (day === addDays(today, -1)) label = words[2] ?? day;
  else {
    label = new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-US', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    }).format(new Date(`${day}T12:00:00Z`));
  }
  return time ? `${label} ${time}` : label;
}

/** Splits a task into steps at commas and "and/und/then/dann" (the rule-based breakdown). */
export function breakdown(title: string): string[] {
  return title
    .split(/\s*(?:,|;|\bund dann\b|\band then\b|\bund\b|\band\b|\bdann\b|\bthen\b)\s*/i)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The longest title a task may have (the `todo.tasks.title` limit in the collections registry). */
export const TITLE_MAX = 1000;

/**
 * A message → a task's title and notes: the first line is the title, the other lines are the notes.
 * A first line longer than `max` is cut at the last word boundary within `max` (mid-word only when
 * there is none), and the cut-off part opens the notes. Nothing of the text is lost.
 *
 * @example
 * splitTaskText('Call Anna\nabout the rent\nand the keys') // { title: 'Call Anna', notes: 'about the rent\nand the keys' }
 */
export function splitTaskText(text: string, max = TITLE_MAX): { title: string; notes?: string } {
  const trimmed = text.trim();
  const nl = trimmed.search(/\r?\n/);
  let first = (nl < 0 ? trimmed : trimmed.slice(0, nl)).trim();
  let rest = nl < 0 ? '' : trimmed.slice(nl).trim();
  if (first.length > max) {
    const cut = cutAt(first, max);
    const tail = first.slice(cut).trim();
    first = first.slice(0, cut).trim();
    rest = rest ? `${tail}\n${rest}` : tail;
  }
  return rest ? { title: first, notes: rest } : { title: first };
}

/**
 * Where to cut `s` to keep at most `max` UTF-16 units (the unit zod's `max` counts): at the last
 * whitespace, else at `max` without splitting a surrogate pair.
 */
function cutAt(s: string, max: number, minWord = 1): number {
  const space = s.slice(0, max + 1).search(/\s\S*$/);
  if (space >= minWord) return space;
  const code = s.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/** A title shortened for a chat reply: at most `max` characters, cut at a word with “…”. */
export function shortTitle(title: string, max = 80): string {
  if (title.length <= max) return title;
  return `${title.slice(0, cutAt(title, max - 1, max / 2)).trimEnd()}…`;
}
