/**
 * Issue 12's web acceptance for the clock: a timer started by DMing @clock shows in the open web
 * app's clock view with a live countdown, and pausing it there pauses it for the bot (its countdown
 * message in Matrix says so, the row in sync is paused). One stack (support/bots-stack.ts, the runner
 * with BOTS=clock) plus the production build of the web app and headless Chromium (support/web-app.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openChat, type RawEvent } from './support/bots-chat.ts';
import { SERVER_NAME, until, type BotsStack } from './support/bots-stack.ts';
import { syncState, type WebApp } from './support/web-app.ts';
import { startWebStack, type WebStack } from './support/web-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const CLOCK = `@clock:${SERVER_NAME}`;

let stack: BotsStack | undefined;
let web: WebApp | undefined;
let running: WebStack | undefined;

beforeAll(async () => {
  running = await startWebStack({
    label: 'e2e_web_clock',
    runnerEnv: { BOTS: 'clock', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  ({ stack, web } = running);
}, 180_000);

afterAll(async () => {
  await running?.close();
});

afterEach(logRunnerOnFailure(() => stack));

const newBody = (e: RawEvent): string => {
  const b = (e.content['m.new_content'] as { body?: unknown } | undefined)?.body;
  return typeof b === 'string' ? b : '';
};
const seconds = (mmss: string) => {
  const m = /(\d+):(\d\d)/.exec(mmss);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

describe('clock bot in Matrix ↔ the web app’s clock view', () => {
  it('timer 2m Kuchen in Matrix counts down in the open clock view; ⏸ there pauses it for the bot', async () => {
    if (!stack || !web) throw new Error('stack not started');
    const s = stack;
    const w = web;
    const user = await s.ssoUser('kai');
    const context = await w.newContext();
    const [chat, page] = await Promise.all([
      openChat(s, user, CLOCK),
      (async () => {
        const p = await w.openApp(context, '#/clock');
        await w.signIn(p, user);
        await p.goto(`${w.url}/#/clock`);
        await p.locator('main[data-ready="true"]').waitFor();
        return p;
      })(),
    ]);
    await expect.poll(() => syncState(page), { timeout: 15_000 }).toEqual({ state: 'synced', pending: 0 });

    const countdown = await chat.ask('timer 2m Kuchen');
    const row = page.locator('.timer', { hasText: 'Kuchen' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-state')).toBe('running');
    const clock = row.locator('.countdown');
    const first = seconds(await clock.innerText());
    expect(first).toBeGreaterThan(100);
    expect(first).toBeLessThanOrEqual(120);
    // Live: it counts down without any new data.
    await expect
      .poll(async () => seconds(await clock.innerText()), { timeout: 5000 })
      .toBeLessThan(first - 1);

    // Paused in the browser: the row in sync, and the bot's countdown message in Matrix.
    await page.getByRole('button', { name: 'Pause “Kuchen”' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('paused');
    await expect.poll(() => syncState(page), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });
    const paused = await until(
      'the countdown in Matrix edited to paused',
      async () =>
        (await chat.timeline()).find((e) => {
          const rel = e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined;
          return (
            e.sender === CLOCK &&
            rel?.rel_type === 'm.replace' &&
            rel.event_id === countdown.event_id &&
            newBody(e).includes('(pausiert)')
          );
        }),
      15_000,
      250,
    );
    expect(newBody(paused)).toMatch(/^⏸ Kuchen — 01:\d\d /);
    const shownInWeb = seconds(await clock.innerText());
    const shownInMatrix = seconds(/— (\d+:\d\d)/.exec(newBody(paused))?.[1] ?? '');
    expect(Math.abs(shownInWeb - shownInMatrix)).toBeLessThanOrEqual(2);

    expect(w.consoleErrors(page)).toEqual([]);
  }, 90_000);
});
