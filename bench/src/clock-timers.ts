/**
 * Pending clock timers in one runner (issue 12): `--timers` (default 10,000) timers started through
 * the clock bot's own command path, all pending at once, then ending; how late each end fires
 * (the row's `doneAt` — written right after the mention was sent — minus its `endsAt`), and what a
 * pending timer costs in Redis (its BullMQ jobs, `MEMORY USAGE` of the run's keys) and in the
 * runner's heap. The baseline, measured in the same run on the same Redis: as many bare BullMQ
 * delayed jobs through the runtime's job module with a no-op handler (no claim, no bot).
 *
 * Real: BullMQ on Redis, the job claims in Postgres (`bots.fired_jobs`), the dispatcher and the
 * clock bot (its countdown ticks included: one edit job per timer every 10 s, run as the bot declares
 * them — no claim, removed once done, behind the ends in priority). In memory: Matrix (a fake port
 * that records sends), sync (the runtime's in-memory stores), bot state (kv). `--concurrency`: the
 * worker's (default 8, the runner's).
 *
 *   npm exec -- node --expose-gc bench/src/clock-timers.ts [--timers 10000] [--seconds 60] [--users 100] [--concurrency 8]
 */
import { clockBot } from '@mana/bot-clock';
import { createBullJobs, createDispatcher, settingsOnSync, type JobPayload } from '@mana/bot-runtime';
import {
  fakeMatrix,
  memoryCredits,
  memoryIdentity,
  memoryKv,
  memoryStores,
  textEvent,
} from '@mana/bot-runtime/testing';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { createTestDatabase, createTestRedis } from '@mana/testing';
import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import { createBotMetrics, jobClaimsOf, openRuntimeState } from '@mana/bot-runtime/testing';
import { summarize } from './stats.ts';

// Errors only: the bench's dispatcher has no watcher, so each `timer` logs that it cannot watch.
const log = createLogger({ service: 'bench-clock', level: 'error' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gc() {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Bytes Redis holds for every key under `prefix`. */
async function redisBytes(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let total = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of keys) pipe.memory('USAGE', k);
    for (const [, v] of (await pipe.exec()) ?? []) total += typeof v === 'number' ? v : 0;
  } while (cursor !== '0');
  return total;
}

interface Run {
  delays: number[];
  fired: number;
  redisBytesPerTimer: number;
  heapBytesPerTimer: number;
  scheduleSeconds: number;
}

/** Bare BullMQ: `n` delayed jobs spread like the timers, a handler that only notes the delay. */
async function baseline(
  options: { redisUrl: string; prefix: string; concurrency: number },
  n: number,
  delayMs: number,
): Promise<Run> {
  const { redisUrl, prefix } = options;
  const jobs = createBullJobs({ redisUrl, prefix, log, concurrency: options.concurrency });
  const redis = new Redis(redisUrl);
  const delays: number[] = [];
  const dueAt = new Map<string, number>();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const bytes0 = await redisBytes(redis, prefix);
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const at = new Date(Date.now() + delayMs);
    const jobId = `base-${i}`;
    dueAt.set(jobId, at.getTime());
    await jobs.scheduler.schedule({ botId: 'none', name: 'noop', data: {}, jobId, at });
  }
  const scheduleSeconds = (Date.now() - t0) / 1000;
  gc();
  const heapBytesPerTimer = (process.memoryUsage().heapUsed - heap0) / n;
  const redisBytesPerTimer = ((await redisBytes(redis, prefix)) - bytes0) / n;
  jobs.start(async (job: JobPayload) => {
    const due = dueAt.get(job.jobId);
    if (due !== undefined) delays.push(Date.now() - due);
  });
  const deadline = Date.now() + delayMs + 120_000;
  while (delays.length < n && Date.now() < deadline) await sleep(200);
  await jobs.close();
  redis.disconnect();
  return { delays, fired: delays.length, redisBytesPerTimer, heapBytesPerTimer, scheduleSeconds };
}

