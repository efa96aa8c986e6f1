/**
 * Alarms ring as delayed jobs, one occurrence at a time: each ring schedules the next one from
 * `nextFiring` (the alarm's wall time in its own zone, DST-correct). An occurrence's job id is the
 * alarm and the instant, so the command, the watch of the web app's edits and a second runner all
 * schedule the same job once, and the runtime's claim lets it ring once. A ring checks the row
 * first: an alarm switched off, deleted or moved to another time makes its old job a no-op.
 */
import { hasStrings, pick, type Json, type Lang } from '@mana/bot-runtime';
import { nextFiring } from './alarm.ts';
import { asAlarm, messageKey, type AlarmRow } from './rows.ts';
import { mentionContent, type ClockOps } from './timers.ts';

export const DEFAULT_SNOOZE_MINUTES = 10;

export interface RingData {
  userId: string;
  roomId: string;
  alarmId: string;
  /** The occurrence (ISO). */
  at: string;
  /** The alarm as it was when this occurrence was scheduled: a different row makes the job stale. */
  time: string;
  days: number[];
  timezone: string;
  snooze: boolean;
  [key: string]: Json;
}

export function isRingData(d: Json): d is RingData {
  return hasStrings(d, 'userId', 'roomId', 'alarmId', 'at', 'time', 'timezone') && Array.isArray(d.days);
}

const ringJobId = (alarmId: string, at: Date, snooze: boolean) =>
  `clock:alarm:${alarmId}:${snooze ? 'snooze:' : ''}${at.getTime()}`;

const sameDays = (a: readonly number[], b: readonly unknown[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Schedules the alarm's first occurrence after `after`; its instant. */
export async function scheduleNextRing(
  ops: ClockOps,
  alarm: AlarmRow,
  roomId: string,
  options: { after: Date; defaultTimezone: string },
): Promise<Date> {
  const timezone = alarm.timezone ?? options.defaultTimezone;
  const at = nextFiring(alarm, { after: options.after, timezone });
  const data: RingData = {
    userId: ops.userId,
    roomId,
    alarmId: alarm.id,
    at: at.toISOString(),
    time: alarm.time,
    days: alarm.days,
    timezone,
    snooze: false,
  };
  await ops.schedule('alarm-ring', data, { jobId: ringJobId(alarm.id, at, false), at });
  return at;
}

/** Rings again in `minutes` (the row's `snoozedUntil`, so the web app shows it too). */
export async function snooze(ops: ClockOps, alarm: AlarmRow, roomId: string, minutes: number): Promise<Date> {
  const until = new Date(ops.now().getTime() + minutes * 60_000);
  await ops.store.upsert('alarms', alarm.id, { snoozedUntil: until.toISOString() });
  await ops.store.flush();
  await scheduleSnooze(ops, { ...alarm, snoozedUntil: until.toISOString() }, roomId);
  return until;
}

export async function scheduleSnooze(ops: ClockOps, alarm: AlarmRow, roomId: string): Promise<void> {
  if (!alarm.snoozedUntil) return;
  const at = new Date(alarm.snoozedUntil);
  const data: RingData = {
    userId: ops.userId,
    roomId,
    alarmId: alarm.id,
    at: at.toISOString(),
    time: alarm.time,
    days: alarm.days,
    timezone: alarm.timezone ?? '',
    snooze: true,
  };
  await ops.schedule('alarm-ring', data, { jobId: ringJobId(alarm.id, at, true), at });
}

const DAY_SHORT: Record<Lang, string[]> = {
  de: ['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So'],
  en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
};

/** `werktags`, `Mo, Mi, Fr`, `einmalig` … */
export function describeDays(days: readonly number[], lang: Lang): string {
  const key = days.join(',');
  if (days.length === 0) return pick(lang, { de: 'einmalig', en: 'once' });
  if (key === '1,2,3,4,5') return pick(lang, { de: 'werktags', en: 'weekdays' });
  if (key === '6,7') return pick(lang, { de: 'am Wochenende', en: 'weekends' });
  if (key === '1,2,3,4,5,6,7') return pick(lang, { de: 'täglich', en: 'daily' });
  return days.map((d) => DAY_SHORT[lang][d - 1] ?? '?').join(', ');
}

/**
 * One occurrence: a message mentioning the user (once: claimed job, transaction id of the job),
 * `lastFiredAt` set to the occurrence, the next occurrence of a repeating alarm scheduled first
 * (so a crash after the ring cannot lose the series).
 */
export async function runRing(
  ops: ClockOps,
  data: RingData,
  jobId: string,
  defaultTimezone: string,
): Promise<void> {
  const alarm = asAlarm(await ops.store.get('alarms', data.alarmId));
  if (!alarm) return;
  if (data.snooze) {
    if (!alarm.snoozedUntil || Date.parse(alarm.snoozedUntil) !== Date.parse(data.at)) return;
  } else {
    const zone = alarm.timezone ?? defaultTimezone;
    if (
      !alarm.enabled ||
      alarm.time !== data.time ||
      !sameDays(alarm.days, data.days) ||
      zone !== data.timezone
    )
      return;
    if (alarm.days.length > 0)
      await scheduleNextRing(ops, alarm, data.roomId, { after: new Date(data.at), defaultTimezone });
  }
  const label = alarm.label ? ` — ${alarm.label}` : '';
  const text = pick(ops.lang, {
    de: `⏰ Wecker ${alarm.time}${label}! („snooze 10“ oder 💤 zum Schlummern)`,
    en: `⏰ Alarm ${alarm.time}${label}! ("snooze 10" or 💤 to snooze)`,
  });
  const eventId = await ops.send(data.roomId, mentionContent(data.userId, text), `${jobId}:ring`);
  await ops.state.set(messageKey(eventId), { kind: 'alarm', id: alarm.id });
  await ops.store.upsert('alarms', alarm.id, {
    lastFiredAt: data.at,
    snoozedUntil: null,
    // A one-off alarm is done once it rang (a snooze of it rings anyway).
    ...(alarm.days.length === 0 && !data.snooze ? { enabled: false } : {}),
  });
  await ops.store.flush();
}
