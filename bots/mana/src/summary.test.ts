import { createTestHarness } from '@mana/bot-runtime/testing';
import { quoteOfTheDay } from '@mana/quotes';
import { describe, expect, it } from 'vitest';
import { createManaBot, summaryKey } from './bot.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';
// Wednesday 2026-12-02, 07:00 in Berlin.
const morning = new Date('2026-12-02T06:00:00Z');
const bot = createManaBot({ summaryGraceMs: 60 * 60 * 1000 });

async function setup(lang: 'de' | 'en' = 'de') {
  let clock = morning;
  const h = createTestHarness({ bots: [bot], linked: [alice], now: () => clock });
  h.members.set(dm, [alice, '@mana:mana.test']);
  h.credits.grant(alice, 12_500);
  await h.ask(alice, dm, `language ${lang}`);
  return {
    h,
    setNow: (d: Date) => {
      clock = d;
    },
  };
}

async function seed(h: Awaited<ReturnType<typeof setup>>['h']) {
  const todo = await h.stores.forUser(alice, 'todo');
  await todo.upsert('tasks', 't1', {
    title: 'Steuer abgeben',
    priority: 1,
    completed: false,
    dueDate: '2026-11-30',
  });
  await todo.upsert('tasks', 't2', {
    title: 'Zahnarzt anrufen',
    priority: 2,
    completed: false,
    dueDate: '2026-12-02',
    dueTime: '10:00',
  });
  await todo.upsert('tasks', 't3', {
    title: 'Morgen erst',
    priority: 4,
    completed: false,
    dueDate: '2026-12-03',
  });
  await todo.upsert('tasks', 't4', {
    title: 'Schon erledigt',
    priority: 4,
    completed: true,
    dueDate: '2026-12-01',
  });
  await todo.upsert('tasks', 't5', { title: 'Ohne Datum', priority: 4, completed: false });
  const cal = await h.stores.forUser(alice, 'calendar');
  await cal.upsert('events', 'e1', {
    calendarId: 'c',
    title: 'Team-Meeting',
    start: '2026-12-02T09:30:00Z',
    end: '2026-12-02T10:30:00Z',
    allDay: false,
    location: 'Raum 2',
  });
  // Weekly on Wednesdays since November, 18:00 Berlin.
  await cal.upsert('events', 'e2', {
    calendarId: 'c',
    title: 'Chorprobe',
    start: '2026-11-04T17:00:00Z',
    end: '2026-11-04T19:00:00Z',
    allDay: false,
    rrule: 'FREQ=WEEKLY;BYDAY=WE',
    timezone: 'Europe/Berlin',
  });
  // Weekly too, but today's occurrence is deleted.
  await cal.upsert('events', 'e3', {
    calendarId: 'c',
    title: 'Ausgefallen',
    start: '2026-11-25T12:00:00Z',
    end: '2026-11-25T13:00:00Z',
    allDay: false,
    rrule: 'FREQ=WEEKLY',
    exdates: ['2026-12-02T12:00:00Z'],
  });
  await cal.upsert('events', 'e4', {
    calendarId: 'c',
    title: 'Gestern',
    start: '2026-12-01T09:00:00Z',
    end: '2026-12-01T10:00:00Z',
    allDay: false,
  });
  const clock = await h.stores.forUser(alice, 'clock');
  await clock.upsert('alarms', 'a1', {
    time: '06:30',
    days: [1, 2, 3, 4, 5],
    enabled: true,
    label: 'Aufstehen',
  });
  await clock.upsert('alarms', 'a2', { time: '09:00', days: [6, 7], enabled: true });
  await clock.upsert('alarms', 'a3', { time: '15:00', days: [], enabled: true, label: 'Tee' });
  await clock.upsert('alarms', 'a4', { time: '12:00', days: [3], enabled: false });
  await clock.upsert('alarms', 'a5', { time: '05:00', days: [], enabled: true, label: 'vorbei' });
}

