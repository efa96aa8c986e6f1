/**
 * Timers: the row in sync is the truth (the web app reads and writes the same one); the bot keeps
 * two kinds of delayed jobs per run — the end (`timer-end`) and a chain of countdown edits
 * (`timer-tick`, one every 10 s). Both live in Redis, so a runner killed mid-countdown resumes it
 * after the restart, and their ids are derived from the run (`endsAt`), so whoever schedules a run
 * (the command, the watch of the web app's writes, a second runner) schedules the same jobs once.
 * A job checks the row before it acts: a paused, moved or stopped timer makes a stale job a no-op.
 */
import {
  hasStrings,
  inThread,
  noticeContent,
  pick,
  replaceContent,
  type AppStore,
  type Json,
  type Lang,
} from '@mana/bot-runtime';
import { renderCountdown } from './countdown.ts';
import { formatDuration } from './duration.ts';
import {
  asTimer,
  countdownKey,
  messageKey,
  readCountdown,
  type Countdown,
  type TimerRow,
  type UserState,
} from './rows.ts';

/** Countdown edits: one per this many ms, never faster (clients and Synapse's rate limits). */
export const TICK_MS = 10_000;

/**
 * How the runtime runs the two kinds (`jobOptions`). A countdown edit is cosmetic and harmless to
 * double: no exactly-once claim, gone from Redis once done, and a BullMQ priority, so due ends and
 * alarms (no priority: they run first) never wait behind the edits of thousands of timers.
 */
export const TICK_JOB_OPTIONS = { idempotent: true, priority: 10 } as const;

/** What timer code needs, from a command or from a job (the same operations, other plumbing). */
export interface ClockOps {
  userId: string;
  lang: Lang;
  /** The current instant (a job's `now` plus the time its handler has run: a cold start is slow). */
  now(): Date;
  store: AppStore;
  state: UserState;
  schedule(job: string, data: Json, options: { jobId: string; at: Date }): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** Sends an event into `roomId`; `txnKey` makes it idempotent. Its event id. */
  send(roomId: string, content: Record<string, unknown>, txnKey?: string): Promise<string>;
}

export interface RunData {
  userId: string;
  roomId: string;
  timerId: string;
  /** The run's end (ISO): a job of another run of the same timer finds another `endsAt` and stops. */
  endsAt: string;
  [key: string]: Json;
}

export interface TickData extends RunData {
  /** Instant the ticks count from (ms) and the tick's number. */
  base: number;
  k: number;
}

export const endJobId = (timerId: string, endsAt: string) =>
  `clock:timer:${timerId}:end:${Date.parse(endsAt)}`;
const tickJobId = (timerId: string, endsAt: string, k: number) =>
  `clock:timer:${timerId}:tick:${Date.parse(endsAt)}:${k}`;

export function isRunData(d: Json): d is RunData {
  return hasStrings(d, 'userId', 'roomId', 'timerId', 'endsAt');
}

export function isTickData(d: Json): d is TickData {
  return isRunData(d) && typeof d.base === 'number' && typeof d.k === 'number';
}

/** Time left: counted to `endsAt` while running, `remainingMs` while paused. */
export function remainingOf(t: TimerRow, now: Date): number {
  if (t.state === 'running' && t.endsAt) return Math.max(0, Date.parse(t.endsAt) - now.getTime());
  if (t.state === 'done') return 0;
  return t.remainingMs ?? t.durationMs;
}

/** The countdown message's text for the timer's state. */
export function countdownText(t: TimerRow, lang: Lang, now: Date): string {
  const label = t.label ?? undefined;
  return renderCountdown({
    remainingMs: remainingOf(t, now),
    totalMs: t.durationMs,
    lang,
    ...(label ? { label } : {}),
    state: t.state === 'idle' ? 'paused' : t.state,
  });
}

export function cancelledText(t: TimerRow, lang: Lang): string {
  const label = t.label ? `${t.label} — ` : '';
  return `❌ ${label}${formatDuration(t.durationMs)} — ${pick(lang, { de: 'abgebrochen', en: 'cancelled' })}`;
}

