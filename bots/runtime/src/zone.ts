/**
 * Wall time ↔ instant in an IANA zone with Intl only (no Temporal in Node 24 yet). DST follows
 * Temporal's `compatible` rule: a wall time in a spring-forward gap moves forward by the gap
 * (02:30 → 03:30 in Europe/Berlin), a wall time that occurs twice (autumn) is its earlier instant.
 * Shared by the bots that compute with wall times (calendar, clock): `@mana/bot-runtime/zone`.
 */
export interface Wall {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall time of an instant in a zone, with its ISO weekday (1 = Monday … 7). */
export function wallOf(instant: Date, timezone: string): Wall & { second: number; weekday: number } {
  const parts = formatter(timezone).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const w = {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
  const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() || 7;
  return { ...w, weekday };
}

/** Minutes the zone is ahead of UTC at that instant. */
export function offsetMinutes(instant: Date, timezone: string): number {
  const w = wallOf(instant, timezone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** Offset (minutes) of a zone at an instant (ms); `offsetTable` gives a fast one for a span. */
export type OffsetAt = (ms: number) => number;

/** The instant a wall time names in a zone (see the DST rule above). */
export function wallToInstant(wall: Wall, timezone: string, offsetAt?: OffsetAt): Date {
  const off = offsetAt ?? ((ms: number) => offsetMinutes(new Date(ms), timezone));
  const utc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = off(utc - 86_400_000);
  const after = off(utc + 86_400_000);
  const valid = [before, after].map((o) => utc - o * 60_000).filter((t) => off(t) * 60_000 === utc - t);
  // In a gap neither offset fits: the offset from before the gap moves the time forward by it.
  return new Date(valid.length > 0 ? Math.min(...valid) : utc - before * 60_000);
}

/** `YYYY-MM-DD` plus n days. */
export function addDays(day: { year: number; month: number; day: number }, n: number): Wall {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 };
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

const WEEK_MS = 7 * 86_400_000;

/**
 * The zone's offset over `[fromMs, toMs]` from a table of its changes: sampled weekly, each change
 * bisected to the minute, so converting thousands of occurrences costs a few hundred Intl calls
 * instead of three per occurrence. Outside the span (or for changes less than a week apart, which
 * no zone has had since the 1940s) it asks Intl directly.
 */
export function offsetTable(timezone: string, fromMs: number, toMs: number): OffsetAt {
  const exact = (ms: number) => offsetMinutes(new Date(ms), timezone);
  const at: number[] = [fromMs];
  const offsets: number[] = [exact(fromMs)];
  for (let t = fromMs; t < toMs;) {
    const next = Math.min(t + WEEK_MS, toMs);
    const o = exact(next);
    if (o !== offsets[offsets.length - 1]) {
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (exact(mid) === o) hi = mid;
        else lo = mid;
      }
      at.push(hi);
      offsets.push(o);
    }
    t = next;
  }
  return (ms) => {
    if (ms < fromMs || ms > toMs) return exact(ms);
    let lo = 0;
    let hi = at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((at[mid] ?? Infinity) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return offsets[lo] ?? exact(ms);
  };
}

/**
 * A time of day people type for a daily message: `7`, `7:30`, `07:30`, `7.30`, `7 Uhr`, `7:30 h`,
 * `7am`, `7:30 pm`; undefined when it is none (`25:00`, `7:5`, `morgen`).
 *
 * @example
 * parseTimeOfDay('7 Uhr') // { hour: 7, minute: 0 }
 */
export function parseTimeOfDay(input: string): { hour: number; minute: number } | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*(uhr|h|am|pm)?$/iu.exec(input.trim());
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const suffix = m[3]?.toLowerCase();
  if (suffix === 'am' || suffix === 'pm') {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (suffix === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return undefined;
  return { hour, minute };
}
