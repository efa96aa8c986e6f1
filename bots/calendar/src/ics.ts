/**
 * iCalendar: export events (with RRULE and EXDATE) to an `.ics` text, import an `.ics` file into
 * event rows of the `calendar` app with a summary of what was added and what was skipped, and why.
 * Both with ical.js. Files over `MAX_ICS_BYTES` or that do not parse are refused whole
 * (`ERR_ICS_TOO_LARGE`, `ERR_ICS_INVALID`); every row returned passes the collections registry.
 *
 * Timed events without recurrence are written in UTC; recurring ones with `TZID=<IANA zone>` and
 * local wall times, so the series keeps its wall time across DST in every client.
 */
import { collections, type RowOf } from '@mana/sync-protocol';
import ICAL from 'ical.js';
import { CalendarError } from './errors.ts';
import { checkSeries } from './recurrence.ts';
import { addDays, isValidTimezone, wallOf, wallToInstant, type Wall } from '@mana/bot-runtime/zone';

export const MAX_ICS_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_EVENTS = 5000;

export type EventRow = RowOf<'calendar', 'events'>;
export type ExportEvent = EventRow & { id: string };

const eventSchema = collections.calendar.events;

function localTime(instant: Date, timezone: string): ICAL.Time {
  const w = wallOf(instant, timezone);
  return ICAL.Time.fromData({
    year: w.year,
    month: w.month,
    day: w.day,
    hour: w.hour,
    minute: w.minute,
    second: w.second,
    isDate: false,
  });
}

function dateValue(instant: Date, timezone: string): ICAL.Time {
  const w = wallOf(instant, timezone);
  return ICAL.Time.fromData({ year: w.year, month: w.month, day: w.day, isDate: true });
}

/**
 * @example
 * const text = exportIcs([{ id: 'e1', calendarId: 'default', title: 'Team', start, end, allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=MO', timezone: 'Europe/Berlin' }],
 *   { timezone: 'Europe/Berlin', now: new Date() });
 */
export function exportIcs(
  events: readonly ExportEvent[],
  options: { timezone: string; now: Date; name?: string },
): string {
  const cal = new ICAL.Component(['vcalendar', [], []]);
  cal.updatePropertyWithValue('prodid', '-//Mana//calendar bot//EN');
  cal.updatePropertyWithValue('version', '2.0');
  cal.updatePropertyWithValue('calscale', 'GREGORIAN');
  if (options.name) cal.updatePropertyWithValue('x-wr-calname', options.name);
  const stamp = ICAL.Time.fromJSDate(options.now, true);
  for (const e of events) {
    const tz = e.timezone && isValidTimezone(e.timezone) ? e.timezone : options.timezone;
    const v = new ICAL.Component('vevent');
    v.addPropertyWithValue('uid', e.uid ?? `${e.id}@mana`);
    v.addPropertyWithValue('dtstamp', stamp);
    v.addPropertyWithValue('summary', e.title);
    const start = new Date(e.start);
    const end = new Date(e.end);
    const set = (name: string, instant: Date) => {
      if (e.allDay) v.addPropertyWithValue(name, dateValue(instant, tz));
      else if (e.rrule) v.addPropertyWithValue(name, localTime(instant, tz)).setParameter('tzid', tz);
      else v.addPropertyWithValue(name, ICAL.Time.fromJSDate(instant, true));
    };
    set('dtstart', start);
    set('dtend', end);
    if (e.location) v.addPropertyWithValue('location', e.location);
    if (e.notes) v.addPropertyWithValue('description', e.notes);
    if (e.rrule) {
      v.addPropertyWithValue('rrule', ICAL.Recur.fromString(e.rrule));
      for (const x of e.exdates ?? []) set('exdate', new Date(x));
    }
    cal.addSubcomponent(v);
  }
  return cal.toString();
}

export type SkipReason =
  | 'duplicate'
  | 'no-start'
  | 'end-before-start'
  | 'recurrence-override'
  | 'unsupported-rrule'
  | 'too-many-exdates'
  | 'invalid'
  | 'limit';