describe('morning summary', () => {
  it('zusammenfassung: overdue and today’s tasks, today’s events (recurring too), today’s alarms, quote, credits', async () => {
    const { h } = await setup('de');
    await seed(h);
    const [text] = await h.ask(alice, dm, 'zusammenfassung');
    expect(text).toContain('Guten Morgen! ☀️ Dein Tag — Mittwoch, 2. Dezember');
    expect(text).toContain('Steuer abgeben — ⚠ überfällig (2026-11-30)');
    expect(text).toContain('Zahnarzt anrufen — 10:00');
    expect(text).not.toContain('Morgen erst');
    expect(text).not.toContain('Schon erledigt');
    expect(text).not.toContain('Ohne Datum');
    expect(text).toContain('10:30–11:30 Team-Meeting (Raum 2)');
    expect(text).toContain('18:00–20:00 Chorprobe');
    expect(text).not.toContain('Ausgefallen');
    expect(text).not.toContain('Gestern');
    expect(text).toContain('06:30 Aufstehen');
    expect(text).toContain('15:00 Tee');
    expect(text).not.toContain('09:00');
    expect(text).not.toContain('12:00');
    expect(text).not.toContain('vorbei');
    expect(text).toContain(quoteOfTheDay('2026-12-02').text);
    expect(text).toContain('Guthaben: 12,5 verfügbar');
    // Overdue first, then by time.
    expect(text!.indexOf('Steuer')).toBeLessThan(text!.indexOf('Zahnarzt'));
    expect(text!.indexOf('Team-Meeting')).toBeLessThan(text!.indexOf('Chorprobe'));
  });

  it('leaves out sections without data', async () => {
    const { h } = await setup('en');
    const [text] = await h.ask(alice, dm, 'summary');
    expect(text).toContain('Good morning! ☀️ Your day — Wednesday 2 December');
    expect(text).not.toContain('Tasks');
    expect(text).not.toContain('Events');
    expect(text).not.toContain('Alarms');
    expect(text).toContain('Quote of the day');
    expect(text).toContain('Credits: 12.5 available');
  });

  it('morgen an 7:00 sets the series in her zone; the job posts once, even delivered twice; morgen aus stops it', async () => {
    const { h, setNow } = await setup('de');
    await seed(h);
    expect((await h.ask(alice, dm, 'morgen an 7:00'))[0]).toBe(
      '☀️ Ab jetzt jeden Morgen um 07:00 (Europe/Berlin) deine Tagesübersicht.',
    );
    const series = h.scheduler.repeatables.get(summaryKey(alice));
    expect(series?.repeat).toEqual({ pattern: '0 7 * * *', tz: 'Europe/Berlin' });
    expect(series?.data).toEqual({ roomId: dm, userId: alice, tz: 'Europe/Berlin' });

    setNow(new Date(morning.getTime() + 2_000));
    const job = {
      botId: 'mana',
      name: 'summary',
      jobId: `${summaryKey(alice)}@${morning.toISOString()}`,
      data: series?.data,
      repeat: { key: summaryKey(alice), at: morning.toISOString() },
    };
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob(job);
    await h.dispatcher.runJob(job);
    const posts = h.matrix.sent.slice(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.roomId).toBe(dm);
    expect(String(posts[0]?.content.body)).toContain('Zahnarzt anrufen');
    expect(String(posts[0]?.content.body)).toContain('Chorprobe');

    // Moved to later the same day: today's is sent already; tomorrow's comes.
    await h.ask(alice, dm, 'morgen an 9:00');
    const later = new Date('2026-12-02T08:00:00Z');
    const tomorrow = new Date('2026-12-03T08:00:00Z');
    for (const at of [later, tomorrow]) {
      setNow(new Date(at.getTime() + 1_000));
      await h.dispatcher.runJob({
        ...job,
        jobId: `${summaryKey(alice)}@${at.toISOString()}`,
        repeat: { key: summaryKey(alice), at: at.toISOString() },
      });
    }
    const after = h.matrix.sent
      .slice(before + 1)
      .filter((e) => String(e.content.body).includes('Guten Morgen'));
    expect(after).toHaveLength(1);
    expect(String(after[0]?.content.body)).toContain('Donnerstag, 3. Dezember');

    expect((await h.ask(alice, dm, 'morgen aus'))[0]).toBe('Morgenübersicht ist aus.');
    expect(h.scheduler.repeatables.has(summaryKey(alice))).toBe(false);
    expect((await h.ask(alice, dm, 'summary off'))[0]).toBe('Es war keine Morgenübersicht eingestellt.');
  });

  it('an occurrence delivered past the grace period is skipped, not sent late', async () => {
    const { h, setNow } = await setup('en');
    await h.ask(alice, dm, 'summary on 07:00');
    const series = h.scheduler.repeatables.get(summaryKey(alice));
    setNow(new Date(morning.getTime() + 5 * 60 * 60 * 1000));
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob({
      botId: 'mana',
      name: 'summary',
      jobId: `${summaryKey(alice)}@${morning.toISOString()}`,
      data: series?.data,
      repeat: { key: summaryKey(alice), at: morning.toISOString() },
    });
    expect(h.matrix.sent.length).toBe(before);
  });

  it('malformed times get the usage line and set nothing', async () => {
    const { h } = await setup('de');
    for (const bad of ['morgen an 25:00', 'morgen um halb acht', 'summary on']) {
      expect((await h.ask(alice, dm, bad))[0], bad).toMatch(
        /^(So geht’s|Usage): (morgen|zusammenfassung|summary)/,
      );
    }
    expect(h.scheduler.repeatables.size).toBe(0);
  });
});
