/**
 * The `clock` rows as the bot reads them (narrowed with the sync registry's own schemas, so a row
 * the web app wrote wrong is skipped, not trusted), stable ids, and what the bot keeps per user.
 */
import type { AppStore, Json, Row } from '@mana/bot-runtime';
import { collections, type RowOf } from '@mana/sync-protocol';
import { createHash } from 'node:crypto';

export const APP = 'clock';

export type TimerRow = RowOf<'clock', 'timers'> & { id: string };
export type AlarmRow = RowOf<'clock', 'alarms'> & { id: string };
export type WorldClockRow = RowOf<'clock', 'worldClocks'> & { id: string };

export function asTimer(row: Row | undefined): TimerRow | undefined {
  if (!row) return undefined;
  const parsed = collections.clock.timers.safeParse(row);
  return parsed.success ? { ...parsed.data, id: row.id } : undefined;
}

export function asAlarm(row: Row | undefined): AlarmRow | undefined {
  if (!row) return undefined;
  const parsed = collections.clock.alarms.safeParse(row);
  return parsed.success ? { ...parsed.data, id: row.id } : undefined;
}

export function asWorldClock(row: Row | undefined): WorldClockRow | undefined {
  if (!row) return undefined;
  const parsed = collections.clock.worldClocks.safeParse(row);
  return parsed.success ? { ...parsed.data, id: row.id } : undefined;
}

export async function timers(store: AppStore): Promise<TimerRow[]> {
  return (await store.list('timers')).map(asTimer).filter((t): t is TimerRow => t !== undefined);
}

export async function alarms(store: AppStore): Promise<AlarmRow[]> {
  return (await store.list('alarms'))
    .map(asAlarm)
    .filter((a): a is AlarmRow => a !== undefined)
    .sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
}

/** A stable UUID-shaped id from the command's event id: a re-run after a crash writes the same row. */
export function idFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The user's durable bot state, from a command (`ctx.state`) or a job (`ctx.state(userId)`). */
export interface UserState {
  get<T extends Json>(key: string): Promise<T | undefined>;
  set(key: string, value: Json): Promise<void>;
}

/** What the bot remembers about a timer's countdown message. */
export interface Countdown {
  roomId: string;
  eventId: string;
  /** The end job now pending (cancelled when the timer is paused or stopped elsewhere). */
  endJob?: string;
  /** What the message shows (`running:<endsAt>`, `paused:<ms>`, …): an edit only when it changes. */
  shown?: string;
  /** The thread the timer was started in (`m.thread` root): its end mention goes there too. */
  threadRoot?: string;
  [key: string]: Json | undefined;
}

export const countdownKey = (timerId: string) => `timer:${timerId}`;
/** A message the bot sent (countdown, alarm) → what it stands for, for reactions on it. */
export const messageKey = (eventId: string) => `msg:${eventId}`;
export interface MessageRef {
  kind: 'timer' | 'alarm';
  id: string;
  [key: string]: Json;
}

export async function readCountdown(state: UserState, timerId: string): Promise<Countdown | undefined> {
  const v = await state.get(countdownKey(timerId));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return typeof v.roomId === 'string' && typeof v.eventId === 'string' ? (v as Countdown) : undefined;
}

export async function readMessageRef(state: UserState, eventId: string): Promise<MessageRef | undefined> {
  const v = await state.get(messageKey(eventId));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return (v.kind === 'timer' || v.kind === 'alarm') && typeof v.id === 'string'
    ? (v as MessageRef)
    : undefined;
}
