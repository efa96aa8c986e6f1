/**
 * The `calendar` app's event rows as the bot reads them: complete rows only (a partial row, say a
 * field-merged revival, is left out), their occurrences in a window (series expanded, capped), and
 * how an occurrence reads in a reply.
 */
import { collections } from '@mana/sync-protocol';
import { wallOf } from '@mana/bot-runtime/zone';
import { CalendarError } from './errors.ts';
import type { EventRow } from './ics.ts';
import { expandEvent, nextOccurrence } from './recurrence.ts';

export const APP = 'calendar';
/** The web app's default calendar id: both create the same row. */
export const DEFAULT_CALENDAR = 'default';

export type CalEvent = EventRow & { id: string };

export interface Occurrence {
  event: CalEvent;
  start: Date;
  end: Date;
}

const schema = collections.calendar.events;

/** A complete event row, or undefined. */
export function asEvent(row: { id: string; [k: string]: unknown } | undefined): CalEvent | undefined {
  if (!row) return undefined;
  const { id, ...fields } = row;
  const parsed = schema.safeParse(fields);
  return parsed.success ? { ...parsed.data, id } : undefined;
}

const seriesOf = (e: CalEvent, fallbackZone: string) => ({
  start: e.start,
  end: e.end,
  rrule: e.rrule ?? '',
  exdates: e.exdates ?? null,
  timezone: e.timezone ?? fallbackZone,
});

/**
 * Occurrences overlapping `[from, to)`, by start. A series whose stored rule cannot be expanded
 * (written by another client, or too dense for the window) is left out rather than failing the list.
 */
export function occurrencesIn(
  events: readonly CalEvent[],
  window: { from: Date; to: Date; timezone: string },
): Occurrence[] {
  const out: Occurrence[] = [];
  const from = window.from.getTime();
  const to = window.to.getTime();
  for (const e of events) {
    const s = Date.parse(e.start);
    const en = Date.parse(e.end);
    if (!e.rrule) {
      if (s < to && (en > from || (en === s && s >= from)))
        out.push({ event: e, start: new Date(s), end: new Date(en) });
      continue;
    }
    try {
      // Started before the window but still running: look back by the event's length.
      const occ = expandEvent(seriesOf(e, window.timezone), {
        from: new Date(from - Math.max(0, en - s)),
        to: window.to,
      });
      for (const o of occ)
        if (o.end.getTime() > from || o.start.getTime() >= from) out.push({ event: e, ...o });
    } catch (err) {
      if (!(err instanceof CalendarError)) throw err;
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.event.id.localeCompare(b.event.id));
}

/** Whether `e` has an occurrence starting exactly at `at` (not deleted as an EXDATE). */
export function occursAt(e: CalEvent, at: Date, fallbackZone: string): boolean {
  if (!e.rrule) return Date.parse(e.start) === at.getTime();
  try {
    const hit = expandEvent(seriesOf(e, fallbackZone), { from: at, to: new Date(at.getTime() + 1) });
    return hit.length === 1;
  } catch (err) {
    if (err instanceof CalendarError) return false;
    throw err;
  }
}

/** The first occurrence starting after `after`. */
export function nextStart(e: CalEvent, after: Date, fallbackZone: string): Date | undefined {
  if (!e.rrule) return Date.parse(e.start) > after.getTime() ? new Date(e.start) : undefined;
  try {
    return nextOccurrence(seriesOf(e, fallbackZone), new Date(after.getTime() + 1))?.start;
  } catch (err) {
    if (err instanceof CalendarError) return undefined;
    throw err;
  }
}

type Lang = 'de' | 'en';
const LOCALE: Record<Lang, string> = { de: 'de-DE', en: 'en-GB' };

function fmt(lang: Lang, timezone: string, o: Intl.DateTimeFormatOptions, d: Date): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { ...o, timeZone: timezone }).format(d);
}

const sameDay = (a: Date, b: Date, tz: string) => {
  const x = wallOf(a, tz);
  const y = wallOf(b, tz);
  return x.year === y.year && x.month === y.month && x.day === y.day;
};

