/**
 * The clock bot (@clock): timers with a live countdown, alarms that ring in the user's time zone,
 * and world clocks. Everything is a row of the `clock` app of sync, so the web app's clock view
 * shows and edits the same timers and alarms; the bot watches that stream and moves or cancels its
 * jobs when a row changes there. Numbers (`pause 2`, `alarm aus 1`) refer to the list the bot last
 * showed that user.
 */
import {
  CommandError,
  defineBot,
  html,
  pick,
  usageLine,
  type BotCommand,
  type CommandContext,
  type JobContext,
  type Lang,
  type RowChange,
  type Text,
} from '@mana/bot-runtime';
import { MAX_TIMER_MS } from '@mana/sync-protocol';
import { parseAlarm } from './alarm.ts';
import {
  DEFAULT_SNOOZE_MINUTES,
  describeDays,
  isRingData,
  runRing,
  scheduleNextRing,
  scheduleSnooze,
  snooze,
} from './alarms.ts';
import { formatRemaining } from './countdown.ts';
import { formatDuration, splitDuration } from './duration.ts';
import { ClockError } from './errors.ts';
import {
  alarms,
  APP,
  asAlarm,
  asTimer,
  idFrom,
  readCountdown,
  readMessageRef,
  timers,
  type AlarmRow,
  type TimerRow,
} from './rows.ts';
import {
  cancelledText,
  cancelRun,
  countdownText,
  isRunData,
  isTickData,
  rememberCountdown,
  remainingOf,
  runEnd,
  runTick,
  scheduleRun,
  showCountdown,
  shownKey,
  TICK_JOB_OPTIONS,
  TICK_MS,
  type ClockOps,
} from './timers.ts';
import { showWorldClocks, timeCommand, worldClockCommand } from './world.ts';

const LAST_TIMERS = 'lastTimers';
const LAST_ALARMS = 'lastAlarms';
const LABEL_MAX = 200;

/** The time zone a job uses when a row has none (the runtime's default is not visible to jobs). */
export const FALLBACK_TIMEZONE = 'Europe/Berlin';

async function commandOps(ctx: CommandContext): Promise<ClockOps> {
  return {
    userId: ctx.sender,
    lang: ctx.lang,
    now: () => ctx.now,
    store: await ctx.store(APP),
    state: ctx.state,
    schedule: (job, data, o) => ctx.schedule(job, data, o),
    cancel: (jobId) => ctx.cancel(jobId),
    // A command writes into its own room only (an edit of a countdown elsewhere is left to the watch).
    send: async (roomId, content) => (roomId === ctx.roomId ? ctx.sendContent(content) : ''),
  };
}

async function jobOps(ctx: JobContext, userId: string): Promise<ClockOps> {
  const startedAt = performance.now();
  return {
    userId,
    lang: await ctx.lang(userId),
    now: () => new Date(ctx.now.getTime() + Math.round(performance.now() - startedAt)),
    store: await ctx.store(userId, APP),
    state: ctx.state(userId),
    schedule: (job, data, o) => ctx.schedule(job, data, o),
    cancel: (jobId) => ctx.cancel(jobId),
    send: (roomId, content, txnKey) => ctx.postContent(roomId, content, txnKey ? { txnKey } : {}),
  };
}

/** Follows the user's clock stream, so edits in the web app reach the jobs (best effort). */
async function watchClock(ctx: CommandContext): Promise<void> {
  await ctx.watch(APP).catch((err: unknown) => ctx.log.warn({ err }, 'could not watch the clock stream'));
}

function usage(ctx: CommandContext, name: string, why?: Text): CommandError {
  const command = clockCommands.find((c) => c.name === name);
  const line = command ? usageLine(command, ctx.lang) : '';
  const text = why ? `${pick(ctx.lang, why)} ${line}` : line;
  return new CommandError(`usage of ${name}`, text);
}

function clockUsage(ctx: CommandContext, name: string, err: unknown): never {
  if (err instanceof ClockError) throw usage(ctx, name, err.human);
  throw err;
}

const nothing = (ctx: CommandContext, what: 'running' | 'paused' | 'any') =>
  ctx.t(
    what === 'paused'
      ? { de: 'Kein Timer ist pausiert.', en: 'No timer is paused.' }
      : {
          de: 'Kein Timer läuft. Starte einen mit „timer 25m Pizza“.',
          en: 'No timer is running. Start one with “timer 25m pizza”.',
        },
  );

