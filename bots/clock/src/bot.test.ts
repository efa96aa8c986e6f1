import type { JobContext, Json } from '@mana/bot-runtime';
import { createLogger } from '@mana/logging';
import { createTestHarness, typedStore, type SentEvent } from '@mana/bot-runtime/testing';
import { describe, expect, it } from 'vitest';
import { clockBot } from './bot.ts';

const alice = '@alice:mana.test';
const CLOCK = '@clock:mana.test';
const dm = '!dm:mana.test';

/** A harness with a clock the test moves (the bot reads time only through `ctx.now`). */
async function setup(start = '2026-11-19T09:00:00Z') {
  const clock = { now: new Date(start) };
  const h = createTestHarness({ bots: [clockBot], linked: [alice], now: () => clock.now });
  h.members.set(dm, [alice, CLOCK]);
  // Her language is settled first, so no reply below carries the "I answer in German" note.
  await h.ask(alice, dm, 'sprache de');
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  const jobs = (name: string) => [...h.scheduler.jobs.values()].filter((j) => j.name === name);
  /** Runs a pending job as the worker would (the harness' claim lets each id run once). */
  const run = async (jobId: string) => {
    const job = h.scheduler.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob(job);
    return h.matrix.sent.slice(before);
  };
  const timers = () => h.stores.rows(alice, 'clock', 'timers');
  const alarms = () => h.stores.rows(alice, 'clock', 'alarms');
  const reaction = (target: string, key: string) =>
    h.dispatcher.handle({
      event_id: `$r${Math.random().toString(36).slice(2)}`,
      room_id: dm,
      type: 'm.reaction',
      sender: alice,
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key } },
    });
  return { h, clock, advance, jobs, run, timers, alarms, reaction };
}

const body = (e: SentEvent | undefined) => {
  const b = e?.content.body;
  return typeof b === 'string' ? b : '';
};
const newContent = (e: SentEvent | undefined) =>
  e?.content['m.new_content'] as Record<string, unknown> | undefined;
const isEdit = (e: SentEvent, of: string) =>
  (e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined)?.event_id === of;

/** The job context the runtime gives `onDataChange`, on the harness' ports. */
function jobContext(s: Awaited<ReturnType<typeof setup>>): JobContext {
  const { h, clock } = s;
  return {
    bot: { id: 'clock', userId: CLOCK, displayName: 'Clock', description: { de: '', en: '' } },
    jobId: 'watch:test',
    log: createLogger({ service: 'test', level: 'silent' }),
    now: clock.now,
    post: async () => undefined,
    store: async (u, a) => typedStore(await h.stores.forUser(u, a)),
    lang: async () => 'de',
    postContent: (roomId, content, o) => h.matrix.send(CLOCK, roomId, 'm.room.message', content, o?.txnKey),
    upload: () => Promise.reject(new Error('the clock bot uploads nothing from a job')),
    schedule: (name, data, o) =>
      h.scheduler.schedule({ botId: 'clock', name, data, jobId: o.jobId, at: o.at }),
    cancel: (id) => h.scheduler.cancel(id),
    moveJob: (id, at) => h.scheduler.move(id, at),
    state: (u) => ({
      get: <T extends Json>(k: string) => h.kv.get<T>('clock', `user:${u}`, k),
      set: (k: string, v: Json) => h.kv.set('clock', `user:${u}`, k, v),
    }),
    balance: () => Promise.reject(new Error('the clock bot reads no balances')),
    once: async (_id, fn) => (await fn(), true),
  };
}

