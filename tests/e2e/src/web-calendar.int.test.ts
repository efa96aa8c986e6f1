/**
 * Issue 12's web half of the calendar: @calendar in Matrix and the web app's calendar view in
 * Chromium on the same events (support/bots-stack.ts + support/web-app.ts, as web-bot.int.test.ts).
 * A series made in Matrix shows in the view at its next occurrence with its rule; an event whose
 * time is edited in the view gets its reminder from the bot at the new time, once, and not at the
 * old one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, openChat, type Chat } from './support/bots-chat.ts';
import { createMemoryStorage, createSyncClient } from '@mana/sync-client';
import { SERVER_NAME, SYNC_AUDIENCE, until, type BotsStack } from './support/bots-stack.ts';
import { syncState, type WebApp } from './support/web-app.ts';
import { startWebStack, type WebStack } from './support/web-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const CAL = `@calendar:${SERVER_NAME}`;
const TZ = 'Europe/Berlin';

let stack: BotsStack | undefined;
let web: WebApp | undefined;
let running: WebStack | undefined;

beforeAll(async () => {
  running = await startWebStack({
    label: 'e2e_web_calendar',
    runnerEnv: { BOTS: 'calendar', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  ({ stack, web } = running);
}, 180_000);

afterAll(async () => {
  await running?.close();
});

afterEach(logRunnerOnFailure(() => stack));

function wall(d: Date) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: TZ,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    time: `${p.hour}:${p.minute}`,
    de: `${p.day}.${p.month}.${p.year}`,
  };
}
const ceilMinute = (d: Date) => new Date(Math.ceil(d.getTime() / 60_000) * 60_000);

async function say(chat: Chat, text: string): Promise<string> {
  const reply = await chat.ask(text);
  expect(reply.sender).toBe(CAL);
  return bodyOf(reply).split('\n\n')[0] ?? '';
}

describe('calendar bot in Matrix ↔ calendar view in the browser, one account', () => {
  it('a series from Matrix shows with its rule; a time edited in the view moves the reminder: it fires at the new time only', async () => {
    if (!stack || !web) throw new Error('stack not started');
    const s = stack;
    const w = web;
    const user = await s.ssoUser('vera');
    const context = await w.newContext('en-US', TZ);
    const [chat, page] = await Promise.all([
      openChat(s, user, CAL),
      (async () => {
        const p = await w.openApp(context);
        await w.signIn(p, user);
        await p.goto(`${w.url}/#/calendar`);
        await p.locator('main[data-ready="true"]').waitFor();
        return p;
      })(),
    ]);
    await expect.poll(() => syncState(page), { timeout: 15_000 }).toEqual({ state: 'synced', pending: 0 });

    expect(await say(chat, 'termin Team jeden Montag 9 Uhr')).toMatch(/^📅 Neuer Termin: Team/);
    const team = page.locator('li.event', { hasText: 'Team' });
    await team.waitFor({ timeout: 10_000 });
    expect(await team.locator('.repeats').textContent()).toContain('↻ every Mon');
    expect(await team.locator('time').first().textContent()).toBe('09:00');

    // Planned in Matrix a minute after the time the view will move it to.
    const newStart = ceilMinute(new Date(Date.now() + 75_000));
    const oldStart = new Date(newStart.getTime() + 60_000);
    const newFire = newStart.getTime() - 60_000;
    const oldFire = oldStart.getTime() - 60_000;
    const o = wall(oldStart);
    expect(await say(chat, `termin Meeting am ${o.de} ${o.time} bei Oma erinnerung 1`)).toMatch(
      /^📅 Neuer Termin: Meeting .*📍 Oma · ⏰ 1 Min\. vorher$/,
    );
    const meeting = page.locator('li.event', { hasText: 'Meeting' });
    await meeting.waitFor({ timeout: 10_000 });
    expect(await meeting.locator('.reminder').textContent()).toContain('1 min before');

    // Edited in the view: the start a minute earlier (the reminder setting is kept).
    await page.getByRole('button', { name: 'Edit: Meeting' }).click();
    const n = wall(newStart);
    await page.getByLabel('Date').fill(n.date);
    await page.getByLabel('Start').fill(n.time);
    await page.getByLabel('End').fill(wall(new Date(newStart.getTime() + 30 * 60_000)).time);
    expect(await page.getByLabel('Reminder').inputValue()).toBe('1');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => meeting.locator('time').first().textContent()).toBe(n.time);
    await expect.poll(() => syncState(page), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });
    // What the view wrote: the new time; the reminder and the place as they were.
    const token = await s.webToken(user, SYNC_AUDIENCE, 'openid sync');
    const server = createSyncClient({
      baseUrl: s.sync.url,
      apps: ['calendar'],
      clientId: 'vera-check',
      getToken: () => token,
      storage: createMemoryStorage(),
      WebSocket: null,
      pushDebounceMs: null,
      pullIntervalMs: null,
    });
    await server.sync('calendar');
    expect((await server.query('calendar', 'events')).find((r) => r.title === 'Meeting')).toMatchObject({
      start: newStart.toISOString(),
      reminderMinutes: 1,
      location: 'Oma',
    });
    await server.stop();

    const reminders = async () =>
      (await chat.timeline()).filter((e) => e.sender === CAL && /^⏰ (In|Jetzt)/.test(bodyOf(e)));
    const [post] = await until(
      `the reminder (due ${new Date(newFire).toISOString()})`,
      async () => {
        const r = await reminders();
        return r.length > 0 ? r : undefined;
      },
      90_000,
      250,
    );
    expect(post!.origin_server_ts).toBeGreaterThanOrEqual(newFire - 1000);
    expect(post!.origin_server_ts).toBeLessThan(oldFire);
    expect(bodyOf(post!)).toMatch(new RegExp(`^⏰ In 1 Min\\.: Meeting — .*${n.time}–`));
    await new Promise((r) => setTimeout(r, Math.max(0, oldFire + 4000 - Date.now())));
    expect(await reminders()).toHaveLength(1);
    expect(w.consoleErrors(page)).toEqual([]);
  }, 240_000);
});
