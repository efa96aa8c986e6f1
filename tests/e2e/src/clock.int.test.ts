/**
 * Issue 12's clock half, end to end with the real services: a real Synapse pushing to the bot runner
 * (its own process, BOTS=clock), the real sync server holding the `clock` rows, BullMQ on the real
 * Redis for the timer and alarm jobs, claims in the real Postgres. People talk to @clock with
 * matrix-js-sdk as Element does; times are checked against the rows in sync, not only the text.
 * Short real durations only (`timer 3s`); the first alarm rings at the next minute, waited for while
 * the timer tests run; the others ring at their next minute too (with two runners, and while the
 * runner is dead). Snoozes are minutes long: that test runs the runner with BOT_TEST_DELAY_SCALE=60
 * (delayed jobs wait 1/60 of their time), so a 10-minute snooze rings after 10 s.
 */
import { createMemoryStorage, createSyncClient, type SyncClient } from '@mana/sync-client';
import { freePort } from '@mana/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, openChat, threadMessage, type Chat, type RawEvent } from './support/bots-chat.ts';
import {
  SERVER_NAME,
  spawnRunner,
  startBotsStack,
  SYNC_AUDIENCE,
  until,
  type BotsStack,
  type RunnerProcess,
  type StackUser,
} from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const CLOCK = `@clock:${SERVER_NAME}`;
const TZ = 'Europe/Berlin';

let stack: BotsStack;
let tilda: StackUser;
let chat: Chat;
let sync: SyncClient<'clock'>;

