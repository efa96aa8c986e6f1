/**
 * Reminders as delayed jobs. One job per event and occurrence: its id names both
 * (`calendar-reminder|<event>|<occurrence start>`), so scheduling twice keeps one job, a moved event
 * gets a job of its own (a fresh once-only claim), and a reminder posts once. Whoever changes the
 * event (a command, or the web app seen through the watch) calls `planReminder`: the next reminder
 * is moved or queued, and the one planned for the previous version is cancelled when that version is
 * known. A job that outlived its event (deleted, moved, that occurrence deleted) finds on firing
 * that the occurrence is gone and posts nothing: that is what makes web edits safe without knowing
 * the old row.
 */
import { hasStrings, type Json } from '@mana/bot-runtime';
import { MAX_REMINDER_MINUTES } from '@mana/sync-protocol';
import { nextStart, type CalEvent } from './events.ts';

export const DEFAULT_REMINDER_MINUTES = 15;
export const REMINDER_JOB = 'reminder';

/** `30` → 30, `1h` → 60, `1h30` / `90m` / `2 std` / `1 tag`; `keine`/`none`/`aus`/`off` → null. */
export function parseLead(input: string): number | null | undefined {
  const t = input.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^(keine|keiner|none|no|aus|off|nein|0)$/.test(t)) return null;
  const m =
    /^(?:(\d{1,3})\s*(?:h|std|stunden?|hours?|hrs?))?\s*(?:(\d{1,5})\s*(?:m|min|mins|minuten?|minutes?)?)?$/.exec(
      t,
    );
  const d = /^(\d{1,2})\s*(?:d|tage?n?|days?)$/.exec(t);
  let minutes: number | undefined;
  if (d) minutes = Number(d[1]) * 1440;
  else if (m && (m[1] || m[2])) minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  if (minutes === undefined || minutes > MAX_REMINDER_MINUTES) return undefined;
  return minutes;
}

const LEAD_PHRASE =
  /(?:^|\s)(?:(?:erinnerung|erinnere|reminder|remind)(?:\s+(?:mich|me))?\s+((?:keine|none|aus|off)|\d{1,3}\s*(?:h|std|stunden?|hours?)(?:\s*\d{1,2}\s*(?:m|min|minuten?|minutes?)?)?|\d{1,5}\s*(?:m|min|minuten?|minutes?)?|\d{1,2}\s*(?:tage?n?|days?))(?:\s+(?:vorher|before))?|(ohne erinnerung|no reminder))(?=\s|$)/iu;

/** Cuts a reminder phrase (`erinnerung 30`, `reminder 1h`, `ohne erinnerung`) out of event text. */
export function extractLead(text: string): { text: string; minutes?: number | null } {
  const m = LEAD_PHRASE.exec(text);
  if (!m) return { text };
  const minutes = m[2] ? null : parseLead(m[1] ?? '');
  if (minutes === undefined) return { text };
  const rest = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/\s+/g, ' ').trim();
  return { text: rest, minutes };
}

export function reminderJobId(eventId: string, occurrence: Date): string {
  return `calendar-reminder|${eventId}|${occurrence.toISOString()}`;
}

export interface PlannedReminder {
  jobId: string;
  at: Date;
  occurrence: Date;
}

/** The next reminder of `e` still ahead of `now`, if it has one. */
export function nextReminder(e: CalEvent, now: Date, fallbackZone: string): PlannedReminder | undefined {
  const minutes = e.reminderMinutes;
  if (minutes === null || minutes === undefined) return undefined;
  const lead = minutes * 60_000;
  // The first occurrence whose reminder time is still ahead.
  const occurrence = nextStart(e, new Date(now.getTime() + lead), fallbackZone);
  if (!occurrence) return undefined;
  return { jobId: reminderJobId(e.id, occurrence), at: new Date(occurrence.getTime() - lead), occurrence };
}

/** What the job needs to find its event again and say where to post. */
export interface ReminderData {
  roomId: string;
  userId: string;
  eventId: string;
  occurrence: string;
  timezone: string;
}

export function isReminderData(d: Json): d is ReminderData & { [k: string]: Json } {
  return hasStrings(d, 'roomId', 'userId', 'eventId', 'occurrence', 'timezone');
}

export interface JobPort {
  schedule(job: string, data: Json, options: { jobId: string; at: Date }): Promise<void>;
  cancel(jobId: string): Promise<void>;
  moveJob(jobId: string, at: Date): Promise<boolean>;
}

/**
 * Brings the reminder of `e` in line with it: the next one moved to its time or queued, the one of
 * `previous` (the row before this change, when known) cancelled if it was another. `e` undefined:
 * the event is gone. Returns the planned reminder.
 */
export async function planReminder(
  jobs: JobPort,
  e: CalEvent | undefined,
  o: { roomId: string; userId: string; now: Date; timezone: string; previous?: CalEvent | undefined },
): Promise<PlannedReminder | undefined> {
  const next = e ? nextReminder(e, o.now, o.timezone) : undefined;
  const old = o.previous ? nextReminder(o.previous, o.now, o.timezone) : undefined;
  if (old && old.jobId !== next?.jobId) await jobs.cancel(old.jobId);
  if (!e || !next) return undefined;
  if (!(await jobs.moveJob(next.jobId, next.at))) {
    const data: ReminderData = {
      roomId: o.roomId,
      userId: o.userId,
      eventId: e.id,
      occurrence: next.occurrence.toISOString(),
      timezone: e.timezone ?? o.timezone,
    };
    await jobs.schedule(REMINDER_JOB, { ...data }, { jobId: next.jobId, at: next.at });
  }
  return next;
}

/** `15 Min.` / `1 Std.` / `1 Std. 30 Min.` / `2 Tage`. */
export function leadText(minutes: number, lang: 'de' | 'en'): string {
  if (minutes % 1440 === 0 && minutes > 0) {
    const d = minutes / 1440;
    return lang === 'de' ? `${d} ${d === 1 ? 'Tag' : 'Tage'}` : `${d} ${d === 1 ? 'day' : 'days'}`;
  }
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hs = h > 0 ? (lang === 'de' ? `${h} Std.` : `${h} h`) : '';
  const ms = m > 0 || h === 0 ? (lang === 'de' ? `${m} Min.` : `${m} min`) : '';
  return [hs, ms].filter(Boolean).join(' ');
}