/**
 * When an occurrence is, in the user's zone: `Do., 14. Feb. 2027, 14:00–15:00`,
 * `Sa., 1. März 2027 (ganztägig)`; `withDay: false` leaves the day out (a list of one day).
 */
export function whenText(
  o: { start: Date; end: Date; allDay: boolean },
  opts: { lang: Lang; timezone: string; withDay?: boolean },
): string {
  const { lang, timezone: tz } = opts;
  const day = (d: Date) =>
    fmt(lang, tz, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }, d);
  const time = (d: Date) => fmt(lang, tz, { hour: '2-digit', minute: '2-digit' }, d);
  const withDay = opts.withDay ?? true;
  if (o.allDay) {
    const all = lang === 'de' ? 'ganztägig' : 'all day';
    const last = new Date(o.end.getTime() - 1);
    if (o.end.getTime() - o.start.getTime() > 86_400_000 + 3_600_000 && !sameDay(o.start, last, tz))
      return `${day(o.start)} – ${day(last)} (${all})`;
    return withDay ? `${day(o.start)} (${all})` : all;
  }
  const span = sameDay(o.start, o.end, tz)
    ? `${time(o.start)}–${time(o.end)}`
    : `${time(o.start)} – ${day(o.end)}, ${time(o.end)}`;
  return withDay ? `${day(o.start)}, ${span}` : span;
}

const DAYS: Record<Lang, Record<string, string>> = {
  de: { MO: 'Mo', TU: 'Di', WE: 'Mi', TH: 'Do', FR: 'Fr', SA: 'Sa', SU: 'So' },
  en: { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' },
};
const FREQ: Record<Lang, Record<string, [string, string]>> = {
  de: {
    DAILY: ['täglich', 'Tage'],
    WEEKLY: ['wöchentlich', 'Wochen'],
    MONTHLY: ['monatlich', 'Monate'],
    YEARLY: ['jährlich', 'Jahre'],
  },
  en: {
    DAILY: ['daily', 'days'],
    WEEKLY: ['weekly', 'weeks'],
    MONTHLY: ['monthly', 'months'],
    YEARLY: ['yearly', 'years'],
  },
};

/** A recurrence rule in words: `jeden Mo, Do`, `alle 2 Wochen (Di)`, `monatlich am 1., 10 mal`. */
export function describeRule(rule: string, lang: Lang, timezone: string): string {
  const parts = new Map(
    rule.split(';').map((p) => {
      const [k = '', v = ''] = p.split('=');
      return [k.toUpperCase(), v.toUpperCase()] as const;
    }),
  );
  const freq = parts.get('FREQ') ?? 'DAILY';
  const interval = Number(parts.get('INTERVAL') ?? '1');
  const [adverb, unit] = FREQ[lang][freq] ?? [freq.toLowerCase(), ''];
  const days = parts
    .get('BYDAY')
    ?.split(',')
    .map((d) => DAYS[lang][d.slice(-2)] ?? d)
    .join(', ');
  let text: string;
  if (interval > 1)
    text = `${lang === 'de' ? 'alle' : 'every'} ${interval} ${unit}${days ? ` (${days})` : ''}`;
  else if (freq === 'WEEKLY' && days) text = `${lang === 'de' ? 'jeden' : 'every'} ${days}`;
  else text = adverb + (days ? ` (${days})` : '');
  const md = parts.get('BYMONTHDAY');
  if (md) text += lang === 'de' ? ` am ${md}.` : ` on day ${md}`;
  const count = parts.get('COUNT');
  if (count) text += lang === 'de' ? `, ${count} mal` : `, ${count} times`;
  const until = parts.get('UNTIL');
  if (until) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(until);
    if (m) {
      const at = new Date(
        Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)),
      );
      text += `${lang === 'de' ? ', bis' : ', until'} ${fmt(lang, timezone, { day: 'numeric', month: 'short', year: 'numeric' }, at)}`;
    }
  }
  return text;
}
