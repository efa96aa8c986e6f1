/**
 * The web app as a browser sees it, for the e2e tests: the production build (`vite build` into a temp
 * dir), served statically with `/sync/*` and `/ws` proxied to a sync server (`web/scripts/serve.ts`),
 * headless Debian Chromium (playwright-core), console-error watching, and the page helpers the tests
 * share (task rows, the sync indicator, signing in through auth's real login page).
 * Used by tests/e2e/src/web.test.ts and web-bot.int.test.ts.
 */
import { startStaticServer, type StaticServer } from '@mana/web/serve';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const WEB_DIR = join(ROOT, 'web');

/** Builds the app into a fresh temp dir (the same build `npm run build -w @mana/web` makes); its path. */
export async function buildWebApp(): Promise<string> {
  const dist = mkdtempSync(join(tmpdir(), 'mana-web-'));
  const args = [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--emptyOutDir'];
  const child = spawn(process.execPath, [...args, '--logLevel', 'error'], {
    cwd: WEB_DIR,
    // Vitest sets NODE_ENV=test, which would make Vite build in development mode (no service worker).
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    rmSync(dist, { recursive: true, force: true });
    throw new Error(`vite build failed (${code}): ${output}`);
  }
  return dist;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface WebUser {
  email: string;
  password: string;
}

/** A console error or uncaught exception, with the URL of the script or resource (else the page's). */
export interface ConsoleError {
  text: string;
  url: string;
}

export interface WebApp {
  /** The app's origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The auth server the app signs in against (its `authIssuer`). */
  authIssuer: string;
  server: StaticServer;
  browser: Browser;
  /** A fresh browser profile whose pages are watched for console errors; closed with the app. */
  newContext(locale?: string, timezoneId?: string): Promise<BrowserContext>;
  /** Opens the app in a new page of `context` and waits until it has rendered from its local store. */
  openApp(context: BrowserContext, hash?: string): Promise<Page>;
  /** From the app's account page through auth's login page and back, signed in as `user`. */
  signIn(page: Page, user: WebUser): Promise<void>;
  /**
   * Console errors and uncaught exceptions of a page opened in a `newContext` (undefined otherwise),
   * on whatever origin the page was at the time (auth's login page included).
   */
  consoleErrors(page: Page): ConsoleError[] | undefined;
  /** Closes the contexts, the browser and the server (not the build dir). */
  close(): Promise<void>;
}

export interface WebAppOptions {
  /** The build (`buildWebApp()`). */
  dist: string;
  /** Port to serve on; the origin must be the one registered at auth (redirect URIs, CORS). */
  port: number;
  authIssuer: string;
  /** The sync server the static server proxies `/sync/*` and `/ws` to (sync sends no CORS headers). */
  syncTarget: string;
}

/** Serves the build (the app reaches sync on its own origin, `syncUrl: '/'`) and launches Chromium. */
export async function startWebApp(o: WebAppOptions): Promise<WebApp> {
  const server = await startStaticServer({
    dir: o.dist,
    port: o.port,
    config: { authIssuer: o.authIssuer, syncUrl: '/', clientId: 'web' },
    syncTarget: o.syncTarget,
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await server.close();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  const errors = new Map<Page, ConsoleError[]>();
  const watch = (page: Page) => {
    const list: ConsoleError[] = [];
    errors.set(page, list);
    page.on('console', (m) => {
      if (m.type() === 'error') list.push({ text: m.text(), url: m.location().url || page.url() });
    });
    page.on('pageerror', (e) => list.push({ text: `uncaught: ${e.message}`, url: page.url() }));
  };
  const url = server.url;

  return {
    url,
    authIssuer: o.authIssuer,
    server,
    browser,
    async newContext(locale = 'en-US', timezoneId?: string) {
      const context = await browser.newContext({
        locale,
        viewport: { width: 1100, height: 760 },
        ...(timezoneId ? { timezoneId } : {}),
      });
      contexts.push(context);
      context.on('page', watch);
      return context;
    },
    async openApp(context, hash = '#/todo') {
      const page = await context.newPage();
      await page.goto(`${url}/${hash}`);
      await page.locator('main[data-ready="true"]').waitFor();
      return page;
    },
    async signIn(page, user) {
      await page.goto(`${url}/#/account`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.href.startsWith(o.authIssuer) && u.pathname.startsWith('/interaction/'));
      await page.locator('#f-email').fill(user.email);
      await page.locator('#f-password').fill(user.password);
      await page.locator('form[action$="/login"] button[type="submit"]').click();
      await page.waitForURL((u) => u.href.startsWith(url) && !u.pathname.startsWith('/auth/'));
      await page.locator('main[data-ready="true"]').waitFor();
    },
    consoleErrors: (page) => errors.get(page),
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close();
      await server.close();
    },
  };
}

/** The task row whose title is `title` (`li.task` of TodoView/TaskItem). */
export const taskRow = (page: Page, title: string) =>
  page.locator('li.task', { has: page.locator('.title', { hasText: title }) });

/** The sync indicator in the header. */
export const indicator = (page: Page) => page.locator('.sync[role="status"]');

export async function syncState(page: Page): Promise<{ state: string | null; pending: number }> {
  const el = indicator(page);
  return {
    state: await el.getAttribute('data-state'),
    pending: Number(await el.getAttribute('data-pending')),
  };
}

/** Adds a task through the app's form (English UI) and waits for its row. */
export async function addTask(page: Page, title: string) {
  await page.getByLabel('New task').fill(title);
  await page.getByLabel('New task').press('Enter');
  await taskRow(page, title).waitFor();
}