const timerName = (t: TimerRow) => (t.label ? `„${t.label}“` : formatDuration(t.durationMs));

/** Timer N of the last `timers` list, or the newest one in one of `states`. */
async function targetTimer(
  ctx: CommandContext,
  ops: ClockOps,
  n: number | undefined,
  states: readonly TimerRow['state'][],
): Promise<TimerRow | undefined> {
  if (n !== undefined) {
    const ids = (await ctx.state.get<string[]>(LAST_TIMERS)) ?? [];
    const id = ids[n - 1];
    const t = id ? asTimer(await ops.store.get('timers', id)) : undefined;
    if (!t)
      throw new CommandError(`no timer ${n}`, {
        de: `Timer ${n} gibt es in deiner letzten Liste nicht. „timers“ zeigt sie.`,
        en: `There is no timer ${n} in your last list. “timers” shows it.`,
      });
    return states.includes(t.state) ? t : undefined;
  }
  const candidates = (await timers(ops.store)).filter((t) => states.includes(t.state));
  candidates.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  return candidates[0];
}

async function startTimer(ctx: CommandContext, text: string | undefined) {
  if (!text) throw usage(ctx, 'timer');
  let hit: ReturnType<typeof splitDuration>;
  try {
    hit = splitDuration(text);
  } catch (err) {
    clockUsage(ctx, 'timer', err);
  }
  if (!hit)
    throw usage(ctx, 'timer', {
      de: `„${text}“ ist keine Dauer.`,
      en: `"${text}" is not a duration.`,
    });
  const ops = await commandOps(ctx);
  const id = idFrom(ctx.eventId, 'timer');
  const now = ctx.now.getTime();
  const row: TimerRow = {
    id,
    label: hit.rest ? hit.rest.slice(0, LABEL_MAX) : null,
    durationMs: hit.ms,
    state: 'running',
    startedAt: new Date(now).toISOString(),
    remainingMs: hit.ms,
    endsAt: new Date(now + hit.ms).toISOString(),
    doneAt: null,
  };
  // The countdown first, so the watch that sees the new row knows it is the bot's own.
  const message = await ctx.stream(countdownText(row, ctx.lang, ctx.now), { intervalMs: TICK_MS });
  await rememberCountdown(ops, id, {
    roomId: ctx.roomId,
    eventId: message.eventId,
    shown: shownKey(row),
    ...(ctx.threadRoot ? { threadRoot: ctx.threadRoot } : {}),
  });
  const { id: _id, ...fields } = row;
  await ops.store.upsert('timers', id, fields);
  await ops.store.flush();
  await scheduleRun(ops, row, ctx.roomId);
  await watchClock(ctx);
  return undefined;
}

async function pauseTimer(ctx: CommandContext, n: number | undefined) {
  const ops = await commandOps(ctx);
  const t = await targetTimer(ctx, ops, n, ['running']);
  if (!t) return nothing(ctx, 'running');
  const paused: TimerRow = { ...t, state: 'paused', remainingMs: remainingOf(t, ctx.now), endsAt: null };
  await ops.store.upsert('timers', t.id, { state: 'paused', remainingMs: paused.remainingMs, endsAt: null });
  await ops.store.flush();
  await cancelRun(ops, t);
  await showCountdown(ops, t.id, countdownText(paused, ctx.lang, ctx.now), shownKey(paused));
  return ctx.t(
    {
      de: '⏸ Timer {name} pausiert — noch {left}. „weiter“ setzt fort.',
      en: '⏸ Timer {name} paused — {left} left. “resume” continues.',
    },
    { name: timerName(t), left: formatRemaining(paused.remainingMs ?? 0) },
  );
}

async function runAgain(ctx: CommandContext, t: TimerRow, remainingMs: number): Promise<TimerRow> {
  const ops = await commandOps(ctx);
  const now = ctx.now.getTime();
  const running: TimerRow = {
    ...t,
    state: 'running',
    startedAt: new Date(now).toISOString(),
    remainingMs,
    endsAt: new Date(now + remainingMs).toISOString(),
    doneAt: null,
  };
  await ops.store.upsert('timers', t.id, {
    state: 'running',
    startedAt: running.startedAt,
    remainingMs,
    endsAt: running.endsAt,
    doneAt: null,
  });
  await ops.store.flush();
  await cancelRun(ops, t);
  await scheduleRun(ops, running, (await readCountdown(ops.state, t.id))?.roomId ?? ctx.roomId);
  await showCountdown(ops, t.id, countdownText(running, ctx.lang, ctx.now), shownKey(running));
  await watchClock(ctx);
  return running;
}