export interface ImportSummary {
  added: EventRow[];
  skipped: { uid?: string; title?: string; reason: SkipReason; detail?: string }[];
}

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/**
 * Parses an `.ics` file into event rows for `calendarId`. Events whose UID is in `existingUids`
 * (already imported) or repeats in the file are skipped as `duplicate`; floating times and unknown
 * TZIDs without a VTIMEZONE are read in `timezone`.
 *
 * @example
 * const { added, skipped } = importIcs(bytes, { calendarId: 'default', timezone: 'Europe/Berlin' });
 */
export function importIcs(
  input: string | Uint8Array,
  options: { calendarId: string; timezone: string; existingUids?: ReadonlySet<string>; lang?: 'de' | 'en' },
): ImportSummary {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_ICS_BYTES)
    throw new CalendarError('ERR_ICS_TOO_LARGE', `ics of ${size} bytes`, {
      de: `Die Datei ist zu groß (höchstens ${MAX_ICS_BYTES / 1024 / 1024} MB).`,
      en: `The file is too large (at most ${MAX_ICS_BYTES / 1024 / 1024} MB).`,
    });
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  let root: ICAL.Component;
  try {
    const jcal: unknown = ICAL.parse(text);
    // One top-level component is `[name, props, children]`; several are an array of those.
    if (!Array.isArray(jcal) || typeof jcal[0] !== 'string') throw new Error('not one calendar');
    root = new ICAL.Component(jcal);
  } catch (err) {
    throw brokenIcs(err);
  }
  if (root.name !== 'vcalendar') throw brokenIcs(new Error(`top component ${root.name}`));
  // Zones the file defines itself, for TZIDs that are no IANA names ("W. Europe Standard Time").
  const zones = new Map<string, ICAL.Timezone>();
  for (const vtz of root.getAllSubcomponents('vtimezone')) {
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string') zones.set(tzid, new ICAL.Timezone(vtz));
  }
  const seen = new Set(options.existingUids ?? []);
  const untitled = options.lang === 'en' ? 'Untitled' : 'Ohne Titel';
  const summary: ImportSummary = { added: [], skipped: [] };

  for (const v of root.getAllSubcomponents('vevent')) {
    const uidValue = v.getFirstPropertyValue('uid');
    const uid =
      typeof uidValue === 'string' && uidValue.trim() !== '' ? cut(uidValue.trim(), 255) : undefined;
    const titleValue = v.getFirstPropertyValue('summary');
    const title =
      typeof titleValue === 'string' && titleValue.trim() !== '' ? cut(titleValue.trim(), 1000) : untitled;
    const skip = (reason: SkipReason, detail?: string) =>
      summary.skipped.push({ ...(uid ? { uid } : {}), title, reason, ...(detail ? { detail } : {}) });
    if (summary.added.length >= MAX_IMPORT_EVENTS) {
      skip('limit', `at most ${MAX_IMPORT_EVENTS} events per file`);
      continue;
    }
    if (v.hasProperty('recurrence-id')) {
      skip('recurrence-override');
      continue;
    }
    if (uid && seen.has(uid)) {
      skip('duplicate');
      continue;
    }
    try {
      const startProp = v.getFirstProperty('dtstart');
      const startTime = startProp?.getFirstValue();
      if (!startProp || !(startTime instanceof ICAL.Time)) {
        skip('no-start');
        continue;
      }
      const allDay = startTime.isDate;
      const tzFor = (p: ICAL.Property): string | undefined => {
        const t = p.getParameter('tzid');
        return typeof t === 'string' ? t : undefined;
      };
      const toInstant = (t: ICAL.Time, tzid: string | undefined): Date => {
        const wall: Wall = {
          year: t.year,
          month: t.month,
          day: t.day,
          hour: t.isDate ? 0 : t.hour,
          minute: t.isDate ? 0 : t.minute,
        };
        if (t.isDate) return wallToInstant(wall, options.timezone);
        if (t.zone === ICAL.Timezone.utcTimezone) return t.toJSDate();
        if (tzid && isValidTimezone(tzid))
          return new Date(wallToInstant(wall, tzid).getTime() + t.second * 1000);
        const zone = tzid ? zones.get(tzid) : undefined;
        if (zone) return t.convertToZone(ICAL.Timezone.utcTimezone).toJSDate();
        return new Date(wallToInstant(wall, options.timezone).getTime() + t.second * 1000);
      };
      const startTz = tzFor(startProp);
      if (startTz && !isValidTimezone(startTz) && zones.has(startTz)) {
        const zone = zones.get(startTz);
        if (zone) startTime.zone = zone;
      }
      const start = toInstant(startTime, startTz);
      let end: Date;
      const endProp = v.getFirstProperty('dtend');
      const endTime = endProp?.getFirstValue();
      const duration = v.getFirstPropertyValue('duration');
      if (endProp && endTime instanceof ICAL.Time) {
        const endTz = tzFor(endProp);
        const zone = endTz && !isValidTimezone(endTz) ? zones.get(endTz) : undefined;
        if (zone) endTime.zone = zone;
        end = toInstant(endTime, endTz);
      } else if (duration instanceof ICAL.Duration) {
        end = new Date(start.getTime() + duration.toSeconds() * 1000);
      } else if (allDay) {
        end = wallToInstant(addDays(startTime, 1), options.timezone);
      } else end = start;
      if (end.getTime() < start.getTime()) {
        skip('end-before-start');
        continue;
      }
      const row: Record<string, unknown> = {
        calendarId: options.calendarId,
        title,
        start: start.toISOString(),
        end: end.toISOString(),
        allDay,
      };
      const location = v.getFirstPropertyValue('location');
      if (typeof location === 'string' && location.trim()) row.location = cut(location.trim(), 1000);
      const notes = v.getFirstPropertyValue('description');
      if (typeof notes === 'string' && notes.trim()) row.notes = cut(notes.trim(), 100_000);
      if (uid) row.uid = uid;
      const zoneName = startTz && isValidTimezone(startTz) ? startTz : options.timezone;
      row.timezone = zoneName;
      const rrules = v.getAllProperties('rrule');
      if (rrules.length > 1) {
        skip('unsupported-rrule', 'more than one RRULE');
        continue;
      }
      const recur = rrules[0]?.getFirstValue();
      if (recur instanceof ICAL.Recur) {
        try {
          row.rrule = checkSeries(recur.toString());
        } catch (err) {
          skip('unsupported-rrule', err instanceof Error ? err.message : String(err));
          continue;
        }
        const exdates: string[] = [];
        for (const p of v.getAllProperties('exdate')) {
          const tz = tzFor(p);
          for (const x of p.getValues()) {
            if (!(x instanceof ICAL.Time)) continue;
            const zone = tz && !isValidTimezone(tz) ? zones.get(tz) : undefined;
            if (zone) x.zone = zone;
            // A date-only EXDATE removes the occurrence at the series' start time that day.
            const at = x.isDate
              ? wallToInstant(
                  { ...wallOf(start, zoneName), year: x.year, month: x.month, day: x.day },
                  zoneName,
                )
              : toInstant(x, tz);
            exdates.push(at.toISOString());
          }
        }
        if (exdates.length > 1000) {
          skip('too-many-exdates');
          continue;
        }
        if (exdates.length > 0) row.exdates = exdates;
      }
      const parsed = eventSchema.safeParse(row);
      if (!parsed.success) {
        skip('invalid', parsed.error.issues[0]?.message);
        continue;
      }
      summary.added.push(parsed.data);
      if (uid) seen.add(uid);
    } catch (err) {
      skip('invalid', err instanceof Error ? err.message : String(err));
    }
  }
  return summary;
}

function brokenIcs(cause: unknown): CalendarError {
  return new CalendarError(
    'ERR_ICS_INVALID',
    `broken ics: ${cause instanceof Error ? cause.message : String(cause)}`,
    {
      de: 'Diese Datei ist keine lesbare iCalendar-Datei (.ics).',
      en: 'This file is not a readable iCalendar (.ics) file.',
    },
    { cause },
  );
}
