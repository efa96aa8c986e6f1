/**
 * The mana hub's morning summary end to end: tasks (through the todo bot and the web app's sync
 * client) and an event in the user's streams, the summary asked for now, and the daily summary
 * fired by the scheduler (a repeatable job in Redis, at the next minute in the user's zone) with
 * two runner processes consuming the queue: it arrives exactly once.
 */
import { freePort } from '@mana/testing';
import { quoteOfTheDay } from '@mana/quotes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, inReplyTo, openChat, type Chat } from './support/bots-chat.ts';
import { SERVER_NAME, startBotsStack, until, type BotsStack, type StackUser } from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const MANA = `@mana:${SERVER_NAME}`;
const TODO = `@todo:${SERVER_NAME}`;
const TZ = 'Europe/Berlin';

let stack: BotsStack;
let carla: StackUser;
let mana: Chat;
let todo: Chat;

const dayIn = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
const hhmm = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);

beforeAll(async () => {
  stack = await startBotsStack({
    label: 'e2e_summary',
    startingBalance: 2_500,
    runnerEnv: { BOT_BOTS: 'mana,todo', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  carla = await stack.ssoUser('carla');
  [mana, todo] = await Promise.all([openChat(stack, carla, MANA), openChat(stack, carla, TODO)]);
  await Promise.all([mana.ask('sprache de'), todo.ask('sprache de')]);

  // A task due today through the todo bot; an overdue one and an event through the web app's sync.
  await todo.ask('neu Zahnarzt anrufen @heute');
  const web = await stack.appsSync(carla, 'carla-web', ['todo', 'calendar']);
  const yesterday = dayIn(new Date(Date.now() - 24 * 3600_000));
  await web.put('todo', 'tasks', 'overdue-1', {
    title: 'Steuer abgeben',
    priority: 1,
    completed: false,
    dueDate: yesterday,
  });
  const start = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000);
  await web.put('calendar', 'events', 'event-1', {
    calendarId: 'cal-1',
    title: 'Chorprobe',
    start: start.toISOString(),
    end: new Date(start.getTime() + 3600_000).toISOString(),
    allDay: false,
  });
  await web.sync();
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(logRunnerOnFailure(() => stack));

function expectSummary(body: string) {
  expect(body).toContain('Guten Morgen! ☀️ Dein Tag');
  expect(body).toContain('Zahnarzt anrufen');
  expect(body).toMatch(/Steuer abgeben — ⚠ überfällig/);
  expect(body).toContain('Chorprobe');
  expect(body).toContain(quoteOfTheDay(dayIn(new Date())).text);
  expect(body).toContain('Guthaben: 2,5 verfügbar');
}

describe('morning summary through a real Matrix client', () => {
  it('zusammenfassung sends it now, with the tasks and the event of her streams', async () => {
    const reply = await mana.ask('zusammenfassung');
    expect(reply.sender).toBe(MANA);
    expectSummary(bodyOf(reply));
    expect(bodyOf(await mana.ask('morgen an 31:00'))).toMatch(/^So geht’s: zusammenfassung/);
  });

  it('morgen an <next minute>: the scheduler fires it once, with two runners on the queue', async () => {
    const first = stack.runner;
    const port = await freePort();
    // A second runner process on the same database and Redis: it consumes the same job queue
    // (Synapse keeps pushing to the first one).
    const second = await stack.startRunner({ BOT_PORT: String(port) });
    try {
      await until(
        'the second runner to be ready',
        async () =>
          (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok
            ? true
            : undefined,
        30_000,
        200,
      );
      // The next minute at least 8 s ahead, so the series exists before it is due.
      const at = new Date(Math.ceil((Date.now() + 8_000) / 60_000) * 60_000);
      const set = bodyOf(await mana.ask(`morgen an ${hhmm(at)}`));
      expect(set).toBe(`☀️ Ab jetzt jeden Morgen um ${hhmm(at)} (Europe/Berlin) deine Tagesübersicht.`);

      const isSummary = (e: { sender: string; content: Record<string, unknown> }) =>
        e.sender === MANA &&
        inReplyTo(e as never) === undefined &&
        bodyOf(e as never).includes('Guten Morgen');
      const posted = await until(
        'the scheduled summary',
        async () =>
          (await mana.timeline()).find((e) => isSummary(e) && e.origin_server_ts >= at.getTime() - 1_000),
        at.getTime() - Date.now() + 30_000,
        250,
      );
      expectSummary(bodyOf(posted));
      // Give the other runner every chance to send it a second time.
      await new Promise((r) => setTimeout(r, 4_000));
      const all = (await mana.timeline()).filter(
        (e) => isSummary(e) && e.origin_server_ts >= at.getTime() - 1_000,
      );
      expect(all).toHaveLength(1);
      const sent = (l: string) => l.includes('morning summary sent') && l.includes(`@${at.toISOString()}`);
      expect([first, second].filter((r) => r.logs().some(sent))).toHaveLength(1);

      expect(bodyOf(await mana.ask('morgen aus'))).toBe('Morgenübersicht ist aus.');
    } finally {
      // The stack stops the newest runner; the first one is ours to stop.
      await first.stop();
    }
  }, 150_000);
});
