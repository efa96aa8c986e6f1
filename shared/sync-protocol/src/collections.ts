/**
 * The collections registry: every app's tables and their fields, with types. The server validates
 * pushes against it, the client engine types its API with it, bots and the web app share it.
 *
 * Rows are field maps merged field by field, so a stored row may lack a required field (for example
 * when a concurrent edit revives a deleted row). "Required" says what a writer must set when it
 * creates a row; readers use `parseRow` to tell complete rows from partial ones.
 */
import { z } from 'zod';

/** Nullable and optional: `null` clears a field, a missing field is left alone. */
const opt = <S extends z.ZodType>(s: S) => s.nullable().optional();

const id = z.string().min(1).max(128);
const isoDate = z.iso.date();
const isoTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
const isoDateTime = z.iso.datetime({ offset: true });
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected #rrggbb');
const timezone = z.string().min(1).max(64);
const order = z.number().finite();

/** Four weeks: the longest reminder lead time of a calendar event. */
export const MAX_REMINDER_MINUTES = 40_320;
/** Seven days: the longest timer. */
export const MAX_TIMER_MS = 7 * 24 * 60 * 60 * 1000;

const todo = {
  tasks: z.object({
    title: z.string().min(1).max(1000),
    notes: opt(z.string().max(100_000)),
    projectId: opt(id),
    parentId: opt(id),
    dueDate: opt(isoDate),
    dueTime: opt(isoTime),
    priority: z.number().int().min(1).max(4),
    completed: z.boolean(),
    completedAt: opt(isoDateTime),
    order: opt(order),
    recurrence: opt(z.string().max(500)),
    createdAt: opt(isoDateTime),
  }),
  projects: z.object({
    name: z.string().min(1).max(200),
    color: opt(color),
    order: opt(order),
    archived: opt(z.boolean()),
    parentId: opt(id),
  }),
  labels: z.object({
    name: z.string().min(1).max(100),
    color: opt(color),
  }),
  /** One row per (task, label); id by convention `${taskId}:${labelId}`. */
  taskLabels: z.object({
    taskId: id,
    labelId: id,
  }),
  reminders: z.object({
    taskId: id,
    at: isoDateTime,
    sentAt: opt(isoDateTime),
  }),
};

const calendar = {
  calendars: z.object({
    name: z.string().min(1).max(200),
    color: opt(color),
    timezone: opt(timezone),
    visible: opt(z.boolean()),
  }),
  events: z.object({
    calendarId: id,
    title: z.string().min(1).max(1000),
    start: isoDateTime,
    end: isoDateTime,
    allDay: z.boolean(),
    location: opt(z.string().max(1000)),
    notes: opt(z.string().max(100_000)),
    /** An RFC 5545 recurrence rule (`FREQ=WEEKLY;BYDAY=MO`), without the `RRULE:` prefix. */
    rrule: opt(z.string().max(1000)),
    /** Start instants of deleted occurrences of a recurring event (RFC 5545 EXDATE). */
    exdates: opt(z.array(isoDateTime).max(1000)),
    /** The zone the event's wall times (and its recurrence) are meant in. */
    timezone: opt(timezone),
    /** Minutes before the start to remind; missing or null = no reminder (4 weeks at most). */
    reminderMinutes: opt(z.number().int().min(0).max(MAX_REMINDER_MINUTES)),
    /** The iCalendar UID the event was imported with (or exported under), so a re-import skips it. */
    uid: opt(z.string().min(1).max(255)),
  }),
};