async function resumeTimer(ctx: CommandContext, n: number | undefined) {
  const ops = await commandOps(ctx);
  const t = await targetTimer(ctx, ops, n, ['paused', 'idle']);
  if (!t) return nothing(ctx, 'paused');
  await runAgain(ctx, t, t.remainingMs ?? t.durationMs);
  return ctx.t(
    { de: '▶ Timer {name} läuft weiter — noch {left}.', en: '▶ Timer {name} resumed — {left} left.' },
    { name: timerName(t), left: formatRemaining(t.remainingMs ?? t.durationMs) },
  );
}

async function resetTimer(ctx: CommandContext, n: number | undefined) {
  const ops = await commandOps(ctx);
  const t = await targetTimer(ctx, ops, n, ['running', 'paused', 'idle', 'done']);
  if (!t) return nothing(ctx, 'any');
  await runAgain(ctx, t, t.durationMs);
  return ctx.t(
    { de: '🔄 Timer {name} beginnt von vorn: {left}.', en: '🔄 Timer {name} starts over: {left}.' },
    { name: timerName(t), left: formatRemaining(t.durationMs) },
  );
}

async function stopTimer(ctx: CommandContext, n: number | undefined) {
  const ops = await commandOps(ctx);
  const t = await targetTimer(ctx, ops, n, ['running', 'paused', 'idle']);
  if (!t) return nothing(ctx, 'any');
  await ops.store.delete('timers', t.id);
  await ops.store.flush();
  await cancelRun(ops, t);
  await showCountdown(ops, t.id, cancelledText(t, ctx.lang), 'deleted');
  return ctx.t(
    { de: '❌ Timer {name} abgebrochen.', en: '❌ Timer {name} cancelled.' },
    { name: timerName(t) },
  );
}

async function listTimers(ctx: CommandContext) {
  const ops = await commandOps(ctx);
  const open = (await timers(ops.store))
    .filter((t) => t.state === 'running' || t.state === 'paused' || t.state === 'idle')
    .sort((a, b) => remainingOf(a, ctx.now) - remainingOf(b, ctx.now));
  await ctx.state.set(
    LAST_TIMERS,
    open.map((t) => t.id),
  );
  if (open.length === 0) return nothing(ctx, 'running');
  return html`<p><b>${ctx.t({ de: 'Timer', en: 'Timers' })}</b></p><ol>${open.map(
    (t) => html`<li>${countdownText(t, ctx.lang, ctx.now)}</li>`,
  )}</ol>`;
}

// --- alarms -------------------------------------------------------------------------------------

async function alarmByNumber(ctx: CommandContext, ops: ClockOps, n: number): Promise<AlarmRow> {
  const ids = (await ctx.state.get<string[]>(LAST_ALARMS)) ?? [];
  const id = ids[n - 1];
  const a = id ? asAlarm(await ops.store.get('alarms', id)) : undefined;
  if (!a)
    throw new CommandError(`no alarm ${n}`, {
      de: `Wecker ${n} gibt es in deiner letzten Liste nicht. „alarme“ zeigt sie.`,
      en: `There is no alarm ${n} in your last list. “alarms” shows it.`,
    });
  return a;
}

function alarmLine(a: AlarmRow, lang: Lang): string {
  const state = a.enabled ? '' : pick(lang, { de: ' (aus)', en: ' (off)' });
  return `${a.time} ${describeDays(a.days, lang)}${a.label ? ` — ${a.label}` : ''}${state}`;
}