/** What a countdown shows, as a key: the message is edited only when this changes. */
export function shownKey(t: TimerRow): string {
  return t.state === 'running' ? `running:${t.endsAt ?? ''}` : `${t.state}:${t.remainingMs ?? ''}`;
}

const editOf = (text: string, eventId: string) => replaceContent({ ...noticeContent({ text }) }, eventId);

/** Edits the countdown to `text` unless it already shows `shown`. */
export async function showCountdown(
  ops: ClockOps,
  timerId: string,
  text: string,
  shown: string,
): Promise<void> {
  const countdown = await readCountdown(ops.state, timerId);
  if (!countdown || countdown.shown === shown) return;
  await ops.send(countdown.roomId, editOf(text, countdown.eventId));
  await ops.state.set(countdownKey(timerId), { ...countdown, shown });
}

export async function rememberCountdown(ops: ClockOps, timerId: string, countdown: Countdown): Promise<void> {
  const { endJob, shown, threadRoot } = countdown;
  await ops.state.set(countdownKey(timerId), {
    roomId: countdown.roomId,
    eventId: countdown.eventId,
    ...(endJob ? { endJob } : {}),
    ...(shown ? { shown } : {}),
    ...(threadRoot ? { threadRoot } : {}),
  });
  await ops.state.set(messageKey(countdown.eventId), { kind: 'timer', id: timerId });
}

/**
 * Schedules the end and the first countdown edit of a running timer (idempotent: the ids follow
 * the run), cancelling the end job of the run before it, if the bot knew one.
 */
export async function scheduleRun(ops: ClockOps, t: TimerRow, roomId: string): Promise<void> {
  if (t.state !== 'running' || !t.endsAt) return;
  const data: RunData = { userId: ops.userId, roomId, timerId: t.id, endsAt: t.endsAt };
  const endJob = endJobId(t.id, t.endsAt);
  await ops.schedule('timer-end', data, { jobId: endJob, at: new Date(t.endsAt) });
  const now = ops.now().getTime();
  const base = t.startedAt ? Date.parse(t.startedAt) : now;
  // The next tick of the chain, not the first: done ticks leave Redis (idempotent), so scheduling a
  // run again mid-way (the watch sees a change) would otherwise re-add tick 1 and start a second chain.
  await scheduleTick(ops, { ...data, base, k: nextTick(base, 0, now) });
  const countdown = await readCountdown(ops.state, t.id);
  if (countdown && countdown.endJob !== endJob) {
    if (countdown.endJob) await ops.cancel(countdown.endJob);
    await ops.state.set(countdownKey(t.id), { ...countdown, endJob });
  }
}

/**
 * The number of the tick to chain after tick `k` at `now`: the one of the next 10 s slot, or k + 1
 * when that is later. Derived from the time, not only from `k`, so every copy of a chain agrees on
 * it: a tick BullMQ redelivers after a kill -9 (stalled: its lock ran out while the chain went on
 * from the restarted runner) names the tick the live chain has already queued, and that job id is
 * taken (added once), instead of re-adding `k + 1` — which is done and gone from Redis — and
 * starting a second chain that edits the countdown twice as often.
 */
export function nextTick(base: number, k: number, now: number): number {
  return Math.max(k + 1, Math.floor((now - base) / TICK_MS) + 1);
}

/**
 * Tick `k` at `base + k·10 s`; when the chain runs late (a restart), 10 s from now instead, so two
 * edits never come closer than ~5 s. None in the last second (the end edits the countdown).
 */
async function scheduleTick(ops: ClockOps, data: TickData): Promise<void> {
  const now = ops.now().getTime();
  const aligned = data.base + data.k * TICK_MS;
  const at = data.k > 1 && aligned < now + TICK_MS / 2 ? now + TICK_MS : aligned;
  if (at >= Date.parse(data.endsAt) - 1000) return;
  await ops.schedule('timer-tick', data, {
    jobId: tickJobId(data.timerId, data.endsAt, data.k),
    at: new Date(at),
  });
}

