/**
 * The web app end to end, in headless Debian Chromium (playwright-core), against the built app served
 * statically, a real auth server (oidc-provider, EdDSA, accounts, credits), a real sync server, and
 * real Postgres and Redis. A "bot" here is a Node sync client holding a token-exchange token, which is
 * exactly how the todo bot writes; the Matrix round trip itself is the bots suite's job.
 *
 * The tests share one stack and run in order: guest → sign-in (guest upload, second device) → offline
 * → live updates → two tabs → offline shell → screenshots and console errors.
 */
import { loadAuthConfig, readOutbox, startAuthServer, type AuthService } from '@mana/auth';
import { AVAILABLE_BOTS } from '@mana/bot-runner';
import { createTodoBot } from '@mana/bot-todo';
import { createTestHarness, type SentEvent } from '@mana/bot-runtime/testing';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { createSyncServer, loadSyncConfig, type SyncServer } from '@mana/sync';
import { createMemoryStorage, createSyncClient, type SyncClient } from '@mana/sync-client';
import {
  createTestDatabase,
  createTestRedis,
  freePort,
  type TestDatabase,
  type TestRedis,
} from '@mana/testing';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Request as PwRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTask,
  buildWebApp,
  indicator,
  ROOT,
  startWebApp,
  syncState,
  taskRow,
  type WebApp,
} from './support/web-app.ts';

const ARTIFACTS = join(ROOT, 'test-results/web');
const SERVER_NAME = 'mana.test';

async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface User {
  username: string;
  email: string;
  password: string;
}

/** The app's build (a temp dir), made while the servers start. */
let built: Promise<string> | undefined;
let authDb: TestDatabase;
let syncDb: TestDatabase;
let redis: TestRedis;
let auth: { service: AuthService; close(): Promise<void>; baseUrl: string; botsSecret: string };
let sync: SyncServer;
let syncUrl: string;
let web: WebApp;
const bots: SyncClient[] = [];

beforeAll(async () => {
  built = buildWebApp();
  built.catch(() => undefined); // a failed build is reported where it is awaited, not as unhandled
  [authDb, syncDb, redis] = await Promise.all([
    createTestDatabase('web_auth'),
    createTestDatabase('web_sync'),
    createTestRedis('web'),
  ]);
  const [webPort, authPort] = await Promise.all([freePort(), freePort()]);
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const authBase = `http://127.0.0.1:${authPort}`;

  const config = loadAuthConfig({
    AUTH_NODE_ENV: 'test',
    AUTH_PORT: String(authPort),
    AUTH_BASE_URL: authBase,
    AUTH_DATABASE_URL: authDb.url,
    AUTH_REDIS_URL: redis.url,
    AUTH_REDIS_PREFIX: `${redis.prefix}auth:`,
    AUTH_MATRIX_SERVER_NAME: SERVER_NAME,
    AUTH_WEB_REDIRECT_URIS: `${webOrigin}/auth/callback`,
    AUTH_WEB_POST_LOGOUT_REDIRECT_URIS: `${webOrigin}/`,
    AUTH_CORS_ORIGINS: webOrigin,
  });
  const started = await startAuthServer({
    config,
    logger: createLogger({ service: 'auth', level: 'silent' }),
    metrics: createMetrics({ service: 'auth', defaults: false }),
  });
  auth = {
    service: started.service,
    baseUrl: authBase,
    botsSecret: config.botsClientSecret,
    close: async () => {
      await started.server.close();
      await started.service.close();
    },
  };

  sync = await createSyncServer({
    config: loadSyncConfig({
      SYNC_DATABASE_URL: syncDb.url,
      SYNC_REDIS_URL: redis.url,
      SYNC_REDIS_PREFIX: `${redis.prefix}sync:`,
      SYNC_ISSUER: authBase,
      SYNC_JWKS_URI: `${authBase}/jwks`,
      SYNC_PORT: '0',
      SYNC_LOG_LEVEL: 'silent',
      SYNC_COMPACTION_INTERVAL_SECONDS: '0',
    }),
  });
  syncUrl = (await sync.listen()).url;

  // The app reaches sync on its own origin through the server's proxy (sync sends no CORS headers).
  web = await startWebApp({ dist: await built, port: webPort, authIssuer: authBase, syncTarget: syncUrl });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(bots.map((b) => b.stop()));
  await web?.close();
  await sync?.stop();
  await auth?.close();
  await Promise.allSettled([authDb?.drop(), syncDb?.drop(), redis?.cleanup()]);
  const dist = await built?.catch(() => undefined);
  if (dist) rmSync(dist, { recursive: true, force: true });
});