async function listAlarms(ctx: CommandContext) {
  const ops = await commandOps(ctx);
  const all = await alarms(ops.store);
  await ctx.state.set(
    LAST_ALARMS,
    all.map((a) => a.id),
  );
  if (all.length === 0)
    return ctx.t({
      de: 'Keine Wecker. Stell einen mit „wecker 7:30“ oder „alarm 6:45 Mo,Mi,Fr“.',
      en: 'No alarms. Set one with “alarm 7:30” or “alarm 6:45 mon,wed,fri”.',
    });
  return html`<p><b>${ctx.t({ de: 'Wecker', en: 'Alarms' })}</b></p><ol>${all.map(
    (a) => html`<li>${alarmLine(a, ctx.lang)}</li>`,
  )}</ol>`;
}

async function switchAlarm(ctx: CommandContext, n: number, on: boolean) {
  const ops = await commandOps(ctx);
  const a = await alarmByNumber(ctx, ops, n);
  await ops.store.upsert('alarms', a.id, { enabled: on, snoozedUntil: null });
  await ops.store.flush();
  if (on) {
    const at = await scheduleNextRing(ops, { ...a, enabled: true }, ctx.roomId, {
      after: ctx.now,
      defaultTimezone: ctx.timezone,
    });
    return ctx.t(
      {
        de: '⏰ Wecker {line} ist an — nächstes Klingeln {at}.',
        en: '⏰ Alarm {line} is on — next ring {at}.',
      },
      { line: alarmLine({ ...a, enabled: true }, ctx.lang), at: ctx.formatDate(at, 'datetime') },
    );
  }
  // Its pending ring finds the alarm off and stays silent.
  return ctx.t(
    { de: '🔕 Wecker {line} ist aus.', en: '🔕 Alarm {line} is off.' },
    { line: alarmLine(a, ctx.lang) },
  );
}

async function deleteAlarm(ctx: CommandContext, n: number) {
  const ops = await commandOps(ctx);
  const a = await alarmByNumber(ctx, ops, n);
  await ops.store.delete('alarms', a.id);
  await ops.store.flush();
  return ctx.t(
    { de: '🗑️ Wecker {line} gelöscht.', en: '🗑️ Alarm {line} deleted.' },
    { line: alarmLine(a, ctx.lang) },
  );
}

const OFF = /^(aus|off|ausschalten|disable)\s+#?(\d+)$/iu;
const ON = /^(an|on|einschalten|enable)\s+#?(\d+)$/iu;
const DELETE = /^(löschen|loeschen|delete|del|rm)\s+#?(\d+)$/iu;

async function alarmCommand(ctx: CommandContext, text: string | undefined) {
  if (!text) return listAlarms(ctx);
  const off = OFF.exec(text);
  if (off) return switchAlarm(ctx, Number(off[2]), false);
  const on = ON.exec(text);
  if (on) return switchAlarm(ctx, Number(on[2]), true);
  const del = DELETE.exec(text);
  if (del) return deleteAlarm(ctx, Number(del[2]));
  let spec: ReturnType<typeof parseAlarm>;
  try {
    spec = parseAlarm(text);
  } catch (err) {
    clockUsage(ctx, 'alarm', err);
  }
  const ops = await commandOps(ctx);
  const id = idFrom(ctx.eventId, 'alarm');
  const alarm: AlarmRow = {
    id,
    time: spec.time,
    days: spec.days,
    label: spec.label ? spec.label.slice(0, LABEL_MAX) : null,
    enabled: true,
    timezone: ctx.timezone,
    snoozedUntil: null,
    lastFiredAt: null,
  };
  const { id: _id, ...fields } = alarm;
  await ops.store.upsert('alarms', id, fields);
  await ops.store.flush();
  const at = await scheduleNextRing(ops, alarm, ctx.roomId, {
    after: ctx.now,
    defaultTimezone: ctx.timezone,
  });
  await watchClock(ctx);
  return ctx.t(
    { de: '⏰ Wecker gestellt: {line} — klingelt {at}.', en: '⏰ Alarm set: {line} — rings {at}.' },
    { line: alarmLine(alarm, ctx.lang), at: ctx.formatDate(at, 'datetime') },
  );
}

/** The alarm that rang last (what `snooze` and 💤 mean without a number). */
async function lastRung(ops: ClockOps): Promise<AlarmRow | undefined> {
  const rung = (await alarms(ops.store)).filter((a) => a.lastFiredAt);
  rung.sort((a, b) => (b.lastFiredAt ?? '').localeCompare(a.lastFiredAt ?? ''));
  return rung[0];
}

