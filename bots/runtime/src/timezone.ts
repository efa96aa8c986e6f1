/**
 * Users' time zones: IANA names checked against what the runtime's ICU knows (aliases such as
 * `Asia/Calcutta` or `US/Pacific` included, answered with the canonical name), and one way to show
 * a date, in the user's language and zone, for every date a bot shows.
 */
import { CommandError } from './errors.ts';
import type { Lang } from '@mana/i18n';

const resolve = (zone: string) =>
  new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;

/** Canonical IANA names by lower-case name, built on first use. */
let known: Map<string, string> | undefined;
function knownZones(): Map<string, string> {
  if (!known) {
    known = new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
    known.set('utc', 'UTC');
  }
  return known;
}

/**
 * The canonical name for `name` as this runtime's ICU spells it (case-insensitive; `Europe/berlin`
 * → `Europe/Berlin`, `US/Pacific` → `America/Los_Angeles`; ICU keeps CLDR's ids, so `Asia/Kolkata`
 * may come back as `Asia/Calcutta`), or undefined when it is no time zone.
 */
export function canonicalTimezone(name: string): string | undefined {
  const s = name.trim().replace(/ /g, '_');
  // Only names of IANA's shape: no offsets like "+02:00", no abbreviations like "CEST".
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(s)) return undefined;
  const exact = knownZones().get(s.toLowerCase());
  if (exact) return exact;
  try {
    // Aliases (backward links): ICU accepts them and names the zone it resolves to.
    const resolved = resolve(s);
    return knownZones().get(resolved.toLowerCase()) ?? resolved;
  } catch {
    return undefined;
  }
}

export function isValidTimezone(name: string): boolean {
  return canonicalTimezone(name) !== undefined;
}

/** Up to three known zones whose city part starts like the given one (`berlim` → `Europe/Berlin`…). */
function suggestions(name: string): string[] {
  const city = name.trim().split('/').at(-1)?.toLowerCase().replace(/ /g, '_') ?? '';
  if (city.length < 3) return [];
  const prefix = city.slice(0, 3);
  return [...knownZones().values()]
    .filter((z) => z.split('/').at(-1)?.toLowerCase().startsWith(prefix))
    .slice(0, 3);
}

/** Not an IANA time zone; `human` (shown in the room) names an example and close matches. */
export class InvalidTimezoneError extends CommandError {
  readonly input: string;
  readonly suggestions: readonly string[];
  constructor(input: string) {
    const near = suggestions(input);
    const also = near.length > 0 ? near.join(', ') : '';
    super(`invalid time zone: ${JSON.stringify(input)}`, {
      de: `„${input}“ ist keine Zeitzone. Bitte einen IANA-Namen wie Europe/Berlin oder America/New_York angeben.${also ? ` Meintest du ${also}?` : ''}`,
      en: `"${input}" is not a time zone. Please give an IANA name such as Europe/Berlin or America/New_York.${also ? ` Did you mean ${also}?` : ''}`,
    });
    this.name = 'InvalidTimezoneError';
    this.input = input;
    this.suggestions = near;
  }
}

/** The canonical name, or throws `InvalidTimezoneError`. */
export function assertTimezone(name: string): string {
  const tz = canonicalTimezone(name);
  if (!tz) throw new InvalidTimezoneError(name);
  return tz;
}

export type DateStyle = 'date' | 'time' | 'datetime' | 'short' | 'weekday';

/** German as in Germany; English with a 24-hour clock and day-month order (unambiguous everywhere). */
const LOCALES: Record<Lang, string> = { de: 'de-DE', en: 'en-GB' };

const STYLES: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  /** Mi., 2. Dez. 2026 / Wed, 2 Dec 2026 */
  date: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  /** 09:05 */
  time: { hour: '2-digit', minute: '2-digit' },
  /** Mi., 2. Dez. 2026, 09:05 / Wed, 2 Dec 2026, 09:05 */
  datetime: {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  },
  /** 02.12.26, 09:05 / 02/12/2026, 09:05 */
  short: { dateStyle: 'short', timeStyle: 'short' },
  /** Mittwoch, 09:05 / Wednesday 09:05 */
  weekday: { weekday: 'long', hour: '2-digit', minute: '2-digit' },
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A date as a bot shows it: in the user's language and time zone.
 *
 * @example
 * formatDate(new Date('2026-12-02T08:05:00Z'), { lang: 'de', timezone: 'Europe/Berlin' })
 * // → 'Mi., 2. Dez. 2026, 09:05'
 */
export function formatDate(
  date: Date,
  options: { lang: Lang; timezone: string; style?: DateStyle; showZone?: boolean },
): string {
  const style = options.style ?? 'datetime';
  const tz = assertTimezone(options.timezone);
  const key = `${options.lang}|${tz}|${style}|${options.showZone === true}`;
  let f = formatters.get(key);
  if (!f) {
    const base = STYLES[style];
    // `timeZoneName` cannot be combined with dateStyle/timeStyle.
    const zone = options.showZone && !('dateStyle' in base) ? { timeZoneName: 'short' as const } : {};
    f = new Intl.DateTimeFormat(LOCALES[options.lang], { ...base, ...zone, timeZone: tz });
    if (formatters.size > 1000) formatters.clear();
    formatters.set(key, f);
  }
  return f.format(date);
}
