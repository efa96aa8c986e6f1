/**
 * Web app performance in headless Chromium, each figure next to a baseline measured in the same run:
 *
 * - `web-write-dom`: type a task title and submit the form → the new row is in the DOM (the local
 *   write goes through the sync engine and its IndexedDB outbox). Baseline `raw-idb-dom`: in the same
 *   page, a raw IndexedDB put in its own transaction plus appending a `<li>`: the least a persisted
 *   local write shown on screen can cost.
 * - `web-cold-start`: a fresh browser profile (no cache, no service worker, no IndexedDB) opens the app
 *   → the first render with the rows from the local store (`performance.mark('mana:interactive')`,
 *   relative to navigation start). Baseline `blank-page`: a fresh profile loading an empty HTML page
 *   from the same server, to the same kind of mark.
 *
 *   node bench/src/web-perf.ts [--samples 200] [--cold-samples 30] [--json bench/results/web.json]
 *
 * Guest mode: no auth or sync server is involved (a write never waits for the network anyway).
 * The app is built first into a temp dir (production mode).
 */
import { startStaticServer } from '@mana/web/serve';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { formatRatio, formatTable, summarize } from './stats.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface WebPerfResults {
  writeDom: BenchResult;
  rawIdbDom: BenchResult;
  coldStart: BenchResult;
  blankPage: BenchResult;
}

function buildApp(outDir: string): void {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    {
      cwd: join(ROOT, 'web'),
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  if (r.status !== 0) throw new Error(`vite build failed: ${r.stderr}${r.stdout}`);
}

const result = (name: string, samples: number[]): BenchResult => ({
  name,
  samples,
  stats: summarize(samples),
});

/** Submits the add-task form `n` times; each sample is submit → the row is in the DOM. */
async function measureWrites(page: Page, n: number, warmup: number): Promise<number[]> {
  return page.evaluate(
    async ({ n, warmup }) => {
      const form = document.querySelector<HTMLFormElement>('form.add-task');
      const input = form?.querySelector<HTMLInputElement>('input[name="title"]');
      if (!form || !input) throw new Error('add-task form not found');
      const out: number[] = [];
      for (let i = 0; i < n + warmup; i++) {
        const title = `bench task ${i} ${Math.random().toString(36).slice(2, 8)}`;
        const seen = new Promise<number>((resolve) => {
          const obs = new MutationObserver(() => {
            for (const el of document.querySelectorAll('li.task .title'))
              if (el.textContent === title) {
                obs.disconnect();
                resolve(performance.now());
                return;
              }
          });
          obs.observe(document.body, { childList: true, subtree: true, characterData: true });
        });
        input.value = title;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const t0 = performance.now();
        form.requestSubmit();
        const t1 = await seen;
        if (i >= warmup) out.push(t1 - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
      return out;
    },
    { n, warmup },
  );
}

/** The baseline in the same page: a raw IndexedDB put (own database) + appending a list item. */
async function measureRawIdb(page: Page, n: number, warmup: number): Promise<number[]> {
  return page.evaluate(
    async ({ n, warmup }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('bench-baseline', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('rows', { keyPath: 'id' });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('open failed'));
      });
      const list = document.createElement('ul');
      document.body.append(list);
      const out: number[] = [];
      for (let i = 0; i < n + warmup; i++) {
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('rows', 'readwrite');
          tx.objectStore('rows').put({ id: `r${i}`, title: `row ${i}`, priority: 4, completed: false });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('put failed'));
        });
        const li = document.createElement('li');
        li.textContent = `row ${i}`;
        list.append(li);
        const t1 = performance.now();
        if (i >= warmup) out.push(t1 - t0);
        await new Promise((r) => setTimeout(r, 5));
      }
      list.remove();
      db.close();
      return out;
    },
    { n, warmup },
  );
}

/** Fresh profile per sample: navigation start → `mana:interactive`. */
async function measureColdStarts(browser: Browser, url: string, ready: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator(ready).waitFor();
    const t = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const check = () => {
            const m = performance.getEntriesByName('mana:interactive')[0];
            if (m) resolve(m.startTime);
            else setTimeout(check, 5);
          };
          check();
        }),
    );
    if (i > 0) out.push(t); // the first one warms the server's file cache and Chromium itself
    await context.close();
  }
  return out;
}

export async function runWebPerf(options: { samples: number; coldSamples: number }): Promise<WebPerfResults> {
  const dist = mkdtempSync(join(tmpdir(), 'mana-web-bench-'));
  const blankDir = mkdtempSync(join(tmpdir(), 'mana-blank-'));
  mkdirSync(blankDir, { recursive: true });
  writeFileSync(
    join(blankDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><main data-ready="true">blank</main><script>performance.mark('mana:interactive')</script></body></html>`,
  );
  buildApp(dist);
  const config = { authIssuer: 'http://127.0.0.1:9', syncUrl: 'http://127.0.0.1:9', clientId: 'web' };
  const app = await startStaticServer({ dir: dist, config });
  const blank = await startStaticServer({ dir: blankDir });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  try {
    const coldStart = result(
      'web-cold-start',
      await measureColdStarts(browser, `${app.url}/#/todo`, 'main[data-ready="true"]', options.coldSamples),
    );
    const blankPage = result(
      'blank-page',
      await measureColdStarts(browser, `${blank.url}/`, 'main[data-ready="true"]', options.coldSamples),
    );

    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${app.url}/#/todo`);
    await page.locator('main[data-ready="true"]').waitFor();
    const warmup = Math.min(20, Math.ceil(options.samples / 10));
    const rawIdbDom = result('raw-idb-dom', await measureRawIdb(page, options.samples, warmup));
    const writeDom = result('web-write-dom', await measureWrites(page, options.samples, warmup));
    await context.close();
    return { writeDom, rawIdbDom, coldStart, blankPage };
  } finally {
    await browser.close();
    await app.close();
    await blank.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(blankDir, { recursive: true, force: true });
  }
}

/** For `bench/src/run.ts`: the write → DOM figure (its baseline is measured inside the same run). */
export const webWriteDom: Benchmark = {
  name: 'web-write-dom',
  description: 'Web app: submit a task → its row is in the DOM (local write via the sync engine + IndexedDB)',
  async run({ samples }) {
    const r = await runWebPerf({ samples, coldSamples: 1 });
    return r.writeDom;
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: '200' },
      'cold-samples': { type: 'string', default: '30' },
      json: { type: 'string' },
    },
  });
  const samples = Number(values.samples);
  const coldSamples = Number(values['cold-samples']);
  if (!Number.isInteger(samples) || samples < 1 || !Number.isInteger(coldSamples) || coldSamples < 1)
    throw new Error('--samples and --cold-samples must be positive integers');
  console.error(`web-perf: ${samples} writes, ${coldSamples} cold starts…`);
  const r = await runWebPerf({ samples, coldSamples });
  const rows = [r.rawIdbDom, r.writeDom, r.blankPage, r.coldStart];
  console.log(formatTable(rows));
  for (const key of ['p50', 'p95'] as const) {
    console.log(formatRatio(r.writeDom, r.rawIdbDom, key));
    console.log(formatRatio(r.coldStart, r.blankPage, key));
  }
  if (values.json) {
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(values.json, `${JSON.stringify(rows, null, 2)}\n`);
  }
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
