/**
 * Recurring events in the calendar view: the next occurrence of a series (RRULE with `rrule`, wall
 * times kept in the browser's zone across DST, EXDATEs left out) and the rule in words.
 */
// The ESM build (what Vite bundles) has named exports only.
import { RRule } from 'rrule';
import type { Lang } from './i18n.ts';

/** A local wall time as a floating Date (UTC fields = wall fields), the way `rrule` wants it. */
const floating = (d: Date) =>
  new Date(
    Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()),
  );
const local = (f: Date) =>
  new Date(
    f.getUTCFullYear(),
    f.getUTCMonth(),
    f.getUTCDate(),
    f.getUTCHours(),
    f.getUTCMinutes(),
    f.getUTCSeconds(),
  );

/**
 * The first occurrence of the series that has not ended by `now` (its start), or undefined when the
 * series is over or the rule unreadable.
 */
export function nextOccurrence(
  e: { start: string; end: string; rrule: string; exdates?: readonly string[] | null },
  now: Date,
): Date | undefined {
  try {
    const start = new Date(e.start);
    const length = Date.parse(e.end) - start.getTime();
    const options = RRule.parseString(e.rrule.replace(/^RRULE:/i, ''));
    if (options.until) options.until = floating(options.until);
    const rule = new RRule({ ...options, dtstart: floating(start) });
    const skip = new Set((e.exdates ?? []).map((x) => Date.parse(x)));
    let from = floating(new Date(now.getTime() - Math.max(0, length)));
    // Bounded: at most one step per EXDATE (there are ≤ 1000) plus one.
    for (let i = 0; i <= skip.size; i++) {
      const hit = rule.after(from, i === 0);
      if (!hit) return undefined;
      const at = local(hit);
      if (!skip.has(at.getTime())) return at;
      from = hit;
    }
  } catch {
    // An unreadable rule (written by another client): shown at its first start only.
  }
  return undefined;
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

/** `jeden Mo, Do`, `alle 2 Wochen`, `monatlich`, `daily, 10 times`. */
export function describeRule(rule: string, lang: Lang): string {
  const parts = new Map(
    rule
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((p) => {
        const [k = '', v = ''] = p.split('=');
        return [k.toUpperCase(), v.toUpperCase()] as const;
      }),
  );
  const freq = parts.get('FREQ') ?? '';
  const [adverb, unit] = FREQ[lang][freq] ?? [freq.toLowerCase(), ''];
  const interval = Number(parts.get('INTERVAL') ?? '1');
  const days = parts
    .get('BYDAY')
    ?.split(',')
    .map((d) => DAYS[lang][d.slice(-2)] ?? d)
    .join(', ');
  let text =
    interval > 1
      ? `${lang === 'de' ? 'alle' : 'every'} ${interval} ${unit}${days ? ` (${days})` : ''}`
      : freq === 'WEEKLY' && days
        ? `${lang === 'de' ? 'jeden' : 'every'} ${days}`
        : `${adverb}${days ? ` (${days})` : ''}`;
  const count = parts.get('COUNT');
  if (count) text += lang === 'de' ? `, ${count} mal` : `, ${count} times`;
  return text;
}