describe('clock bot: timers', () => {
  it('timer 25m Pizza: a countdown message, the row in sync, an end job and a tick job', async () => {
    const { h, clock, jobs, timers } = await setup();
    const sent = await h.say(alice, dm, 'timer 25m Pizza');
    expect(sent).toHaveLength(1);
    expect(body(sent[0])).toBe('⏳ Pizza — 25:00 ░░░░░░░░░░░░░░░░░░░░ 0 %');
    expect(timers()).toEqual([
      expect.objectContaining({
        label: 'Pizza',
        durationMs: 25 * 60_000,
        state: 'running',
        startedAt: clock.now.toISOString(),
        endsAt: new Date(clock.now.getTime() + 25 * 60_000).toISOString(),
      }),
    ]);
    const [end] = jobs('timer-end');
    expect(end?.at.getTime()).toBe(clock.now.getTime() + 25 * 60_000);
    const [tick] = jobs('timer-tick');
    expect(tick?.at.getTime()).toBe(clock.now.getTime() + 10_000);
  });

  it('durations: Timer 1h30m, timer 90 (minutes), timer 3s', async () => {
    const { h, timers } = await setup();
    await h.say(alice, dm, 'Timer 1h30m');
    await h.say(alice, dm, 'timer 90');
    await h.say(alice, dm, 'timer 3s Tee');
    expect(
      timers()
        .map((t) => t.durationMs)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual([3000, 90 * 60_000, 90 * 60_000]);
  });

  it('malformed input gets a short usage line and writes nothing', async () => {
    const { h, timers, alarms, jobs } = await setup();
    const [abc] = await h.ask(alice, dm, 'timer abc');
    expect(abc).toContain('„abc“ ist keine Dauer.');
    expect(abc).toContain('So geht’s: timer [Dauer [Name]]');
    const [range] = await h.ask(alice, dm, 'timer 8d');
    expect(range).toContain('zwischen 1 Sekunde und 7 Tagen');
    const [alarm] = await h.ask(alice, dm, 'alarm 25:99');
    expect(alarm).toContain('So geht’s: wecker');
    expect(alarm?.split('\n')).toHaveLength(1);
    const [bare] = await h.ask(alice, dm, 'timer');
    expect(bare).toContain('So geht’s: timer');
    expect(timers()).toEqual([]);
    expect(alarms()).toEqual([]);
    expect([...h.scheduler.jobs.values()]).toEqual(jobs('none'));
  });

  it('ticks edit the countdown every 10 s and chain the next; the end is a new mention, then the countdown says done — once', async () => {
    const { h, advance, jobs, run, timers } = await setup();
    const [countdown] = await h.say(alice, dm, 'timer 25s Tee');
    const countdownId = countdown!.eventId;

    advance(10_000);
    const [tick1] = jobs('timer-tick');
    const edit1 = await run(tick1!.jobId);
    expect(edit1).toHaveLength(1);
    expect(isEdit(edit1[0]!, countdownId)).toBe(true);
    expect(newContent(edit1[0])?.body).toBe('⏳ Tee — 00:15 ▓▓▓▓▓▓▓▓░░░░░░░░░░░░ 40 %');
    // The next tick 10 s on; none in the last second before the end.
    const tick2 = jobs('timer-tick').find((j) => j.jobId !== tick1!.jobId);
    expect(tick2?.at.getTime()).toBe(tick1!.at.getTime() + 10_000);

    advance(15_000);
    const [end] = jobs('timer-end');
    const ended = await run(end!.jobId);
    const [mention, done] = ended;
    expect(ended).toHaveLength(2);
    expect(mention?.content.msgtype).toBe('m.text');
    expect(mention?.content['m.mentions']).toEqual({ user_ids: [alice] });
    expect(String(mention?.content.formatted_body)).toContain(
      `<a href="https://matrix.to/#/${encodeURIComponent(alice)}">`,
    );
    expect(body(mention)).toBe(`${alice}: ⏰ Dein Timer „Tee“ (25s) ist abgelaufen!`);
    expect(isEdit(done!, countdownId)).toBe(true);
    expect(newContent(done)?.body).toBe('✅ Tee — 00:00 ▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100 % — fertig');
    expect(timers()[0]).toMatchObject({ state: 'done', remainingMs: 0 });
    expect(typeof timers()[0]?.doneAt).toBe('string');

    // The same job again (another runner, a redelivery): claimed already → nothing.
    expect(await run(end!.jobId)).toEqual([]);
    // Even if its claim were lost (a crash after the post), the row's doneAt keeps it silent.
    h.fired.delete(end!.jobId);
    expect(await run(end!.jobId)).toEqual([]);
    // A tick after the end does nothing.
    expect(await run(tick2!.jobId)).toEqual([]);
  });

  it('an end that failed after the row was marked done (the edit refused) still edits the countdown to done on its retry, with one mention', async () => {
    const { h, advance, jobs, run, timers } = await setup();
    const [countdown] = await h.say(alice, dm, 'timer 3s Tee');
    advance(3000);
    const [end] = jobs('timer-end');
    const send = h.matrix.send.bind(h.matrix);
    let refused = 0;
    h.matrix.send = async (...args) => {
      if (args[3]['m.new_content'] !== undefined && refused++ === 0) throw new Error('Synapse: 502');
      return send(...args);
    };
    await expect(run(end!.jobId)).rejects.toThrow('502');
    // The mention went out and the row is done, but the countdown does not say so yet.
    expect(timers()[0]).toMatchObject({ state: 'done' });
    // BullMQ's retry of the same job (unclaimed by the failure).
    const retried = await run(end!.jobId);
    expect(retried).toHaveLength(1);
    expect(isEdit(retried[0]!, countdown!.eventId)).toBe(true);
    expect(newContent(retried[0])?.body).toBe('✅ Tee — 00:00 ▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100 % — fertig');
    const mentions = h.matrix.sent.filter((e) => e.content.msgtype === 'm.text');
    expect(mentions).toHaveLength(1);
    // Once done and shown, a further re-run sends nothing.
    h.fired.delete(end!.jobId);
    expect(await run(end!.jobId)).toEqual([]);
  });

  it('pause / weiter: the end job is cancelled and a new one set for the time left; the stale one is a no-op', async () => {
    const { h, clock, advance, jobs, run, timers } = await setup();
    const [countdown] = await h.say(alice, dm, 'timer 10m');
    const [oldEnd] = jobs('timer-end');
    advance(4 * 60_000);
    const pauseSent = await h.say(alice, dm, 'pause');
    expect(body(pauseSent.at(-1))).toBe('⏸ Timer 10m pausiert — noch 06:00. „weiter“ setzt fort.');
    expect(newContent(pauseSent.find((e) => isEdit(e, countdown!.eventId)))?.body).toContain('(pausiert)');
    expect(timers()[0]).toMatchObject({ state: 'paused', remainingMs: 6 * 60_000, endsAt: null });
    expect(jobs('timer-end')).toEqual([]);

    advance(60 * 60_000);
    const resumed = (await h.ask(alice, dm, 'weiter')).at(-1);
    expect(resumed).toBe('▶ Timer 10m läuft weiter — noch 06:00.');
    const [end] = jobs('timer-end');
    expect(end?.at.getTime()).toBe(clock.now.getTime() + 6 * 60_000);
    expect(timers()[0]).toMatchObject({ state: 'running', endsAt: end?.at.toISOString() });

    // The first run's end job, had it been delivered anyway, finds another endsAt.
    h.scheduler.jobs.set(oldEnd!.jobId, oldEnd!);
    expect(await run(oldEnd!.jobId)).toEqual([]);
  });

  it('reset starts over, stop cancels and deletes the row; timers lists what runs', async () => {
    const { h, advance, jobs, timers } = await setup();
    await h.say(alice, dm, 'timer 10m Nudeln');
    await h.say(alice, dm, 'timer 20m Brot');
    advance(60_000);
    const [list] = await h.ask(alice, dm, 'timers');
    expect(list).toBe(
      'Timer\n1. ⏳ Nudeln — 09:00 ▓▓░░░░░░░░░░░░░░░░░░ 10 %\n2. ⏳ Brot — 19:00 ▓░░░░░░░░░░░░░░░░░░░ 5 %',
    );
    const reset = (await h.ask(alice, dm, 'reset 1')).at(-1);
    expect(reset).toBe('🔄 Timer „Nudeln“ beginnt von vorn: 10:00.');
    const stop = (await h.ask(alice, dm, 'stopp 2')).at(-1);
    expect(stop).toBe('❌ Timer „Brot“ abgebrochen.');
    expect(timers().map((t) => t.label)).toEqual(['Nudeln']);
    expect(jobs('timer-end').map((j) => j.data)).toEqual([
      expect.objectContaining({ timerId: timers()[0]?.id }),
    ]);
    const [none] = await h.ask(alice, dm, 'weiter');
    expect(none).toBe('Kein Timer ist pausiert.');
  });

  it('reactions on the countdown: ⏸ pauses, ▶ resumes, ❌ cancels', async () => {
    const { h, advance, jobs, reaction, timers } = await setup();
    const [countdown] = await h.say(alice, dm, 'timer 5m');
    advance(60_000);
    expect(await reaction(countdown!.eventId, '⏸')).toBe('handled');
    expect(timers()[0]).toMatchObject({ state: 'paused', remainingMs: 4 * 60_000 });
    expect(jobs('timer-end')).toEqual([]);
    expect(await reaction(countdown!.eventId, '▶️')).toBe('handled');
    expect(timers()[0]).toMatchObject({ state: 'running' });
    expect(jobs('timer-end')).toHaveLength(1);
    const before = h.matrix.sent.length;
    expect(await reaction(countdown!.eventId, '❌')).toBe('handled');
    expect(timers()).toEqual([]);
    expect(jobs('timer-end')).toEqual([]);
    const edit = h.matrix.sent.slice(before).find((e) => isEdit(e, countdown!.eventId));
    expect(newContent(edit)?.body).toBe('❌ 5m — abgebrochen');
    // A reaction on some other message is not about a timer.
    await reaction('$unrelated', '⏸');
    expect(timers()).toEqual([]);
  });
});

describe('clock bot: alarms', () => {
  it('wecker 7:30 rings once at 7:30 Berlin on the night the clocks change, then is off', async () => {
    // Saturday 2026-03-28 12:00Z; the next 07:30 in Berlin is Sunday, already CEST (05:30Z).
    const { h, jobs, run, alarms, clock } = await setup('2026-03-28T12:00:00Z');
    const [set] = await h.ask(alice, dm, 'wecker 7:30');
    expect(set).toContain('⏰ Wecker gestellt: 07:30 einmalig');
    expect(alarms()).toEqual([
      expect.objectContaining({ time: '07:30', days: [], enabled: true, timezone: 'Europe/Berlin' }),
    ]);
    const [ring] = jobs('alarm-ring');
    expect(ring?.at.toISOString()).toBe('2026-03-29T05:30:00.000Z');
    clock.now = ring!.at;
    const sent = await run(ring!.jobId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.content['m.mentions']).toEqual({ user_ids: [alice] });
    expect(body(sent[0])).toContain('⏰ Wecker 07:30!');
    expect(alarms()[0]).toMatchObject({ lastFiredAt: '2026-03-29T05:30:00.000Z', enabled: false });
    expect(jobs('alarm-ring')).toHaveLength(1);
    expect(await run(ring!.jobId)).toEqual([]);
  });

  it('alarm 07:30 werktags: each ring schedules the next weekday; alarm aus N silences the pending one', async () => {
    // Friday 2026-11-20 08:00 Berlin.
    const { h, jobs, run, alarms, clock } = await setup('2026-11-20T07:00:00Z');
    await h.ask(alice, dm, 'alarm 07:30 werktags Aufstehen');
    const [monday] = jobs('alarm-ring');
    expect(monday?.at.toISOString()).toBe('2026-11-23T06:30:00.000Z');
    clock.now = monday!.at;
    const [rang] = await run(monday!.jobId);
    expect(body(rang)).toContain('⏰ Wecker 07:30 — Aufstehen!');
    const tuesday = jobs('alarm-ring').find((j) => j.jobId !== monday!.jobId);
    expect(tuesday?.at.toISOString()).toBe('2026-11-24T06:30:00.000Z');
    expect(alarms()[0]).toMatchObject({ enabled: true, lastFiredAt: monday!.at.toISOString() });

    const [list] = await h.ask(alice, dm, 'alarme');
    expect(list).toBe('Wecker\n1. 07:30 werktags — Aufstehen');
    const [off] = await h.ask(alice, dm, 'alarm aus 1');
    expect(off).toBe('🔕 Wecker 07:30 werktags — Aufstehen ist aus.');
    clock.now = tuesday!.at;
    expect(await run(tuesday!.jobId)).toEqual([]);
    const [en] = await h.ask(alice, dm, 'alarm on 1');
    expect(en).toContain('ist an');
  });

  it('a werktags alarm rung on the Friday before the clocks go back rings next at 7:30 CET (DST-correct)', async () => {
    // Friday 2026-10-23 07:30 CEST is 05:30Z; Europe/Berlin leaves summer time on Sunday the 25th,
    // so Monday 07:30 is CET: 06:30Z, 73 hours later, not 72.
    const { h, jobs, run, clock } = await setup('2026-10-23T04:00:00Z');
    await h.ask(alice, dm, 'alarm 07:30 werktags');
    const [friday] = jobs('alarm-ring');
    expect(friday?.at.toISOString()).toBe('2026-10-23T05:30:00.000Z');
    clock.now = friday!.at;
    expect(await run(friday!.jobId)).toHaveLength(1);
    const monday = jobs('alarm-ring').find((j) => j.jobId !== friday!.jobId);
    expect(monday?.at.toISOString()).toBe('2026-10-26T06:30:00.000Z');
    // And back into summer time: Friday 2027-03-26 07:30 CET → Monday the 29th 07:30 CEST.
    const spring = await setup('2027-03-26T05:00:00Z');
    await spring.h.ask(alice, dm, 'alarm 07:30 werktags');
    const [fri] = spring.jobs('alarm-ring');
    expect(fri?.at.toISOString()).toBe('2027-03-26T06:30:00.000Z');
    spring.clock.now = fri!.at;
    await spring.run(fri!.jobId);
    expect(
      spring
        .jobs('alarm-ring')
        .find((j) => j.jobId !== fri!.jobId)
        ?.at.toISOString(),
    ).toBe('2027-03-29T05:30:00.000Z');
  });

  it('alarm 6:45 Mo,Mi,Fr picks the next of those days', async () => {
    const { h, jobs } = await setup('2026-11-24T12:00:00Z'); // a Tuesday
    await h.ask(alice, dm, 'alarm 6:45 Mo,Mi,Fr');
    expect(jobs('alarm-ring')[0]?.at.toISOString()).toBe('2026-11-25T05:45:00.000Z');
  });

  it('snooze 10 and 💤 on the alarm message ring it again later', async () => {
    const { h, jobs, run, alarms, clock, reaction } = await setup('2026-11-20T07:00:00Z');
    await h.ask(alice, dm, 'wecker 7:30');
    const [ring] = jobs('alarm-ring');
    clock.now = ring!.at;
    const [rang] = await run(ring!.jobId);
    const [snoozed] = await h.ask(alice, dm, 'snooze 10');
    expect(snoozed).toBe('💤 Schlummern bis 07:40.');
    const snoozeJob = jobs('alarm-ring').find((j) => j.jobId.includes(':snooze:'));
    expect(snoozeJob?.at.getTime()).toBe(ring!.at.getTime() + 10 * 60_000);
    expect(alarms()[0]).toMatchObject({ snoozedUntil: snoozeJob!.at.toISOString() });
    clock.now = snoozeJob!.at;
    const [again] = await run(snoozeJob!.jobId);
    expect(body(again)).toContain('⏰ Wecker 07:30!');
    expect(alarms()[0]).toMatchObject({ snoozedUntil: null });

    expect(await reaction(rang!.eventId, '💤')).toBe('handled');
    expect(jobs('alarm-ring').filter((j) => j.jobId.includes(':snooze:'))).toHaveLength(2);
  });
});

describe('clock bot: world clock', () => {
  it('zeit Tokio, time new york, unknown cities get suggestions, weltuhr add + weltuhren', async () => {
    const { h } = await setup('2026-11-19T09:00:00Z');
    const [tokio] = await h.ask(alice, dm, 'zeit Tokio');
    expect(tokio).toBe('🕐 Tokyo (Japan): Do., 18:00 — 8 h vor dir');
    const [ny] = await h.ask(alice, dm, 'time new york');
    expect(ny).toContain('New York');
    expect(ny).toContain('04:00');
    const [unknown] = await h.ask(alice, dm, 'zeit Berlim');
    expect(unknown).toContain('Meintest du');
    expect(unknown).toContain('Berlin');
    await h.ask(alice, dm, 'weltuhr add Tokio');
    expect(h.stores.rows(alice, 'clock', 'worldClocks')).toEqual([
      expect.objectContaining({ timezone: 'Asia/Tokyo', label: 'Tokyo' }),
    ]);
    const [all] = await h.ask(alice, dm, 'weltuhren');
    expect(all).toContain('Bei dir: Do., 10:00 (Europe/Berlin)');
    expect(all).toContain('Tokyo: Do., 18:00 — 8 h vor dir');
  });
});

describe('clock bot: job kinds', () => {
  it('countdown ticks are idempotent and low priority (no claim); ends and alarms keep their exactly-once claim', async () => {
    const { h, advance, jobs, run } = await setup();
    const [countdown] = await h.say(alice, dm, 'timer 25s Tee');
    await h.say(alice, dm, 'wecker 7:30');
    const [tick] = jobs('timer-tick');
    const [end] = jobs('timer-end');
    const [ring] = jobs('alarm-ring');
    expect(tick?.options).toEqual({ idempotent: true, priority: 10 });
    expect(end?.options).toBeUndefined();
    expect(ring).toBeDefined();
    expect(ring?.options).toBeUndefined();

    advance(10_000);
    // A redelivered tick edits again (harmless), and nothing is claimed for it.
    const first = await run(tick!.jobId);
    const again = await run(tick!.jobId);
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(1);
    expect(isEdit(again[0]!, countdown!.eventId)).toBe(true);
    expect(h.fired.has(tick!.jobId)).toBe(false);

    advance(15_000);
    expect(await run(end!.jobId)).toHaveLength(2);
    expect(h.fired.has(end!.jobId)).toBe(true);
    expect(await run(end!.jobId)).toEqual([]);
  });

  it('a run scheduled again mid-way (the watch sees a change) adds the next tick of the chain, not tick 1', async () => {
    const s = await setup();
    const { h, advance, jobs, timers } = s;
    await h.say(alice, dm, 'timer 5m');
    advance(35_000);
    const row = timers()[0]!;
    await clockBot.onDataChange!(jobContext(s), {
      userId: alice,
      appId: 'clock',
      roomId: dm,
      changes: [{ table: 'timers', id: String(row.id), row }],
    });
    const ticks = jobs('timer-tick').map((j) => Number(j.jobId.slice(j.jobId.lastIndexOf(':') + 1)));
    // Tick 1 from the start; then tick 4 (due at 40 s), the next one of the chain — never tick 1 again
    // (tick 1 is done and, being idempotent, gone from Redis: adding it again would start a second chain).
    expect(ticks.sort((a, b) => a - b)).toEqual([1, 4]);
  });
});

describe('clock bot: a stalled countdown tick redelivered', () => {
  it('after a kill -9, the old tick joins the live chain (same next job id) instead of starting a second one', async () => {
    const { h, advance, jobs, run } = await setup();
    await h.say(alice, dm, 'timer 5m Tee');
    const pending = () =>
      jobs('timer-tick')
        .map((j) => Number(j.jobId.slice(j.jobId.lastIndexOf(':') + 1)))
        .sort((a, b) => a - b);
    /** Runs tick `k` as BullMQ would an idempotent kind: once done, it is gone from Redis. */
    const tick = async (job: NonNullable<ReturnType<typeof jobs>[number]>) => {
      const sent = await run(job.jobId);
      h.scheduler.jobs.delete(job.jobId);
      return sent;
    };
    // Tick 1 is taken by the runner that is then killed -9: its lock runs out, BullMQ will hand it
    // out again. Meanwhile the restarted runner goes on with the chain: ticks 2, 3 and 4 run.
    advance(10_000);
    const [stalled] = jobs('timer-tick');
    expect(pending()).toEqual([1]);
    await run(stalled!.jobId); // ran up to its edit, then the process died before BullMQ heard "done"
    h.scheduler.jobs.delete(stalled!.jobId);
    for (const k of [2, 3, 4]) {
      advance(10_000);
      const [next] = jobs('timer-tick');
      expect(pending()).toEqual([k]);
      expect(await tick(next!)).toHaveLength(1);
    }
    expect(pending()).toEqual([5]);
    // Now the stalled tick 1 is redelivered (30 s late): it edits (harmless) and chains tick 5 — the
    // one already queued — not tick 2, which would start a second chain.
    advance(2_000);
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob(stalled!);
    expect(h.matrix.sent.slice(before)).toHaveLength(1);
    expect(pending()).toEqual([5]);
    // And the one chain carries on, one edit per tick.
    advance(8_000);
    const [five] = jobs('timer-tick');
    expect(await tick(five!)).toHaveLength(1);
    expect(pending()).toEqual([6]);
  });
});

describe('clock bot: in a thread', () => {
  it('the countdown is in the thread, and pausing there edits it (m.replace) instead of posting a new message', async () => {
    const { h, timers } = await setup();
    const thread = { 'm.relates_to': { rel_type: 'm.thread', event_id: '$root' } };
    const [countdown] = await h.say(alice, dm, 'timer 5m Tee', thread);
    expect(countdown?.content['m.relates_to']).toMatchObject({ rel_type: 'm.thread', event_id: '$root' });
    const sent = await h.say(alice, dm, 'pause', thread);
    const edit = sent.find((e) => e.content['m.new_content'] !== undefined);
    expect(edit?.content['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: countdown!.eventId });
    expect(newContent(edit)?.body).toContain('05:00');
    // The reply to `pause` is a thread message; nothing else was sent.
    expect(sent).toHaveLength(2);
    expect(sent.find((e) => e !== edit)?.content['m.relates_to']).toMatchObject({ rel_type: 'm.thread' });
    expect(timers()[0]).toMatchObject({ state: 'paused' });
  });

  it('the end mention goes into the thread too (still a new m.text mentioning her)', async () => {
    const { h, advance, jobs, run } = await setup();
    const thread = { 'm.relates_to': { rel_type: 'm.thread', event_id: '$root' } };
    await h.say(alice, dm, 'timer 30s Faden', thread);
    advance(30_000);
    const [end] = jobs('timer-end');
    const [mention, done] = await run(end!.jobId);
    expect(mention?.content).toMatchObject({
      msgtype: 'm.text',
      'm.mentions': { user_ids: [alice] },
      'm.relates_to': { rel_type: 'm.thread', event_id: '$root', is_falling_back: true },
    });
    expect(body(mention)).toContain('„Faden“ (30s) ist abgelaufen!');
    // The countdown's edit keeps its one relation (m.replace); it stays in the thread by itself.
    expect((done?.content['m.relates_to'] as { rel_type?: string }).rel_type).toBe('m.replace');
  });

  it('a timer started outside a thread ends outside one', async () => {
    const { h, advance, jobs, run } = await setup();
    await h.say(alice, dm, 'timer 30s Tee');
    advance(30_000);
    const [mention] = await run(jobs('timer-end')[0]!.jobId);
    expect(mention?.content['m.relates_to']).toBeUndefined();
  });
});

describe('clock bot: rows changed in the web app (onDataChange)', () => {
  it('a timer started in the web app gets a countdown and an end job; paused there, its end job is cancelled', async () => {
    const s = await setup();
    const { h, clock, jobs, run } = s;
    const store = await h.stores.forUser(alice, 'clock');
    const endsAt = new Date(clock.now.getTime() + 60_000).toISOString();
    const row = {
      label: 'Web',
      durationMs: 60_000,
      state: 'running',
      startedAt: clock.now.toISOString(),
      remainingMs: 60_000,
      endsAt,
    };
    await store.upsert('timers', 't1', row);
    const change = { userId: alice, appId: 'clock', roomId: dm };
    const before = h.matrix.sent.length;
    await clockBot.onDataChange!(jobContext(s), {
      ...change,
      changes: [{ table: 'timers', id: 't1', row: { id: 't1', ...row } }],
    });
    // Twice (a second runner, a second pull): still one countdown and one end job.
    await clockBot.onDataChange!(jobContext(s), {
      ...change,
      changes: [{ table: 'timers', id: 't1', row: { id: 't1', ...row } }],
    });
    const posted = h.matrix.sent.slice(before);
    expect(posted).toHaveLength(1);
    expect(body(posted[0])).toBe('⏳ Web — 01:00 ░░░░░░░░░░░░░░░░░░░░ 0 %');
    expect(jobs('timer-end').map((j) => j.at.toISOString())).toEqual([endsAt]);

    s.advance(20_000);
    const paused = { ...row, state: 'paused', remainingMs: 40_000, endsAt: null };
    await store.upsert('timers', 't1', paused);
    await clockBot.onDataChange!(jobContext(s), {
      ...change,
      changes: [{ table: 'timers', id: 't1', row: { id: 't1', ...paused } }],
    });
    expect(jobs('timer-end')).toEqual([]);
    const edit = h.matrix.sent.at(-1);
    expect(isEdit(edit!, posted[0]!.eventId)).toBe(true);
    expect(newContent(edit)?.body).toContain('00:40');

    // Resumed there: a new end job for the time left; it fires once with a mention.
    const resumedEnds = new Date(clock.now.getTime() + 40_000).toISOString();
    const resumed = { ...row, startedAt: clock.now.toISOString(), remainingMs: 40_000, endsAt: resumedEnds };
    await store.upsert('timers', 't1', resumed);
    await clockBot.onDataChange!(jobContext(s), {
      ...change,
      changes: [{ table: 'timers', id: 't1', row: { id: 't1', ...resumed } }],
    });
    const [end] = jobs('timer-end');
    expect(end?.at.toISOString()).toBe(resumedEnds);
    clock.now = new Date(resumedEnds);
    const [mention] = await run(end!.jobId);
    expect(mention?.content['m.mentions']).toEqual({ user_ids: [alice] });
  });

  it('an alarm set in the web app is scheduled in its own zone', async () => {
    const s = await setup('2026-11-19T09:00:00Z');
    const row = { time: '07:00', days: [], enabled: true, timezone: 'America/New_York' };
    await clockBot.onDataChange!(jobContext(s), {
      userId: alice,
      appId: 'clock',
      roomId: dm,
      changes: [{ table: 'alarms', id: 'a1', row: { id: 'a1', ...row } }],
    });
    expect(s.jobs('alarm-ring')[0]?.at.toISOString()).toBe('2026-11-19T12:00:00.000Z');
  });
});