beforeAll(async () => {
  stack = await startBotsStack({
    label: 'e2e_clock',
    runnerEnv: { BOTS: 'clock', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  tilda = await stack.ssoUser('tilda');
  chat = await openChat(stack, tilda, CLOCK);
  await chat.ask('sprache de');
  const token = await stack.webToken(tilda, SYNC_AUDIENCE, 'openid sync');
  sync = createSyncClient({
    baseUrl: stack.sync.url,
    apps: ['clock'],
    clientId: 'tilda-web',
    getToken: () => token,
    storage: createMemoryStorage(),
    WebSocket: null,
    pushDebounceMs: null,
    pullIntervalMs: null,
  });
}, 240_000);

afterAll(async () => {
  await sync?.stop();
  await stack?.close();
});

afterEach(logRunnerOnFailure(() => stack));

async function timers() {
  await sync.sync('clock');
  return sync.query('clock', 'timers');
}
async function timer(label: string) {
  return (await timers()).find((t) => t.label === label);
}
/** The row once sync has it (the countdown is sent before the row is written). */
async function stored(label: string) {
  return until(`the timer ${label} in sync`, () => timer(label));
}
async function alarms() {
  await sync.sync('clock');
  return sync.query('clock', 'alarms');
}

const mentions = (e: RawEvent): unknown =>
  (e.content['m.mentions'] as { user_ids?: unknown } | undefined)?.user_ids;
/** The bot's messages that ring the user's phone (a new event, `m.text`, mentioning her). */
async function rings(text: string): Promise<RawEvent[]> {
  return (await chat.timeline()).filter(
    (e) =>
      e.sender === CLOCK &&
      e.type === 'm.room.message' &&
      e.content.msgtype === 'm.text' &&
      Array.isArray(mentions(e)) &&
      (mentions(e) as unknown[]).includes(tilda.userId) &&
      bodyOf(e).includes(text),
  );
}
/** Edits (`m.replace`) of the countdown message, oldest first. */
async function editsOf(eventId: string): Promise<RawEvent[]> {
  return (await chat.timeline()).filter((e) => {
    const rel = e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined;
    return e.sender === CLOCK && rel?.rel_type === 'm.replace' && rel.event_id === eventId;
  });
}
const newBody = (e: RawEvent | undefined): string => {
  const b = (e?.content['m.new_content'] as { body?: unknown } | undefined)?.body;
  return typeof b === 'string' ? b : '';
};

async function react(eventId: string, key: string) {
  await chat.sendEvent('m.reaction', {
    'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key },
  });
}

const wallMinute = (d: Date) =>
  new Intl.DateTimeFormat('de-DE', {
    timeZone: TZ,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The first full minute at least `ms` from now (an alarm set for it has time to be stored). */
const minuteAfter = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 60_000) * 60_000);
/** Delayed jobs of the snooze test's runner wait 1/SCALE of their time. */
const SCALE = 60;

/** What Synapse files under the thread of `root`. */
async function threadOf(root: string): Promise<string[]> {
  const thread = await fetch(
    `${stack.synapse.baseUrl}/_matrix/client/v1/rooms/${encodeURIComponent(chat.roomId)}/relations/${encodeURIComponent(root)}/m.thread`,
    { headers: { authorization: `Bearer ${tilda.accessToken}` } },
  ).then((r) => r.json() as Promise<{ chunk: RawEvent[] }>);
  return thread.chunk.map((e) => e.event_id);
}
/** The alarm row of `label`. */
async function alarm(label: string) {
  return (await alarms()).find((a) => a.label === label);
}
/** Waits until the bot has rung `n` times with `text`; those rings, oldest first. */
async function untilRings(text: string, n: number, timeoutMs: number): Promise<RawEvent[]> {
  return until(
    `ring ${n} with ${text}`,
    async () => {
      const r = await rings(text);
      return r.length >= n ? r : undefined;
    },
    timeoutMs,
    250,
  );
}
/** Waits until `label`'s alarm has rung `n` times; those rings, oldest first. */
const rung = (label: string, n: number, timeoutMs: number) => untilRings(`— ${label}!`, n, timeoutMs);

describe('clock bot (real Synapse, sync, Redis, Postgres)', () => {
  // Set first, checked last: the alarm rings at the next full minute while the other tests run
  // (a kill -9 of the runner among them), and must ring exactly once.
  let alarmAt: Date;
  it('wecker HH:MM for the next minute: the row has her zone and the time', { timeout: 60_000 }, async () => {
    const now = Date.now();
    const nextMinute = Math.ceil((now + 1) / 60_000) * 60_000;
    alarmAt = new Date(nextMinute - now < 15_000 ? nextMinute + 60_000 : nextMinute);
    const hhmm = wallMinute(alarmAt);
    const reply = await chat.ask(`wecker ${hhmm} Probe`);
    expect(bodyOf(reply)).toContain(`⏰ Wecker gestellt: ${hhmm} einmalig — Probe`);
    const [row] = (await alarms()).filter((a) => a.label === 'Probe');
    expect(row).toMatchObject({ time: hhmm, days: [], enabled: true, timezone: TZ });
  });

  it(
    'malformed input: timer abc and alarm 25:99 get a short usage line, nothing is stored',
    { timeout: 60_000 },
    async () => {
      const before = (await timers()).length;
      const abc = await chat.ask('timer abc');
      expect(bodyOf(abc)).toContain('„abc“ ist keine Dauer. So geht’s: timer');
      const bad = await chat.ask('alarm 25:99');
      expect(bodyOf(bad)).toMatch(/^„25:99“.*So geht’s: wecker/);
      expect(bodyOf(bad).split('\n')).toHaveLength(1);
      expect(await timers()).toHaveLength(before);
      expect((await alarms()).filter((a) => a.time === '25:99')).toEqual([]);
    },
  );

  it(
    'timer 3s Tee: a countdown in reply, the row in sync, exactly one mention at the end, the countdown edited to done',
    { timeout: 60_000 },
    async () => {
      const sentAt = Date.now();
      const countdown = await chat.ask('timer 3s Tee');
      expect(countdown.content.msgtype).toBe('m.notice');
      expect(bodyOf(countdown)).toMatch(/^⏳ Tee — 00:0[23] /);
      const row = await stored('Tee');
      expect(row).toMatchObject({ durationMs: 3000, state: 'running' });
      const endsAt = Date.parse(String(row?.endsAt));
      expect(endsAt).toBeGreaterThanOrEqual(sentAt + 3000 - 1000);
      expect(endsAt).toBeLessThanOrEqual(Date.now() + 3000);

      const [ring] = await untilRings('Dein Timer „Tee“ (3s) ist abgelaufen!', 1, 20_000);
      expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(endsAt - 50);
      expect(String(ring?.content.formatted_body)).toContain(
        `<a href="https://matrix.to/#/${encodeURIComponent(tilda.userId)}">`,
      );
      const done = await until('the countdown edited to done', async () =>
        (await editsOf(countdown.event_id)).find((e) => newBody(e).includes('fertig')),
      );
      expect(newBody(done)).toBe('✅ Tee — 00:00 ▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100 % — fertig');
      const after = await timer('Tee');
      expect(after).toMatchObject({ state: 'done', remainingMs: 0 });
      expect(Date.parse(String(after?.doneAt))).toBeGreaterThanOrEqual(endsAt);
      await sleep(2000);
      expect(await rings('„Tee“')).toHaveLength(1);
    },
  );

  it(
    '⏸ and ▶ on the countdown pause and resume it: the end moves by the pause, one mention',
    { timeout: 60_000 },
    async () => {
      const countdown = await chat.ask('timer 8s Pause');
      await react(countdown.event_id, '⏸');
      const paused = await until('the row paused', async () => {
        const t = await timer('Pause');
        return t?.state === 'paused' ? t : undefined;
      });
      expect(paused.endsAt).toBeNull();
      expect(paused.remainingMs).toBeGreaterThan(4000);
      expect(paused.remainingMs).toBeLessThanOrEqual(8000);
      await until('the countdown shows the pause', async () =>
        (await editsOf(countdown.event_id)).find((e) => newBody(e).includes('(pausiert)')),
      );
      // Paused past the original end: nothing rings.
      await sleep(9000);
      expect(await rings('„Pause“')).toEqual([]);

      const resumedAt = Date.now();
      await react(countdown.event_id, '▶️');
      const running = await until('the row running again', async () => {
        const t = await timer('Pause');
        return t?.state === 'running' ? t : undefined;
      });
      const endsAt = Date.parse(String(running.endsAt));
      expect(endsAt).toBeGreaterThanOrEqual(resumedAt + Number(paused.remainingMs) - 100);
      const [ring] = await untilRings('„Pause“', 1, 20_000);
      expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(endsAt - 50);
      await sleep(1500);
      expect(await rings('„Pause“')).toHaveLength(1);
    },
  );

  it(
    'paused in the web app (a sync write), the bot cancels the end; resumed there, it rings at the new end',
    { timeout: 60_000 },
    async () => {
      await chat.ask('timer 6s Web');
      const row = await stored('Web');
      if (!row?.endsAt) throw new Error('no running timer');
      // The web app's pause: what the clock view writes.
      const remainingMs = Math.max(1000, Date.parse(row.endsAt) - Date.now());
      await sync.put('clock', 'timers', row.id, { state: 'paused', remainingMs, endsAt: null });
      await sync.sync('clock');
      await sleep(8000);
      expect(await rings('„Web“')).toEqual([]);
      const resumedAt = Date.now();
      const endsAt = new Date(resumedAt + remainingMs).toISOString();
      await sync.put('clock', 'timers', row.id, {
        state: 'running',
        startedAt: new Date(resumedAt).toISOString(),
        remainingMs,
        endsAt,
      });
      await sync.sync('clock');
      const [ring] = await untilRings('„Web“', 1, 20_000);
      expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(Date.parse(endsAt) - 50);
      expect(await timer('Web')).toMatchObject({ state: 'done' });
      await sleep(1500);
      expect(await rings('„Web“')).toHaveLength(1);
    },
  );

  it(
    'kill -9 of the runner while a timer runs: the countdown resumes after the restart, the end is sent once',
    { timeout: 60_000 },
    async () => {
      const countdown = await chat.ask('timer 20s Absturz');
      const row = await stored('Absturz');
      const endsAt = Date.parse(String(row?.endsAt));
      await stack.runner.kill();
      const restartedAt = Date.now();
      await stack.startRunner();
      // The next countdown edit comes from the restarted runner, with the right time left.
      const edit = await until(
        'a countdown edit after the restart',
        async () => (await editsOf(countdown.event_id)).find((e) => e.origin_server_ts > restartedAt),
        20_000,
        250,
      );
      const shown = /— 00:(\d\d) /.exec(newBody(edit))?.[1];
      // Rendered after the restart began and before Synapse stored it: the time left then, ±1 s.
      const left = (at: number) => Math.ceil((endsAt - at) / 1000);
      expect(Number(shown)).toBeGreaterThanOrEqual(left(edit.origin_server_ts) - 1);
      expect(Number(shown)).toBeLessThanOrEqual(left(restartedAt) + 1);
      const [ring] = await untilRings('„Absturz“', 1, 30_000);
      expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(endsAt - 50);
      await sleep(2000);
      expect(await rings('„Absturz“')).toHaveLength(1);
      expect(await timer('Absturz')).toMatchObject({ state: 'done' });
    },
  );

  it(
    'two runners on the same Redis: every timer end and the alarm ring exactly once',
    { timeout: 100_000 },
    async () => {
      const port = await freePort();
      const second: RunnerProcess = await spawnRunner(
        { ...stack.runnerEnv, BOT_PORT: String(port) },
        `http://127.0.0.1:${port}`,
      );
      try {
        // The alarm's minute comes while the timers run or soon after; both runners' workers want it.
        const alarmAt = minuteAfter(10_000);
        await chat.ask(`wecker ${wallMinute(alarmAt)} Zwei`);
        for (const n of [1, 2, 3, 4]) await chat.ask(`timer ${3 + n}s Doppel${n}`);
        for (const n of [1, 2, 3, 4]) await untilRings(`„Doppel${n}“`, 1, 30_000);
        const [ring] = await rung('Zwei', 1, alarmAt.getTime() - Date.now() + 20_000);
        expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(alarmAt.getTime());
        // The ring job posts first and pushes the row after (the sync client retries the push), so
        // under load the row may reach sync a moment after the ring.
        const fired = await until(
          'the alarm row marked fired',
          async () => (await alarm('Zwei'))?.lastFiredAt ?? undefined,
          15_000,
          250,
        );
        expect(fired).toBe(alarmAt.toISOString());
        await sleep(2000);
        for (const n of [1, 2, 3, 4]) expect(await rings(`„Doppel${n}“`)).toHaveLength(1);
        expect(await rings('— Zwei!')).toHaveLength(1);
      } finally {
        await second.stop();
      }
    },
  );

  it(
    'timers, pause, weiter, reset and stopp as text; ❌ on a countdown cancels it: the rows in sync follow',
    { timeout: 90_000 },
    async () => {
      const nudeln = await chat.ask('timer 10m Nudeln');
      await chat.ask('timer 20m Brot');
      const started = await stored('Nudeln');
      await stored('Brot');
      const list = bodyOf(await chat.ask('timers'));
      /** The number of the line that names `label` in the list just shown. */
      const n = (label: string) => {
        const line = list.split('\n').find((l) => l.includes(label));
        const m = /^(\d+)\. ⏳/.exec(line ?? '');
        if (!m) throw new Error(`no running ${label} in ${JSON.stringify(list)}`);
        return m[1];
      };
      expect(list).toMatch(/^Timer\n/);
      expect(bodyOf(await chat.ask(`pause ${n('Nudeln')}`))).toMatch(/^⏸ Timer „Nudeln“ pausiert — noch /);
      const paused = await timer('Nudeln');
      expect(paused).toMatchObject({ state: 'paused', endsAt: null });
      expect(bodyOf(await chat.ask(`weiter ${n('Nudeln')}`))).toMatch(/^▶ Timer „Nudeln“ läuft weiter/);
      const resumed = await timer('Nudeln');
      expect(resumed?.state).toBe('running');
      // Resumed with what was left when paused: it ends later than first planned, by the pause.
      expect(Date.parse(String(resumed?.endsAt))).toBeGreaterThan(Date.parse(String(started.endsAt)));
      const resetAt = Date.now();
      expect(bodyOf(await chat.ask(`reset ${n('Nudeln')}`))).toBe(
        '🔄 Timer „Nudeln“ beginnt von vorn: 10:00.',
      );
      const reset = await timer('Nudeln');
      expect(Date.parse(String(reset?.endsAt))).toBeGreaterThanOrEqual(resetAt + 10 * 60_000 - 1000);
      expect(bodyOf(await chat.ask(`stopp ${n('Brot')}`))).toBe('❌ Timer „Brot“ abgebrochen.');
      expect(await timer('Brot')).toBeUndefined();

      await react(nudeln.event_id, '❌');
      await until('the countdown edited to cancelled', async () =>
        (await editsOf(nudeln.event_id)).find((e) => newBody(e) === '❌ Nudeln — 10m — abgebrochen'),
      );
      await until('the row deleted', async () => ((await timer('Nudeln')) ? undefined : true));
    },
  );

  it(
    'in a thread: the countdown is in the thread, and pausing there edits it (m.replace), so it stays in the thread',
    { timeout: 60_000 },
    async () => {
      const root = await chat.ask('zeit Tokio');
      const start = await chat.sendEvent('m.room.message', threadMessage(root.event_id, 'timer 10m Faden'));
      const countdown = await until('the countdown', async () => (await chat.repliesTo(start))[0]);
      expect(countdown.content['m.relates_to']).toMatchObject({
        rel_type: 'm.thread',
        event_id: root.event_id,
      });
      const pause = await chat.sendEvent('m.room.message', threadMessage(root.event_id, 'pause'));
      const reply = await until('the pause reply', async () => (await chat.repliesTo(pause))[0]);
      expect(reply.content['m.relates_to']).toMatchObject({ rel_type: 'm.thread', event_id: root.event_id });
      const edit = await until('the countdown edited to paused', async () =>
        (await editsOf(countdown.event_id)).find((e) => newBody(e).includes('(pausiert)')),
      );
      expect(edit.content['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: countdown.event_id });
      // No `* …` fallback landed as a message of its own, in the thread or beside it.
      const strays = (await chat.timeline()).filter(
        (e) =>
          e.sender === CLOCK &&
          bodyOf(e).startsWith('* ') &&
          (e.content['m.relates_to'] as { rel_type?: string } | undefined)?.rel_type !== 'm.replace',
      );
      expect(strays).toEqual([]);
      // Synapse still files the (edited) countdown under the thread.
      const thread = await threadOf(root.event_id);
      expect(thread).toContain(countdown.event_id);
      expect(thread).not.toContain(edit.event_id);
    },
  );

  it(
    'in a thread: the end of a timer started there is a mention in that thread, sent once',
    { timeout: 60_000 },
    async () => {
      const root = await chat.ask('zeit Tokio');
      const start = await chat.sendEvent(
        'm.room.message',
        threadMessage(root.event_id, 'timer 3s Fadenende'),
      );
      const countdown = await until('the countdown', async () => (await chat.repliesTo(start))[0]);
      expect(countdown.content['m.relates_to']).toMatchObject({
        rel_type: 'm.thread',
        event_id: root.event_id,
      });
      const [ring] = await untilRings('„Fadenende“', 1, 20_000);
      // A new m.text with her mention (so the phone rings), in the thread the timer came from.
      expect(ring?.content['m.relates_to']).toMatchObject({ rel_type: 'm.thread', event_id: root.event_id });
      expect(await threadOf(root.event_id)).toContain(ring!.event_id);
      const done = await until('the countdown edited to done', async () =>
        (await editsOf(countdown.event_id)).find((e) => newBody(e).includes('fertig')),
      );
      expect(done.content['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: countdown.event_id });
      await sleep(1500);
      expect(await rings('„Fadenende“')).toHaveLength(1);
    },
  );

  it(
    'alarms: werktags, Mo,Mi,Fr, alarme lists them, alarm aus / off N turns one off: the rows in sync',
    { timeout: 60_000 },
    async () => {
      // Hours away, so none rings during the run.
      const hhmm = wallMinute(new Date(Date.now() + 6 * 3600_000));
      expect(bodyOf(await chat.ask(`alarm ${hhmm} werktags Aufstehen`))).toContain(
        `⏰ Wecker gestellt: ${hhmm} werktags — Aufstehen`,
      );
      const [h, m] = hhmm.split(':').map(Number);
      const short = `${h}:${String(m).padStart(2, '0')}`;
      await chat.ask(`alarm ${short} Mo,Mi,Fr Sport`);
      const byLabel = async (label: string) => (await alarms()).find((a) => a.label === label);
      expect(await byLabel('Aufstehen')).toMatchObject({
        time: hhmm,
        days: [1, 2, 3, 4, 5],
        enabled: true,
        timezone: TZ,
      });
      expect(await byLabel('Sport')).toMatchObject({ time: hhmm, days: [1, 3, 5], enabled: true });
      const list = bodyOf(await chat.ask('alarme'));
      const n = (label: string) =>
        /^(\d+)\./.exec(list.split('\n').find((l) => l.includes(label)) ?? '')?.[1];
      expect(n('Aufstehen')).toBeDefined();
      expect(bodyOf(await chat.ask(`alarm aus ${n('Aufstehen')}`))).toBe(
        `🔕 Wecker ${hhmm} werktags — Aufstehen ist aus.`,
      );
      await chat.ask(`alarm off ${n('Sport')}`);
      expect(await byLabel('Aufstehen')).toMatchObject({ enabled: false });
      expect(await byLabel('Sport')).toMatchObject({ enabled: false });
    },
  );

  it(
    'the alarm rang once at its minute, in her zone; the row has lastFiredAt and is off',
    { timeout: 150_000 },
    async () => {
      const [ring] = await rung('Probe', 1, Math.max(10_000, alarmAt.getTime() - Date.now() + 20_000));
      expect(bodyOf(ring!)).toContain(`⏰ Wecker ${wallMinute(alarmAt)} — Probe!`);
      expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(alarmAt.getTime());
      const [row] = (await alarms()).filter((a) => a.label === 'Probe');
      expect(row).toMatchObject({ lastFiredAt: alarmAt.toISOString(), enabled: false });
      await sleep(2000);
      expect(await rings('— Probe!')).toHaveLength(1);

      // 💤 on it: it rings again (snoozedUntil in the row); the snooze is checked, not waited for.
      await react(ring!.event_id, '💤');
      const snoozed = await until('the snooze in the row', async () => {
        const [a] = (await alarms()).filter((x) => x.label === 'Probe');
        return a?.snoozedUntil ? a : undefined;
      });
      expect(Date.parse(String(snoozed.snoozedUntil)) - Date.now()).toBeGreaterThan(9 * 60_000);
    },
  );

  // The ring of the next test, snoozed in the one after it.
  let lateRing: RawEvent | undefined;
  it(
    'an alarm due while the runner is dead (kill -9 before its minute, restarted after) rings once, late: not skipped, not doubled',
    { timeout: 120_000 },
    async () => {
      const at = minuteAfter(8_000);
      const hhmm = wallMinute(at);
      expect(bodyOf(await chat.ask(`wecker ${hhmm} Tot`))).toContain(
        `⏰ Wecker gestellt: ${hhmm} einmalig — Tot`,
      );
      await sleep(at.getTime() - 3000 - Date.now());
      await stack.runner.kill();
      await sleep(at.getTime() + 3000 - Date.now());
      expect(await rings('— Tot!')).toEqual([]);
      const restartedAt = Date.now();
      // Restarted with the delay scale the snooze test needs (a due job runs at once either way).
      await stack.startRunner({ BOT_TEST_DELAY_SCALE: String(SCALE) });
      const [ring] = await rung('Tot', 1, 30_000);
      expect(ring?.origin_server_ts).toBeGreaterThanOrEqual(restartedAt);
      expect(bodyOf(ring!)).toContain(`⏰ Wecker ${hhmm} — Tot!`);
      expect(await alarm('Tot')).toMatchObject({ lastFiredAt: at.toISOString(), enabled: false });
      await sleep(2000);
      expect(await rings('— Tot!')).toHaveLength(1);
      lateRing = ring;
    },
  );

  it(
    `snoozing rings again: 💤 after 10 min, snooze 2 after 2 min (the runner's jobs at 1/${SCALE} of their delay), once each`,
    { timeout: 90_000 },
    async () => {
      try {
        if (!lateRing) throw new Error('the alarm of the test before did not ring');
        const reactedAt = Date.now();
        await react(lateRing.event_id, '💤');
        const snoozed = await until('the snooze in the row', async () => {
          const a = await alarm('Tot');
          return a?.snoozedUntil ? a : undefined;
        });
        const until10 = Date.parse(String(snoozed.snoozedUntil));
        expect(until10 - reactedAt).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
        expect(until10 - reactedAt).toBeLessThanOrEqual(10 * 60_000 + 5000);
        const second = (await rung('Tot', 2, 40_000))[1];
        // Ten minutes at 1/60: about 10 s after the 💤, not at once.
        expect(second!.origin_server_ts - reactedAt).toBeGreaterThanOrEqual((10 * 60_000) / SCALE - 1000);
        expect(second?.event_id).not.toBe(lateRing.event_id);
        await until('the ring recorded', async () => {
          const a = await alarm('Tot');
          return a?.snoozedUntil === null && a.lastFiredAt === new Date(until10).toISOString()
            ? a
            : undefined;
        });

        // By text: `snooze 2` snoozes the alarm that rang last.
        const typedAt = Date.now();
        expect(bodyOf(await chat.ask('snooze 2'))).toMatch(/^💤 Schlummern bis \d\d:\d\d\.$/);
        const third = (await rung('Tot', 3, 30_000))[2];
        expect(third!.origin_server_ts - typedAt).toBeGreaterThanOrEqual((2 * 60_000) / SCALE - 500);
        await sleep(2500);
        expect(await rings('— Tot!')).toHaveLength(3);
      } finally {
        await stack.runner.stop();
        await stack.startRunner();
      }
    },
  );

  it('zeit Tokio and an unknown city with suggestions', { timeout: 60_000 }, async () => {
    expect(bodyOf(await chat.ask('zeit Tokio'))).toMatch(
      /^🕐 Tokyo \(Japan\): .*\d\d:\d\d — [78] h vor dir$/,
    );
    expect(bodyOf(await chat.ask('zeit Berlim'))).toContain('Meintest du');
  });

  it(
    'time new york (English words), weltuhr add Tokio, weltuhren: the world clock is a row in sync',
    { timeout: 60_000 },
    async () => {
      expect(bodyOf(await chat.ask('time new york'))).toMatch(/New York.*\d\d:\d\d/);
      await chat.ask('weltuhr add Tokio');
      await sync.sync('clock');
      expect(await sync.query('clock', 'worldClocks')).toEqual([
        expect.objectContaining({ timezone: 'Asia/Tokyo', label: 'Tokyo' }),
      ]);
      const all = bodyOf(await chat.ask('weltuhren'));
      expect(all).toContain(`(${TZ})`);
      expect(all).toMatch(/Tokyo: .*\d\d:\d\d — [78] h vor dir/);
    },
  );
});