const newContext = (locale?: string) => web.newContext(locale);
const openApp = (context: BrowserContext, hash?: string) => web.openApp(context, hash);
const signIn = (page: Page, user: User) => web.signIn(page, user);

/** Registers at the auth server's page and verifies the email through the outbox link. */
async function registerUser(username: string): Promise<User> {
  const user = { username, email: `${username}@example.test`, password: `correct horse ${username}` };
  const context = await web.browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${auth.baseUrl}/register`);
    await page.locator('#f-email').fill(user.email);
    await page.locator('#f-username').fill(user.username);
    await page.locator('#f-password').fill(user.password);
    await page.locator('form[action="/register"] button[type="submit"]').click();
    const link = await until(
      async () => {
        for (const m of await readOutbox(auth.service.db.db, user.email)) {
          const l = /https?:\/\/\S+verify-email\S*/.exec(m.text)?.[0];
          if (l) return l;
        }
        return undefined;
      },
      10_000,
      'verification mail',
    );
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
  } finally {
    await context.close();
  }
  return user;
}

/** What the todo bot holds: a token-exchange token for the Matrix user, a Node sync client. */
async function botToken(user: User): Promise<string> {
  const res = await fetch(`${auth.baseUrl}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`bots:${auth.botsSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: `@${user.username}:${SERVER_NAME}`,
      subject_token_type: 'urn:mana:params:oauth:token-type:matrix-user-id',
      audience: 'urn:mana:sync',
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token)
    throw new Error(`token exchange failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

async function botClient(user: User, clientId: string): Promise<SyncClient<'todo'>> {
  let token: string | undefined;
  const client = createSyncClient({
    baseUrl: syncUrl,
    apps: ['todo'],
    clientId,
    getToken: async () => (token ??= await botToken(user)),
    storage: createMemoryStorage(),
    pushDebounceMs: 5,
    backoff: { minMs: 50, maxMs: 500 },
  });
  bots.push(client);
  await client.ready;
  return client;
}

async function titlesOnServer(bot: SyncClient<'todo'>): Promise<string[]> {
  await bot.sync();
  return (await bot.query('todo', 'tasks')).map((t) => String(t.title));
}

const SEED_TITLE = 'Welcome to Mana! These tasks live on your device only';
/** The seed the guest rewrites (seed-task-3). */
const EDITED_SEED = 'Click a title to edit it (Enter saves, Escape cancels)';

// State shared by the tests, in order.
let alice: User;
let deviceA: BrowserContext;
let pageA: Page;

describe('web app in headless Chromium', () => {
  it('guest: opens into the app with seed tasks; a new task survives a reload', async () => {
    deviceA = await newContext();
    pageA = await openApp(deviceA);
    await expect.poll(() => pageA.locator('li.task').count()).toBe(5);
    await taskRow(pageA, SEED_TITLE).waitFor();
    expect(await syncState(pageA)).toMatchObject({ state: 'local' });
    await addTask(pageA, 'Guest task: buy oat milk');
    // A seed the guest rewrites is the guest's own work from then on.
    await taskRow(pageA, EDITED_SEED).locator('button.title').click();
    const input = pageA.getByLabel(`Edit title of “${EDITED_SEED}”`);
    await input.fill('Edited seed: call the landlord');
    await input.press('Enter');
    await taskRow(pageA, 'Edited seed: call the landlord').waitFor();
    await pageA.reload();
    await pageA.locator('main[data-ready="true"]').waitFor();
    await taskRow(pageA, 'Guest task: buy oat milk').waitFor();
    expect(await pageA.locator('li.task').count()).toBe(6); // seeds not written twice
    expect(web.consoleErrors(pageA)).toEqual([]);
  }, 60_000);

  it('sign-in through the auth login page uploads what the guest made, not the onboarding seeds; a second device sees it, no duplicates', async () => {
    alice = await registerUser('alice');
    await signIn(pageA, alice);
    await pageA.goto(`${web.url}/#/account`);
    expect(await pageA.locator('[data-testid="signed-in-as"]').textContent()).toBe('Signed in as alice');
    await pageA.goto(`${web.url}/#/todo`);
    await expect.poll(() => syncState(pageA), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });

    const bot = await botClient(alice, 'bot-check');
    // The guest's task and the seed the guest edited; the untouched seeds about guest mode stay behind.
    expect((await titlesOnServer(bot)).sort()).toEqual([
      'Edited seed: call the landlord',
      'Guest task: buy oat milk',
    ]);
    expect(await pageA.locator('li.task').count()).toBe(2);
    expect(await taskRow(pageA, SEED_TITLE).count()).toBe(0);

    // Device B: its own guest seeds first, then signs in as alice: alice's tasks, none of B's seeds.
    const deviceB = await newContext();
    const pageB = await openApp(deviceB);
    await expect.poll(() => pageB.locator('li.task').count()).toBe(5);
    await signIn(pageB, alice);
    await pageB.goto(`${web.url}/#/todo`);
    await taskRow(pageB, 'Guest task: buy oat milk').waitFor({ timeout: 10_000 });
    await expect.poll(() => syncState(pageB), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });
    expect(await pageB.locator('li.task').count()).toBe(2);
    expect(await taskRow(pageB, SEED_TITLE).count()).toBe(0);
    expect(await titlesOnServer(bot)).toHaveLength(2);
    await deviceB.close();
  }, 90_000);

  it('offline: two edits apply locally, indicator offline/pending; back online they sync and it shows synced', async () => {
    await pageA.goto(`${web.url}/#/todo`);
    await expect.poll(() => syncState(pageA), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });
    await deviceA.setOffline(true);
    // Edit 1: rename a task inline.
    await taskRow(pageA, 'Guest task: buy oat milk').locator('button.title').click();
    const input = pageA.getByLabel('Edit title of “Guest task: buy oat milk”');
    await input.fill('Buy oat milk (edited offline)');
    await input.press('Enter');
    await taskRow(pageA, 'Buy oat milk (edited offline)').waitFor();
    // Edit 2: complete the seed the guest edited.
    await pageA.getByLabel('Complete “Edited seed: call the landlord”').check();
    await expect.poll(() => syncState(pageA), { timeout: 10_000 }).toEqual({ state: 'offline', pending: 2 });

    const bot = await botClient(alice, 'bot-offline');
    expect(await titlesOnServer(bot)).not.toContain('Buy oat milk (edited offline)');

    const t0 = Date.now();
    await deviceA.setOffline(false);
    await expect.poll(() => syncState(pageA), { timeout: 15_000 }).toEqual({ state: 'synced', pending: 0 });
    const resyncMs = Date.now() - t0;
    const tasks = await (async () => (await bot.sync(), bot.query('todo', 'tasks')))();
    expect(tasks.map((t) => t.title)).toContain('Buy oat milk (edited offline)');
    expect(tasks.find((t) => t.id === 'seed-task-3')?.completed).toBe(true);
    console.log(`[web] offline → synced after reconnect: ${resyncMs} ms`);
  }, 60_000);

  it('live: a task written by another sync client (as the todo bot does) appears without reload within 2 s; completing it reaches the bot', async () => {
    const bot = await botClient(alice, 'bot-todo-live');
    await expect.poll(() => syncState(pageA), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });
    // Let the page's WebSocket be authenticated (it was reconnected after the offline test).
    await pageA.waitForTimeout(500);
    const url = pageA.url();
    const start = Date.now();
    await bot.put('todo', 'tasks', 'bot-task-1', {
      title: 'From the todo bot',
      priority: 2,
      completed: false,
    });
    await taskRow(pageA, 'From the todo bot').waitFor({ timeout: 2000 });
    const liveMs = Date.now() - start;
    expect(pageA.url()).toBe(url);
    console.log(`[web] bot write → visible in the web app: ${liveMs} ms`);

    await pageA.getByLabel('Complete “From the todo bot”').check();
    await until(
      async () => (await bot.get('todo', 'tasks', 'bot-task-1'))?.completed === true,
      5000,
      'bot sees completion',
    );
  }, 30_000);

  it('notes and due time: a task the todo bot wrote shows both; the app edits them and adds tasks with a time', async () => {
    const bot = await botClient(alice, 'bot-notes');
    await bot.put('todo', 'tasks', 'bot-task-notes', {
      title: 'Phone the plumber',
      notes: 'about the rent\nand the keys',
      dueDate: '2030-01-15',
      dueTime: '10:00',
      priority: 4,
      completed: false,
    });
    const row = taskRow(pageA, 'Phone the plumber');
    await row.waitFor({ timeout: 5000 });
    expect(await row.locator('button.notes').innerText()).toContain('about the rent\nand the keys');
    expect(await row.locator('time').textContent()).toBe('10:00');
    expect(await row.locator('time').getAttribute('datetime')).toBe('10:00');

    // The time: click it, type another, Enter.
    await row.getByRole('button', { name: 'Change the time of “Phone the plumber”' }).click();
    const time = row.getByLabel('Change the time of “Phone the plumber”');
    await time.fill('11:30');
    await time.press('Enter');
    await row.locator('time', { hasText: '11:30' }).waitFor();
    // The notes: click them, edit, leave the field.
    await row.locator('button.notes').click();
    const notes = row.locator('textarea.notes-input');
    expect(await notes.inputValue()).toBe('about the rent\nand the keys');
    await notes.fill('about the rent\nand the keys\nand the meter reading');
    await notes.blur();
    await row.locator('button.notes', { hasText: 'meter reading' }).waitFor();
    await until(
      async () => {
        await bot.sync();
        const t = await bot.get('todo', 'tasks', 'bot-task-notes');
        return t?.dueTime === '11:30' && t.notes === 'about the rent\nand the keys\nand the meter reading';
      },
      10_000,
      'the bot sees the new time and notes',
    );

    // A new task with a date and a time from the form.
    await pageA.locator('form.add-task input[name="dueDate"]').fill('2030-02-01');
    await pageA.locator('form.add-task input[name="dueTime"]').fill('08:15');
    await addTask(pageA, 'Dentist at quarter past eight');
    expect(await taskRow(pageA, 'Dentist at quarter past eight').locator('time').textContent()).toBe('08:15');
    await until(
      async () => {
        await bot.sync();
        const t = (await bot.query('todo', 'tasks')).find((x) => x.title === 'Dentist at quarter past eight');
        return t?.dueDate === '2030-02-01' && t.dueTime === '08:15';
      },
      10_000,
      'the new task with its time on the server',
    );
  }, 30_000);

  it('two tabs: one leader pushes; writes from both tabs are pushed exactly once and show in both', async () => {
    const pushes: { page: string; changes: unknown[] }[] = [];
    const onRequest = (req: PwRequest) => {
      if (req.method() === 'POST' && /\/sync\/(todo|calendar)$/.test(new URL(req.url()).pathname)) {
        const body = JSON.parse(req.postData() ?? '{}') as { changes?: unknown[] };
        pushes.push({ page: req.frame().page() === pageA ? 'A' : 'other', changes: body.changes ?? [] });
      }
    };
    deviceA.on('request', onRequest);
    const tab2 = await openApp(deviceA);
    await until(
      async () => (await indicator(tab2).getAttribute('data-leader')) === 'false',
      5000,
      'tab 2 is a follower',
    );
    expect(await indicator(pageA).getAttribute('data-leader')).toBe('true');

    await addTask(pageA, 'Written in tab 1');
    await addTask(tab2, 'Written in tab 2');
    await taskRow(pageA, 'Written in tab 2').waitFor();
    await taskRow(tab2, 'Written in tab 1').waitFor();
    await expect.poll(() => syncState(tab2), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });

    const bot = await botClient(alice, 'bot-tabs');
    const titles = await titlesOnServer(bot);
    expect(titles).toContain('Written in tab 1');
    expect(titles).toContain('Written in tab 2');

    // Leader closes: the follower takes over the engine and pushes its own writes.
    await pageA.close();
    await until(
      async () => (await indicator(tab2).getAttribute('data-leader')) === 'true',
      5000,
      'tab 2 takes over',
    );
    await addTask(tab2, 'Written after the leader left');
    await until(
      async () => (await titlesOnServer(bot)).includes('Written after the leader left'),
      10_000,
      'push by the new leader',
    );
    deviceA.off('request', onRequest);

    const all = pushes.flatMap((p) => p.changes.map((c) => JSON.stringify(c)));
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(all).size).toBe(all.length); // no change pushed twice
    expect(pushes.filter((p) => p.page === 'other').length).toBeGreaterThan(0); // the new leader pushed
    pageA = tab2;
  }, 60_000);

  it('offline shell: the service worker serves the app with no network; local data is there', async () => {
    const context = await newContext();
    const page = await openApp(context);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await until(
      () => page.evaluate(() => navigator.serviceWorker.controller !== null),
      5000,
      'page controlled by the SW',
    );
    await addTask(page, 'Made before going offline');
    await context.setOffline(true);
    await page.reload();
    await page.locator('main[data-ready="true"]').waitFor();
    await taskRow(page, 'Made before going offline').waitFor();
    await context.setOffline(false);
    await context.close();
  }, 30_000);

  it('screenshots of the main views (en, de, signed in) and no console errors', async () => {
    const guest = await newContext('de-DE');
    const g = await openApp(guest);
    expect(await g.locator('html').getAttribute('lang')).toBe('de');
    await g.getByRole('heading', { name: 'Alle Aufgaben' }).waitFor();
    await g.screenshot({ path: join(ARTIFACTS, 'todo-guest-de.png'), fullPage: true });
    await g.getByRole('combobox', { name: 'Sprache' }).selectOption('en');
    await g.getByRole('heading', { name: 'All tasks' }).waitFor();
    await g.screenshot({ path: join(ARTIFACTS, 'todo-guest-en.png'), fullPage: true });

    // Calendar: add an event and edit it.
    await g.getByRole('link', { name: 'Calendar' }).click();
    await g.getByLabel('Title').fill('Dentist');
    await g.getByLabel('Date').fill(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10));
    await g.getByLabel('Start').fill('14:00');
    await g.getByLabel('End').fill('15:00');
    await g.getByRole('button', { name: 'Save' }).click();
    await g.locator('li.event', { hasText: 'Dentist' }).waitFor();
    await g.getByRole('button', { name: 'Edit: Dentist' }).click();
    await g.getByLabel('Title').fill('Dentist (moved)');
    await g.getByRole('button', { name: 'Save' }).click();
    await g.locator('li.event', { hasText: 'Dentist (moved)' }).waitFor();
    expect(await g.locator('li.event').count()).toBe(2); // the seed event and ours, edited in place
    await g.screenshot({ path: join(ARTIFACTS, 'calendar.png'), fullPage: true });
    await g.getByRole('link', { name: 'Account' }).click();
    await g.getByRole('heading', { name: 'You are using Mana as a guest' }).waitFor();
    await g.screenshot({ path: join(ARTIFACTS, 'account-guest.png'), fullPage: true });

    // Signed in: the account view with the credits balance (the starting grant) and transactions.
    await pageA.goto(`${web.url}/#/account`);
    await pageA.locator('[data-testid="credits-balance"]').waitFor({ timeout: 10_000 });
    expect(await pageA.locator('[data-testid="credits-balance"]').textContent()).toMatch(/^10(\.0+)?$/);
    expect(await pageA.locator('table.transactions tbody tr').count()).toBeGreaterThan(0);
    await pageA.screenshot({ path: join(ARTIFACTS, 'account-signed-in.png'), fullPage: true });
    await pageA.goto(`${web.url}/#/todo`);
    await pageA.locator('main[data-ready="true"]').waitFor();
    await pageA.screenshot({ path: join(ARTIFACTS, 'todo-signed-in.png'), fullPage: true });

    for (const page of [g, pageA]) expect(web.consoleErrors(page), page.url()).toEqual([]);
  }, 60_000);

  it('every link the bots send into the web app opens the view it names, signed in and as a guest', async () => {
    // The bots' replies, exactly as they render them, with this web app as their `webUrl`.
    // `zerlegen` needs an AI provider to be a costly command at all; it is never asked (no credits).
    const noCall = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('not asked')) }),
    });
    const todo = createTodoBot({
      llm: () => ({ defaultModel: 'ollama/x', models: async () => [], chat: noCall }),
    });
    const h = createTestHarness({
      bots: AVAILABLE_BOTS.map((b) => (b.id === 'todo' ? todo : b)),
      linked: ['@alice:mana.test'],
      costs: { task_create: 0, ai_task_breakdown: 500 },
      webUrl: web.url,
    });
    const [linked, unlinked] = ['@alice:mana.test', '@bob:mana.test'];
    const sent: SentEvent[] = [];
    for (const [user, bot, messages] of [
      [linked, 'mana', ['hilfe', 'guthaben']], // the welcome (the app), the balance
      [linked, 'todo', ['neu Einkaufen, kochen und abwaschen', 'liste', 'zerlegen 1']], // no credits
      [unlinked, 'mana', ['konto']], // sign in first
      [unlinked, 'todo', ['liste']],
    ] as const) {
      const room = `!${user.slice(1, 4)}-${bot}:mana.test`;
      h.members.set(room, [user, `@${bot}:mana.test`]);
      for (const m of messages) sent.push(...(await h.say(user, room, m)));
    }
    // An encrypted DM: the bot points to the web app instead.
    h.members.set('!enc:mana.test', [linked, '@todo:mana.test']);
    const before = h.matrix.sent.length;
    await h.dispatcher.handle({
      event_id: '$enc',
      room_id: '!enc:mana.test',
      type: 'm.room.encrypted',
      sender: linked,
      content: { algorithm: 'm.megolm.v1.aes-sha2' },
    });
    sent.push(...h.matrix.sent.slice(before));

    const linkRe = new RegExp(`${web.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s<>"“”]*`, 'g');
    const links = new Set<string>();
    for (const e of sent)
      for (const text of [e.content.body, e.content.formatted_body])
        for (const [l] of (typeof text === 'string' ? text : '').matchAll(linkRe))
          links.add(l.replace(/[.,;:!?)]+$/, ''));
    // What each link names, and how to see that the page shows it. A new link needs a line here.
    const checks: Record<string, (page: Page, signedIn: boolean) => Promise<void>> = {
      [web.url]: async (page) => {
        await page.getByRole('heading', { name: 'All tasks' }).waitFor();
        expect(await page.getByRole('link', { name: 'Tasks' }).getAttribute('aria-current')).toBe('page');
      },
      [`${web.url}/account`]: async (page, signedIn) => {
        if (signedIn) await page.locator('[data-testid="signed-in-as"]').waitFor();
        else await page.getByRole('button', { name: 'Sign in' }).waitFor();
        expect(await page.getByRole('link', { name: 'Account' }).getAttribute('aria-current')).toBe('page');
      },
      [`${web.url}/credits`]: async (page, signedIn) => {
        const heading = page.getByRole('heading', { name: 'Credits', exact: true });
        await heading.waitFor();
        if (signedIn) await page.locator('[data-testid="credits-balance"]').waitFor({ timeout: 10_000 });
        else await page.getByText('Sign in to see your balance and transactions').waitFor();
        // In view, not somewhere below the fold.
        await until(
          () =>
            heading.evaluate(
              (el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= innerHeight,
            ),
          5000,
          'credits heading in view',
        );
      },
    };
    expect([...links].sort()).toEqual(Object.keys(checks).sort());

    const guest = await newContext();
    for (const [context, signedIn] of [
      [deviceA, true],
      [guest, false],
    ] as const) {
      for (const link of links) {
        const page = await context.newPage();
        const res = await page.goto(link);
        expect(res?.status(), link).toBe(200);
        await page.locator('main[data-ready="true"]').waitFor();
        await checks[link]!(page, signedIn);
        expect(web.consoleErrors(page), link).toEqual([]);
        await page.close();
      }
    }
    await guest.close();
  }, 60_000);

  it('sign-out ends the session at auth and returns to guest mode; the synced replica is removed', async () => {
    await pageA.goto(`${web.url}/#/account`);
    await pageA.getByRole('button', { name: 'Sign out' }).click();
    // The auth server's end-session confirmation page.
    await pageA.waitForURL((u) => u.href.startsWith(auth.baseUrl));
    await pageA.getByRole('button', { name: 'Sign out' }).first().click();
    await pageA.waitForURL((u) => u.href.startsWith(web.url));
    await pageA.goto(`${web.url}/#/account`);
    await pageA.getByRole('heading', { name: 'You are using Mana as a guest' }).waitFor();
    expect(await syncState(pageA)).toMatchObject({ state: 'local' });
    const dbs = await pageA.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(dbs.filter((n) => n?.startsWith('mana-sync:') && n !== 'mana-sync:guest')).toEqual([]);
  }, 30_000);
});