const clock = {
  alarms: z.object({
    time: isoTime,
    label: opt(z.string().max(200)),
    /** ISO weekdays 1 (Monday) … 7; empty = once. */
    days: z.array(z.number().int().min(1).max(7)).max(7),
    enabled: z.boolean(),
    sound: opt(z.string().max(100)),
    /** The zone `time` is meant in (the user's when the alarm was set). */
    timezone: opt(timezone),
    /** While snoozed: when it rings again. */
    snoozedUntil: opt(isoDateTime),
    /** The instant it last rang, so a restart neither skips nor repeats a firing. */
    lastFiredAt: opt(isoDateTime),
  }),
  timers: z.object({
    label: opt(z.string().max(200)),
    durationMs: z.number().int().positive().max(MAX_TIMER_MS),
    state: z.enum(['idle', 'running', 'paused', 'done']),
    startedAt: opt(isoDateTime),
    /** Time left when it was last paused or resumed (running: counted from `startedAt`). */
    remainingMs: opt(z.number().int().min(0).max(MAX_TIMER_MS)),
    /** While running: the instant it ends (`startedAt` + `remainingMs`). */
    endsAt: opt(isoDateTime),
    /** When it ended, so the end message is sent once. */
    doneAt: opt(isoDateTime),
  }),
  worldClocks: z.object({
    timezone,
    label: opt(z.string().max(200)),
    order: opt(order),
  }),
};

const zitare = {
  favorites: z.object({
    quoteId: id,
    note: opt(z.string().max(10_000)),
    addedAt: opt(isoDateTime),
  }),
  lists: z.object({
    name: z.string().min(1).max(200),
    quoteIds: z.array(id).max(10_000),
  }),
};

/** The ollama bot's conversations: the memory it sends with each question, and each user's choices. */
const chat = {
  /** One per user and room (per thread in a group room); id derived from the two. */
  conversations: z.object({
    roomId: z.string().min(1).max(255),
    threadRoot: opt(z.string().max(255)),
    /** Set by `new` / `clear`: the messages before it are forgotten (and deleted). */
    clearedAt: opt(isoDateTime),
    updatedAt: opt(isoDateTime),
  }),
  messages: z.object({
    conversationId: id,
    role: z.enum(['user', 'assistant']),
    content: z.string().max(200_000),
    createdAt: isoDateTime,
    /** Assistant turns: which model answered, how it ended and what it used. */
    model: opt(z.string().max(200)),
    status: opt(z.enum(['streaming', 'complete', 'stopped', 'failed', 'interrupted'])),
    promptTokens: opt(z.number().int().min(0)),
    completionTokens: opt(z.number().int().min(0)),
    /** The Matrix event showing the answer. */
    eventId: opt(z.string().max(255)),
  }),
  /** One row per user, id `user`: the chosen model and mode. */
  preferences: z.object({
    model: opt(z.string().max(200)),
    mode: opt(z.enum(['default', 'summarize', 'translate', 'code', 'classify'])),
  }),
};

const settings = {
  /** One row per user, id `user` by convention. */
  settings: z.object({
    language: z.enum(['de', 'en']),
    timezone,
    theme: opt(z.enum(['light', 'dark', 'system'])),
    weekStart: opt(z.number().int().min(1).max(7)),
  }),
};

/**
 * @example
 * const fields = Object.keys(collections.todo.tasks.shape); // ['title', 'notes', …]
 */
export const collections = { todo, calendar, clock, zitare, settings, chat } as const;

export type Collections = typeof collections;
export type AppId = keyof Collections;
export type TableName<A extends AppId> = keyof Collections[A] & string;
/** A complete row of one table, as its schema describes it. */
export type RowOf<A extends AppId, T extends TableName<A>> = Collections[A][T] extends z.ZodType
  ? z.output<Collections[A][T]>
  : never;

export const APP_IDS = Object.keys(collections) as AppId[];

export function isAppId(appId: string): appId is AppId {
  return Object.hasOwn(collections, appId);
}

/** The table's schema, or undefined for an unknown app or table. */
export function tableSchema(appId: string, table: string): z.ZodObject | undefined {
  if (!isAppId(appId)) return undefined;
  const tables: Record<string, z.ZodObject> = collections[appId];
  return Object.hasOwn(tables, table) ? tables[table] : undefined;
}

/** The field's schema, or undefined if the table has no such field. */
export function fieldSchema(table: z.ZodObject, field: string): z.ZodType | undefined {
  const shape: Record<string, z.ZodType> = table.shape;
  return Object.hasOwn(shape, field) ? shape[field] : undefined;
}

/** Names of the fields a writer must set when creating a row. */
export function requiredFields(table: z.ZodObject): string[] {
  const shape: Record<string, z.ZodType> = table.shape;
  return Object.keys(shape).filter((k) => !shape[k]?.safeParse(undefined).success);
}