async function snoozeAlarm(ctx: CommandContext, alarm: AlarmRow | undefined, minutes: number) {
  const ops = await commandOps(ctx);
  const a = alarm ?? (await lastRung(ops));
  if (!a) return ctx.t({ de: 'Es hat noch kein Wecker geklingelt.', en: 'No alarm has rung yet.' });
  if (minutes > 24 * 60) throw usage(ctx, 'snooze');
  const until = await snooze(ops, a, ctx.roomId, minutes);
  await watchClock(ctx);
  return ctx.t(
    { de: '💤 Schlummern bis {at}.', en: '💤 Snoozing until {at}.' },
    { at: ctx.formatDate(until, 'time') },
  );
}

// --- the table ----------------------------------------------------------------------------------

const N = { name: 'n', kind: 'int', optional: true, label: { de: 'Nummer', en: 'number' } } as const;

export const clockCommands: BotCommand[] = [
  {
    name: 'timer',
    aliases: { de: ['timer', 'kurzzeitwecker'], en: ['timer'] },
    args: [
      { name: 'text', kind: 'text', optional: true, label: { de: 'Dauer [Name]', en: 'duration [name]' } },
    ],
    help: {
      de: 'Startet einen Timer mit Countdown: „timer 25m Pizza“, „timer 1h30m“, „timer 90“ (Minuten), „timer 30s“.',
      en: 'Starts a timer with a countdown: “timer 25m pizza”, “timer 1h30m”, “timer 90” (minutes), “timer 30s”.',
    },
    run: (ctx, args) => startTimer(ctx, args.optionalStr('text')),
  },
  {
    name: 'pause',
    aliases: { de: ['pause', 'pausieren', 'anhalten'], en: ['pause', 'hold'] },
    args: [N],
    help: {
      de: 'Pausiert den laufenden Timer (oder Timer N).',
      en: 'Pauses the running timer (or timer N).',
    },
    run: (ctx, args) => pauseTimer(ctx, args.optionalInt('n')),
  },
  {
    name: 'resume',
    aliases: { de: ['weiter', 'fortsetzen'], en: ['resume', 'continue'] },
    args: [N],
    help: { de: 'Setzt den pausierten Timer fort.', en: 'Resumes the paused timer.' },
    run: (ctx, args) => resumeTimer(ctx, args.optionalInt('n')),
  },
  {
    name: 'reset',
    aliases: { de: ['zurücksetzen', 'neustart'], en: ['reset', 'restart'] },
    args: [N],
    help: { de: 'Startet den Timer von vorn.', en: 'Starts the timer over.' },
    run: (ctx, args) => resetTimer(ctx, args.optionalInt('n')),
  },
  {
    name: 'stop',
    aliases: { de: ['stopp', 'abbrechen'], en: ['stop', 'cancel'] },
    args: [N],
    help: { de: 'Bricht den Timer ab.', en: 'Cancels the timer.' },
    run: (ctx, args) => stopTimer(ctx, args.optionalInt('n')),
  },
  {
    name: 'timers',
    aliases: { de: ['timers', 'timerliste'], en: ['timers'] },
    help: { de: 'Laufende und pausierte Timer, nummeriert.', en: 'Running and paused timers, numbered.' },
    run: (ctx) => listTimers(ctx),
  },
  {
    name: 'alarm',
    aliases: { de: ['wecker', 'alarm'], en: ['alarm'] },
    args: [
      {
        name: 'text',
        kind: 'text',
        optional: true,
        label: { de: 'Zeit [Tage] [Name]', en: 'time [days] [name]' },
      },
    ],
    help: {
      de: 'Stellt einen Wecker: „wecker 7:30“, „alarm 07:30 werktags“, „alarm 6:45 Mo,Mi,Fr“; „alarm aus N“ / „alarm an N“ / „alarm löschen N“.',
      en: 'Sets an alarm: “alarm 7:30”, “alarm 07:30 weekdays”, “alarm 6:45 mon,wed,fri”; “alarm off N” / “alarm on N” / “alarm delete N”.',
    },
    run: (ctx, args) => alarmCommand(ctx, args.optionalStr('text')),
  },
  {
    name: 'alarms',
    aliases: { de: ['alarme', 'wecker-liste'], en: ['alarms'] },
    help: { de: 'Deine Wecker, nummeriert.', en: 'Your alarms, numbered.' },
    run: (ctx) => listAlarms(ctx),
  },
  {
    name: 'snooze',
    aliases: { de: ['schlummern', 'snooze'], en: ['snooze'] },
    args: [{ name: 'minutes', kind: 'int', optional: true, label: { de: 'Minuten', en: 'minutes' } }],
    help: {
      de: 'Lässt den Wecker, der zuletzt geklingelt hat, in N Minuten noch mal klingeln (Standard 10); 💤 auf der Weckernachricht geht auch.',
      en: 'Rings the alarm that rang last again in N minutes (default 10); 💤 on the alarm message works too.',
    },
    run: (ctx, args) => snoozeAlarm(ctx, undefined, args.optionalInt('minutes') ?? DEFAULT_SNOOZE_MINUTES),
  },
  {
    name: 'time',
    aliases: { de: ['zeit', 'uhrzeit'], en: ['time'] },
    args: [{ name: 'city', kind: 'text', optional: true, label: { de: 'Stadt', en: 'city' } }],
    help: {
      de: 'Die Uhrzeit bei dir oder in einer Stadt: „zeit Tokio“.',
      en: 'The time where you are or in a city: “time new york”.',
    },
    run: (ctx, args) => timeCommand(ctx, args.optionalStr('city')),
  },
  {
    name: 'worldclock',
    aliases: { de: ['weltuhr'], en: ['worldclock'] },
    args: [{ name: 'text', kind: 'text', optional: true, label: { de: 'add <Stadt>', en: 'add <city>' } }],
    help: {
      de: 'Merkt sich eine Weltuhr: „weltuhr add Tokio“; „weltuhr entfernen N“.',
      en: 'Keeps a world clock: “worldclock add tokyo”; “worldclock remove N”.',
    },
    run: (ctx, args) => worldClockCommand(ctx, args.optionalStr('text')),
  },
  {
    name: 'worldclocks',
    aliases: { de: ['weltuhren'], en: ['worldclocks'] },
    help: { de: 'Die Uhrzeit in deinen Weltuhren.', en: 'The time of your world clocks.' },
    run: (ctx) => showWorldClocks(ctx),
  },
];