/** The clock bot: `n` timers over `users` users, started with `timer <seconds>s`. */
async function clockTimers(
  options: { redisUrl: string; prefix: string; databaseUrl: string; concurrency: number },
  n: number,
  users: number,
  seconds: number,
): Promise<Run> {
  const state = await openRuntimeState({
    databaseUrl: options.databaseUrl,
    schema: 'bots',
    appserviceId: 'bench',
  });
  const jobs = createBullJobs({
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    log,
    concurrency: options.concurrency,
  });
  const redis = new Redis(options.redisUrl);
  const people = Array.from({ length: users }, (_, i) => `@u${i}:mana.test`);
  const members = new Map(people.map((u, i) => [`!r${i}:mana.test`, [u, '@clock:mana.test']]));
  const identity = memoryIdentity(people);
  const stores = memoryStores(identity);
  const dispatcher = createDispatcher({
    bots: [clockBot],
    serverName: 'mana.test',
    namespace: /^@clock:mana\.test$/,
    matrix: fakeMatrix(members),
    kv: memoryKv(),
    identity,
    stores,
    credits: memoryCredits({}),
    settings: settingsOnSync(stores, { defaultTimezone: 'Europe/Berlin' }),
    scheduler: jobs.scheduler,
    claims: jobClaimsOf(state),
    metrics: createBotMetrics(createMetrics({ service: 'bench', defaults: false })),
    log,
    defaultLanguage: 'de',
    defaultTimezone: 'Europe/Berlin',
    webUrl: 'https://app.mana.test',
    inviteAllowList: [],
    progressAfterMs: 60_000,
    commandTimeoutMs: 30_000,
    maxMessageBytes: 8192,
    creditsAudience: 'urn:mana:credits',
  });
  // The jobs run as in the runner, whose worker is up while people start timers: it hands each due
  // job (the first countdown edits come 10 s after a start) to the dispatcher.
  jobs.start((job) => dispatcher.runJob(job));
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const bytes0 = await redisBytes(redis, options.prefix);
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const user = i % users;
    await dispatcher.handle(textEvent(people[user] ?? '', `!r${user}:mana.test`, `timer ${seconds}s`));
  }
  const scheduleSeconds = (Date.now() - t0) / 1000;
  gc();
  const heapBytesPerTimer = (process.memoryUsage().heapUsed - heap0) / n;
  const redisBytesPerTimer = ((await redisBytes(redis, options.prefix)) - bytes0) / n;

  const rows = () => people.flatMap((u) => stores.rows(u, 'clock', 'timers'));
  const deadline = Date.now() + seconds * 1000 + 180_000;
  let done = 0;
  while (Date.now() < deadline) {
    done = rows().filter((r) => r.state === 'done').length;
    if (done >= n) break;
    await sleep(500);
  }
  const delays = rows()
    .filter((r) => typeof r.doneAt === 'string' && typeof r.endsAt === 'string')
    .map((r) => Date.parse(String(r.doneAt)) - Date.parse(String(r.endsAt)));
  await jobs.close();
  await state.close();
  redis.disconnect();
  return { delays, fired: done, redisBytesPerTimer, heapBytesPerTimer, scheduleSeconds };
}

function report(name: string, n: number, run: Run): void {
  const s = summarize(run.delays);
  console.log(
    `${name.padEnd(12)} fired ${run.fired}/${n}  delay p50 ${s.p50.toFixed(0)} ms  p95 ${s.p95.toFixed(0)} ms  p99 ${s.p99.toFixed(0)} ms  max ${s.max.toFixed(0)} ms` +
      `  | scheduling ${run.scheduleSeconds.toFixed(1)} s  Redis ${(run.redisBytesPerTimer / 1024).toFixed(2)} KiB/timer  heap ${(run.heapBytesPerTimer / 1024).toFixed(2)} KiB/timer`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      timers: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '60' },
      users: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const concurrency = Number(values.concurrency);
  const n = Number(values.timers);
  const seconds = Number(values.seconds);
  const users = Number(values.users);
  const [db, redis] = await Promise.all([createTestDatabase('bench_clock'), createTestRedis('bench_clock')]);
  try {
    if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
      console.error('(run with --expose-gc for steadier heap figures)');
    const base = await baseline(
      { redisUrl: redis.url, prefix: `${redis.prefix}base`, concurrency },
      n,
      seconds * 1000,
    );
    const clock = await clockTimers(
      { redisUrl: redis.url, prefix: `${redis.prefix}clock`, databaseUrl: db.url, concurrency },
      n,
      users,
      seconds,
    );
    report('bullmq-noop', n, base);
    report('clock-bot', n, clock);
    const b = summarize(base.delays);
    const c = summarize(clock.delays);
    console.log(
      `clock-bot delay p99 ${c.p99.toFixed(0)} ms = ${(c.p99 / Math.max(1, b.p99)).toFixed(2)}× bullmq-noop p99 ${b.p99.toFixed(0)} ms (goal: clock p99 ≤ 1000 ms)`,
    );
  } finally {
    await Promise.allSettled([db.drop(), redis.cleanup()]);
  }
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