/** Stops a timer's pending end job (the ticks stop by themselves when they see the row). */
export async function cancelRun(ops: ClockOps, t: TimerRow): Promise<void> {
  if (t.endsAt) await ops.cancel(endJobId(t.id, t.endsAt));
  const countdown = await readCountdown(ops.state, t.id);
  if (countdown?.endJob) await ops.cancel(countdown.endJob);
}

async function currentRun(ops: ClockOps, data: RunData): Promise<TimerRow | undefined> {
  const t = asTimer(await ops.store.get('timers', data.timerId));
  return t && t.state === 'running' && t.endsAt === data.endsAt && !t.doneAt ? t : undefined;
}

/** A countdown edit, and the next one chained. */
export async function runTick(ops: ClockOps, data: TickData): Promise<void> {
  const t = await currentRun(ops, data);
  if (!t) return;
  await scheduleTick(ops, { ...data, k: nextTick(data.base, data.k, ops.now().getTime()) });
  const countdown = await readCountdown(ops.state, t.id);
  if (countdown)
    await ops.send(countdown.roomId, editOf(countdownText(t, ops.lang, ops.now()), countdown.eventId));
}

/** The mention that makes the phone ring: `m.text` (clients never notify for `m.notice`). */
export function mentionContent(userId: string, text: string): Record<string, unknown> {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    msgtype: 'm.text',
    body: `${userId}: ${text}`,
    format: 'org.matrix.custom.html',
    formatted_body: `<a href="https://matrix.to/#/${encodeURIComponent(userId)}">${esc(userId)}</a>: ${esc(text)}`,
    'm.mentions': { user_ids: [userId] },
  };
}

/**
 * The end: a new message mentioning the user, the row marked done, the countdown edited to done.
 * Sent once: the job is claimed once, the message's transaction id is the job's (a re-run after a
 * crash gets the same event from Synapse), and a row already `doneAt` is not announced again.
 */
export async function runEnd(ops: ClockOps, data: RunData, jobId: string): Promise<void> {
  const t = await currentRun(ops, data);
  if (!t) return finishEnded(ops, data);
  const label = t.label ? ` „${t.label}“` : '';
  const labelEn = t.label ? ` "${t.label}"` : '';
  const text = pick(ops.lang, {
    de: `⏰ Dein Timer${label} (${formatDuration(t.durationMs)}) ist abgelaufen!`,
    en: `⏰ Your timer${labelEn} (${formatDuration(t.durationMs)}) is up!`,
  });
  // In the thread the timer was started in, where its countdown is (still a mention: it rings).
  const countdown = await readCountdown(ops.state, t.id);
  const thread = countdown?.roomId === data.roomId ? countdown.threadRoot : undefined;
  await ops.send(data.roomId, inThread(mentionContent(data.userId, text), thread), `${jobId}:end`);
  const done: TimerRow = { ...t, state: 'done', remainingMs: 0, doneAt: ops.now().toISOString() };
  await ops.store.upsert('timers', t.id, { state: 'done', remainingMs: 0, doneAt: done.doneAt });
  await ops.store.flush();
  await showCountdown(ops, t.id, countdownText(done, ops.lang, ops.now()), shownKey(done));
}

/**
 * A re-run of an end that failed after the row was marked done (its flush, the countdown's edit: a
 * slow sync server or Synapse under load) — the retry must not stop at "already done", or the
 * countdown never says done. The mention went out before the row was written; only the rest is
 * redone: the row pushed, the countdown edited (a no-op when it shows done already).
 */
async function finishEnded(ops: ClockOps, data: RunData): Promise<void> {
  const t = asTimer(await ops.store.get('timers', data.timerId));
  if (!t || t.state !== 'done' || t.endsAt !== data.endsAt) return;
  await ops.store.flush();
  await showCountdown(ops, t.id, countdownText(t, ops.lang, ops.now()), shownKey(t));
}
