/**
 * Which calendar events fall on one day, read straight from the `calendar` rows (the calendar
 * bot is another app: its code is not ours to import). Recurrence is expanded only for simple
 * rules — FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, UNTIL, COUNT and (weekly) BYDAY — and
 * EXDATE is honoured; any other rule shows just the event's first occurrence.
 */
import type { StoredRow } from '@mana/bot-runtime';
import { addDays, wallOf, wallToInstant, type Wall } from '@mana/bot-runtime/zone';

/**
 * A `calendar` `events` row (typed from the collections registry) that has the fields an occurrence
 * needs: a row merged from partial writes may lack them.
 */
export type EventRow = StoredRow<'calendar', 'events'> &
  Required<Pick<StoredRow<'calendar', 'events'>, 'title' | 'start' | 'end' | 'allDay'>>;

export interface Occurrence {
  title: string;
  start: Date;
  end: Date;
  allDay: boolean;
  location?: string | undefined;
}

interface Rule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  interval: number;
  until?: Date;
  count?: number;
  byDay?: number[];
}

const WEEKDAYS: Record<string, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };

/** The rule when it is one we expand, otherwise undefined. */
export function parseSimpleRule(rrule: string): Rule | undefined {
  const parts = new Map<string, string>();
  for (const p of rrule.replace(/^RRULE:/i, '').split(';')) {
    const [k, v] = p.split('=');
    if (!k || v === undefined) return undefined;
    parts.set(k.toUpperCase(), v.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') return undefined;
  const known = new Set(['FREQ', 'INTERVAL', 'UNTIL', 'COUNT', 'BYDAY', 'WKST']);
  if ([...parts.keys()].some((k) => !known.has(k))) return undefined;
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(interval) || interval < 1) return undefined;
  const rule: Rule = { freq, interval };
  const until = parts.get('UNTIL');
  if (until) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(until);
    if (!m) return undefined;
    rule.until = new Date(
      Date.UTC(
        Number(m[1]),
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4] ?? 23),
        Number(m[5] ?? 59),
        Number(m[6] ?? 59),
      ),
    );
  }
  const count = parts.get('COUNT');
  if (count) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) return undefined;
    rule.count = n;
  }
  const byDay = parts.get('BYDAY');
  if (byDay) {
    if (freq !== 'WEEKLY') return undefined;
    const days = byDay.split(',').map((d) => WEEKDAYS[d]);
    if (days.some((d) => d === undefined)) return undefined;
    rule.byDay = days.filter((d): d is number => d !== undefined);
  }
  return rule;
}

const DAY_MS = 86_400_000;

function dayNumber(d: { year: number; month: number; day: number }): number {
  return Math.floor(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

function isoWeekday(n: number): number {
  return ((((n + 3) % 7) + 7) % 7) + 1; // day 0 (1970-01-01) was a Thursday
}

/** Does the rule put an occurrence on date `c` (in the event's zone), given its first date `b`? */
function onDate(rule: Rule, b: Wall, c: Wall): boolean {
  const bn = dayNumber(b);
  const cn = dayNumber(c);
  if (cn < bn) return false;
  switch (rule.freq) {
    case 'DAILY':
      return (cn - bn) % rule.interval === 0;
    case 'WEEKLY': {
      const days = rule.byDay ?? [isoWeekday(bn)];
      const weekOf = (n: number) => Math.floor((n - (isoWeekday(n) - 1)) / 7);
      return days.includes(isoWeekday(cn)) && (weekOf(cn) - weekOf(bn)) % rule.interval === 0;
    }
    case 'MONTHLY':
      return c.day === b.day && ((c.year - b.year) * 12 + (c.month - b.month)) % rule.interval === 0;
    case 'YEARLY':
      return c.day === b.day && c.month === b.month && (c.year - b.year) % rule.interval === 0;
  }
}

/** How many occurrences come before date `c` (for COUNT); walks day by day, at most 20 years. */
function indexOf(rule: Rule, b: Wall, c: Wall): number {
  let n = 0;
  const end = dayNumber(c);
  for (let d = dayNumber(b), i = 0; d < end && i < 7300; d++, i++) {
    const date = new Date(d * DAY_MS);
    const w = {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: 0,
      minute: 0,
    };
    if (onDate(rule, b, w)) n++;
  }
  return n;
}

/**
 * The occurrences of `event` that overlap the day `[dayStart, dayEnd)`.
 *
 * @example
 * occurrencesOn(weeklyStandup, { dayStart, dayEnd, timezone: 'Europe/Berlin' }) // [{ title, start, end }]
 */
export function occurrencesOn(
  event: EventRow,
  day: { start: Date; end: Date; timezone: string },
): Occurrence[] {
  const start = new Date(event.start);
  const end = new Date(event.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return [];
  const duration = Math.max(0, end.getTime() - start.getTime());
  const make = (s: Date): Occurrence => ({
    title: event.title,
    start: s,
    end: new Date(s.getTime() + duration),
    allDay: event.allDay,
    ...(event.location ? { location: event.location } : {}),
  });
  const overlaps = (o: Occurrence) =>
    o.start < day.end && (o.end > day.start || (duration === 0 && o.start >= day.start));
  const rule = event.rrule ? parseSimpleRule(event.rrule) : undefined;
  if (!rule) return [make(start)].filter(overlaps);

  const zone = event.timezone ?? day.timezone;
  const b = wallOf(start, zone);
  const excluded = new Set((event.exdates ?? []).map((x) => new Date(x).getTime()));
  const out: Occurrence[] = [];
  // The day in the reader's zone can touch three dates in the event's zone; a long event started
  // on an earlier date may still run, so look back as far as it lasts.
  const first = wallOf(new Date(day.start.getTime() - duration), zone);
  const last = wallOf(day.end, zone);
  for (let c: Wall = { ...first, hour: 0, minute: 0 }; dayNumber(c) <= dayNumber(last); c = addDays(c, 1)) {
    if (!onDate(rule, b, c)) continue;
    const s = wallToInstant(
      { year: c.year, month: c.month, day: c.day, hour: b.hour, minute: b.minute },
      zone,
    );
    if (rule.until && s > rule.until) continue;
    if (rule.count !== undefined && indexOf(rule, b, c) >= rule.count) continue;
    if (excluded.has(s.getTime())) continue;
    const o = make(s);
    if (overlaps(o)) out.push(o);
  }
  return out;
}