// --- reactions and the watch --------------------------------------------------------------------

/** A reaction on a countdown message acts on that timer; elsewhere it is not the bot's business. */
async function onTimerReaction(
  ctx: CommandContext,
  target: string,
  act: (ctx: CommandContext, t: TimerRow) => Promise<unknown>,
) {
  const ref = await readMessageRef(ctx.state, target);
  if (ref?.kind !== 'timer') return undefined;
  const t = asTimer(await (await ctx.store(APP)).get('timers', ref.id));
  if (t) await act(ctx, t);
  // The countdown's edit is the answer.
  return undefined;
}

async function pauseThis(ctx: CommandContext, t: TimerRow) {
  if (t.state !== 'running') return;
  const ops = await commandOps(ctx);
  const paused: TimerRow = { ...t, state: 'paused', remainingMs: remainingOf(t, ctx.now), endsAt: null };
  await ops.store.upsert('timers', t.id, { state: 'paused', remainingMs: paused.remainingMs, endsAt: null });
  await ops.store.flush();
  await cancelRun(ops, t);
  await showCountdown(ops, t.id, countdownText(paused, ctx.lang, ctx.now), shownKey(paused));
}

async function resumeThis(ctx: CommandContext, t: TimerRow) {
  if (t.state !== 'paused' && t.state !== 'idle') return;
  await runAgain(ctx, t, t.remainingMs ?? t.durationMs);
}

async function cancelThis(ctx: CommandContext, t: TimerRow) {
  if (t.state === 'done') return;
  const ops = await commandOps(ctx);
  await ops.store.delete('timers', t.id);
  await ops.store.flush();
  await cancelRun(ops, t);
  await showCountdown(ops, t.id, cancelledText(t, ctx.lang), 'deleted');
}

/** A row changed in the user's clock stream (the web app, another device, the bot itself). */
async function onTimerChange(ops: ClockOps, change: RowChange, roomId: string): Promise<void> {
  const countdown = await readCountdown(ops.state, change.id);
  if (change.deleted) {
    if (!countdown) return;
    if (countdown.endJob) await ops.cancel(countdown.endJob);
    await showCountdown(
      ops,
      change.id,
      `❌ ${pick(ops.lang, { de: 'Timer abgebrochen', en: 'Timer cancelled' })}`,
      'deleted',
    );
    return;
  }
  const t = asTimer(change.row);
  if (!t) return;
  if (t.state === 'running' && t.endsAt && !t.doneAt) {
    if (Date.parse(t.endsAt) - ops.now().getTime() > MAX_TIMER_MS) return;
    if (!countdown) {
      // Started elsewhere (the web app): the countdown appears in the room the watch was set up in.
      const text = countdownText(t, ops.lang, ops.now());
      const eventId = await ops.send(
        roomId,
        { msgtype: 'm.notice', body: text, 'm.mentions': {} },
        `clock:countdown:${t.id}:${Date.parse(t.endsAt)}`,
      );
      await rememberCountdown(ops, t.id, { roomId, eventId, shown: shownKey(t) });
    }
    await scheduleRun(ops, t, countdown?.roomId ?? roomId);
    await showCountdown(ops, t.id, countdownText(t, ops.lang, ops.now()), shownKey(t));
  } else if (t.state === 'paused' || t.state === 'idle') {
    await cancelRun(ops, t);
    await showCountdown(ops, t.id, countdownText(t, ops.lang, ops.now()), shownKey(t));
  }
}

async function onAlarmChange(ops: ClockOps, change: RowChange, roomId: string): Promise<void> {
  const a = asAlarm(change.row);
  if (!a) return;
  if (a.enabled)
    await scheduleNextRing(ops, a, roomId, { after: ops.now(), defaultTimezone: FALLBACK_TIMEZONE });
  if (a.snoozedUntil && Date.parse(a.snoozedUntil) > ops.now().getTime())
    await scheduleSnooze(ops, a, roomId);
}

export const clockBot = defineBot({
  id: 'clock',
  localpart: 'clock',
  displayName: 'Clock',
  description: {
    de: 'Timer mit Countdown, Wecker und Weltuhren',
    en: 'Timers with a countdown, alarms and world clocks',
  },
  commands: clockCommands,
  examples: [
    { de: 'timer 25m Pizza', en: 'timer 25m pizza' },
    { de: 'wecker 7:30 werktags', en: 'alarm 7:30 weekdays' },
    { de: 'zeit Tokio', en: 'time new york' },
  ],
  apps: [APP],
  reactions: {
    '⏸': (ctx, r) => onTimerReaction(ctx, r.target, pauseThis),
    '⏸️': (ctx, r) => onTimerReaction(ctx, r.target, pauseThis),
    '▶': (ctx, r) => onTimerReaction(ctx, r.target, resumeThis),
    '▶️': (ctx, r) => onTimerReaction(ctx, r.target, resumeThis),
    '❌': (ctx, r) => onTimerReaction(ctx, r.target, cancelThis),
    async '💤'(ctx, r) {
      const ref = await readMessageRef(ctx.state, r.target);
      if (ref?.kind !== 'alarm') return undefined;
      const a = asAlarm(await (await ctx.store(APP)).get('alarms', ref.id));
      return a ? snoozeAlarm(ctx, a, DEFAULT_SNOOZE_MINUTES) : undefined;
    },
  },
  jobs: {
    async 'timer-end'(ctx, data) {
      if (!isRunData(data)) return;
      await runEnd(await jobOps(ctx, data.userId), data, ctx.jobId);
    },
    async 'timer-tick'(ctx, data) {
      if (!isTickData(data)) return;
      await runTick(await jobOps(ctx, data.userId), data);
    },
    async 'alarm-ring'(ctx, data) {
      if (!isRingData(data)) return;
      await runRing(await jobOps(ctx, data.userId), data, ctx.jobId, FALLBACK_TIMEZONE);
    },
  },
  // Ends and alarms keep the defaults: claimed exactly once, and first in line when due.
  jobOptions: { 'timer-tick': TICK_JOB_OPTIONS },
  async onDataChange(ctx, { userId, roomId, changes }) {
    const ops = await jobOps(ctx, userId);
    for (const change of changes) {
      if (change.table === 'timers') await onTimerChange(ops, change, roomId);
      else if (change.table === 'alarms') await onAlarmChange(ops, change, roomId);
    }
  },
});
