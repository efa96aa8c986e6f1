/**
 * Jobs on REAL Redis (BullMQ) and Postgres (the claims): moving a delayed job; a series (cron with
 * seconds, in a time zone) run by two workers on one Redis prefix, each occurrence handled once in
 * total and none skipped but by the misfire policy (taken a whole period late); one of two workers
 * SIGKILLed mid-run, still none lost or doubled; per-kind options (an idempotent kind leaves Redis
 * once done, a prioritized kind waits behind due jobs without a priority, a moved job keeps both);
 * a stalled idempotent job delivered again, the job it chains added once; the test-only delay scale.
 */
import { createLogger } from '@mana/logging';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@mana/testing';
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createBullJobs, QUEUE_NAME, safeJobId, type BullJobs, type JobPayload } from './jobs.ts';
import { openRuntimeState, type RuntimeState } from './state.ts';

let db: TestDatabase;
let redis: TestRedis;
let state: RuntimeState;
const log = createLogger({ service: 'jobs-int', level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open: BullJobs[] = [];

const instance = () => {
  const jobs = createBullJobs({
    redisUrl: redis.url,
    prefix: `${redis.prefix}bull`,
    log,
    lockDurationMs: 1000,
    stalledIntervalMs: 500,
  });
  open.push(jobs);
  return jobs;
};

/** The occurrences of `key` claimed in Postgres, as instants (ms), sorted. */
async function claimed(key: string): Promise<number[]> {
  const rows = await state.sql<
    { job_id: string }[]
  >`select job_id from fired_jobs where job_id like ${`${key}@%`}`;
  return rows.map((r) => Date.parse(r.job_id.slice(key.length + 1))).sort((a, b) => a - b);
}

const gaps = (ms: number[]) => ms.slice(1).map((m, i) => m - (ms[i] ?? 0));

/**
 * Occurrences after which one or more were skipped although the worker took that one on time.
 * BullMQ computes a series' next occurrence from when a worker takes the current one, so a worker
 * that takes an occurrence a whole period late (a loaded machine, a takeover after a kill) skips
 * the ones it missed: that is the misfire policy, not a lost job. Anything else is.
 */
function unexplainedGaps(at: number[], handledAt: Map<number, number>, periodMs: number): number[] {
  return at.filter((t, i) => {
    const next = at[i + 1];
    if (next === undefined || next - t === periodMs) return false;
    return (handledAt.get(t) ?? Infinity) - t < periodMs;
  });
}

/** `<key>@<ISO>` → the instant in ms. */
const instantOf = (key: string, jobId: string) => Date.parse(jobId.slice(key.length + 1));

beforeAll(async () => {
  [db, redis] = await Promise.all([createTestDatabase('jobs'), createTestRedis('jobs')]);
  state = await openRuntimeState({ databaseUrl: db.url, schema: 'bots', appserviceId: 'jobs-int' });
});

afterAll(async () => {
  await Promise.all(open.map((j) => j.close({ force: true }).catch(() => undefined)));
  await state?.close();
  await redis?.cleanup();
  await db?.drop();
});

describe('delayed jobs', () => {
  it('move: earlier runs then, later waits, unknown or done is false', async () => {
    const jobs = instance();
    const ran: { id: string; at: number }[] = [];
    jobs.start(async (job) => void ran.push({ id: job.jobId, at: Date.now() }));
    const t0 = Date.now();
    await jobs.scheduler.schedule({
      botId: 'b',
      name: 'n',
      data: 1,
      jobId: 'early',
      at: new Date(t0 + 60_000),
    });
    await jobs.scheduler.schedule({ botId: 'b', name: 'n', data: 2, jobId: 'late', at: new Date(t0 + 800) });
    expect(await jobs.scheduler.move('early', new Date(t0 + 300))).toBe(true);
    expect(await jobs.scheduler.move('late', new Date(t0 + 60_000))).toBe(true);
    expect(await jobs.scheduler.move('unknown', new Date(t0))).toBe(false);
    await sleep(2000);
    expect(ran.map((r) => r.id)).toEqual(['early']);
    expect(await jobs.scheduler.move('early', new Date(t0 + 5000))).toBe(false); // ran already
    await jobs.scheduler.cancel('late');
    await jobs.close();
  });
});

describe('the test-only delay scale (BOT_TEST_DELAY_SCALE)', () => {
  it('at 60, a job due in a minute runs after about a second; one due in an hour does not', async () => {
    const jobs = createBullJobs({
      redisUrl: redis.url,
      prefix: `${redis.prefix}scaled`,
      log,
      delayScale: 60,
    });
    open.push(jobs);
    const ran: { id: string; after: number }[] = [];
    const t0 = Date.now();
    jobs.start(async (job) => void ran.push({ id: job.jobId, after: Date.now() - t0 }));
    const at = (ms: number) => new Date(t0 + ms);
    await jobs.scheduler.schedule({ botId: 'b', name: 'n', data: 1, jobId: 'minute', at: at(60_000) });
    await jobs.scheduler.schedule({ botId: 'b', name: 'n', data: 2, jobId: 'hour', at: at(3_600_000) });
    await jobs.scheduler.schedule({ botId: 'b', name: 'n', data: 3, jobId: 'moved', at: at(3_600_000) });
    expect(await jobs.scheduler.move('moved', at(120_000))).toBe(true); // → 2 s at this scale
    await sleep(3500);
    expect(ran.map((r) => r.id)).toEqual(['minute', 'moved']);
    expect(ran[0]?.after).toBeGreaterThanOrEqual(900);
    expect(ran[1]?.after).toBeGreaterThanOrEqual(1900);
    await jobs.scheduler.cancel('hour');
    await jobs.close();
  });
});

describe('repeatable jobs', () => {
  it('two workers, one series (*/1 s in Europe/Berlin): each occurrence once in total, none skipped', async () => {
    const key = `tick-${randomBytes(3).toString('hex')}`;
    const [a, b] = [instance(), instance()];
    const handled: string[] = [];
    const handledAt = new Map<number, number>();
    const run = (who: string) => async (job: JobPayload) => {
      const now = Date.now();
      if (typeof (await state.claimJob(job.jobId)) === 'string') return;
      handled.push(`${who} ${job.jobId}`);
      handledAt.set(instantOf(key, job.jobId), now);
    };
    const series = {
      botId: 'clock',
      name: 'tick',
      data: { n: 1 },
      key,
      repeat: { pattern: '*/1 * * * * *', tz: 'Europe/Berlin' },
    };
    // Both runners declare the series at start-up (idempotent), both consume.
    await Promise.all([a.scheduler.repeat(series), b.scheduler.repeat(series)]);
    a.start(run('a'));
    b.start(run('b'));
    await sleep(4200);
    expect(await a.scheduler.removeRepeatable(key)).toBe(true);
    await sleep(1200);
    const ids = handled.map((h) => h.split(' ')[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const at = await claimed(key);
    expect(at.length).toBeGreaterThanOrEqual(3);
    expect(at.length).toBe(ids.length);
    expect(gaps(at).every((g) => g > 0 && g % 1000 === 0)).toBe(true);
    expect(unexplainedGaps(at, handledAt, 1000)).toEqual([]);
    // Occurrence ids are the series key and the instant: `<key>@<ISO>`.
    expect(ids[0]).toMatch(new RegExp(`^${key}@\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000Z$`));
    // Removed: nothing more.
    const count = at.length;
    await sleep(1500);
    expect((await claimed(key)).length).toBe(count);
    await Promise.all([a.close(), b.close()]);
  }, 20_000);

  it('one of two workers SIGKILLed mid-run: every occurrence claimed exactly once, none lost', async () => {
    const key = `kill-${randomBytes(3).toString('hex')}`;
    const child = spawn(process.execPath, [new URL('./jobs-worker.fixture.ts', import.meta.url).pathname], {
      env: {
        ...process.env,
        FIX_DATABASE_URL: db.url,
        FIX_REDIS_URL: redis.url,
        FIX_PREFIX: `${redis.prefix}bull`,
        FIX_KEY: key,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childHandled: string[] = [];
    const handledAt = new Map<number, number>();
    let out = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const lines = out.split('\n');
        out = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'ready') resolve();
          if (line.startsWith('handled ')) {
            const [id = '', ms = ''] = line.slice('handled '.length).split(' ');
            childHandled.push(id);
            handledAt.set(instantOf(key, id), Number(ms));
          }
        }
      });
      child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    await ready;
    const survivor = instance();
    const handled: string[] = [];
    await survivor.scheduler.repeat({
      botId: 'clock',
      name: 'tick',
      data: null,
      key,
      repeat: { pattern: '*/1 * * * * *', tz: 'Europe/Berlin' },
    });
    // The child has worked on the series before the survivor joins; then both run, then the kill.
    for (let i = 0; i < 50 && childHandled.length === 0; i++) await sleep(100);
    survivor.start(async (job) => {
      const now = Date.now();
      if (typeof (await state.claimJob(job.jobId, 1500)) === 'string') return;
      handled.push(job.jobId);
      handledAt.set(instantOf(key, job.jobId), now);
      await state.finishJob(job.jobId);
    });
    await sleep(2000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const handledByChild = childHandled.length;
    // Long enough for a job the child held to lose its lock (1 s) and be taken over (checked every 0.5 s).
    await sleep(3500);
    await survivor.scheduler.removeRepeatable(key);
    await sleep(1200);
    const at = await claimed(key);
    expect(gaps(at).every((g) => g > 0 && g % 1000 === 0)).toBe(true);
    // A gap only where the occurrence before it was taken a period late (the takeover of the one
    // the child was killed on is late by design: its lease had to run out first).
    expect(unexplainedGaps(at, handledAt, 1000)).toEqual([]);
    expect(at.length).toBeGreaterThanOrEqual(4);
    const all = [...childHandled, ...handled];
    // Every occurrence was handled: one the child claimed and was killed on is taken over by the
    // survivor once its lease ran out (at least once; a post's txn id keeps it from doubling).
    const instants = new Set(all.map((id) => Date.parse(id.slice(key.length + 1))));
    expect([...instants].sort((a, b) => a - b)).toEqual(at);
    // Only an occurrence the child was killed on may have been handled twice.
    expect(all.length - instants.size).toBeLessThanOrEqual(1);
    const unfinished =
      await state.sql`select job_id from fired_jobs where job_id like ${`${key}@%`} and done_at is null`;
    expect(unfinished).toHaveLength(0);
    expect(childHandled.length).toBeGreaterThan(0);
    // The survivor went on after the kill.
    expect(handled.length).toBeGreaterThan(0);
    expect(childHandled.length).toBe(handledByChild);
    await survivor.close();
  }, 30_000);
});

describe('a stalled idempotent job (its worker died mid-run)', () => {
  it('is delivered again; the chain it schedules stays one: an id still queued is not added twice', async () => {
    // What the clock's countdown relies on after a kill -9: BullMQ hands the stalled tick out again,
    // and the tick it then chains (`nextTick`) has the id of the one the live chain already queued.
    const prefix = `${redis.prefix}stalled`;
    const make = () => {
      const jobs = createBullJobs({
        redisUrl: redis.url,
        prefix,
        log,
        lockDurationMs: 1000,
        stalledIntervalMs: 500,
      });
      open.push(jobs);
      return jobs;
    };
    const tick = { idempotent: true, priority: 10 };
    const dying = make();
    const deliveries: string[] = [];
    let taken!: () => void;
    const tookIt = new Promise<void>((r) => (taken = r));
    const next = (jobs: BullJobs) =>
      jobs.scheduler.schedule({
        botId: 'clock',
        name: 'tick',
        data: 2,
        jobId: 'tick:2',
        at: new Date(Date.now() + 60_000),
        options: tick,
      });
    dying.start(async (job) => {
      deliveries.push(`dying ${job.jobId}`);
      await next(dying);
      taken();
      await new Promise(() => undefined); // never answers: the process is gone
    });
    await dying.scheduler.schedule({
      botId: 'clock',
      name: 'tick',
      data: 1,
      jobId: 'tick:1',
      at: new Date(),
      options: tick,
    });
    await tookIt;
    await dying.close({ force: true }); // no lock renewal from here on, as after a SIGKILL
    const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url }, prefix });
    const queued = await queue.getJob(safeJobId('tick:2'));
    const survivor = make();
    survivor.start(async (job) => {
      deliveries.push(`survivor ${job.jobId}`);
      await next(survivor);
    });
    const deadline = Date.now() + 10_000;
    while (deliveries.length < 2 && Date.now() < deadline) await sleep(100);
    await sleep(300);
    expect(deliveries).toEqual(['dying tick:1', 'survivor tick:1']);
    // One tick 2, the one queued first (same timestamp): the redelivery added no second one.
    expect(await queue.getJobCounts('delayed', 'prioritized', 'waiting')).toMatchObject({ delayed: 1 });
    expect((await queue.getJob(safeJobId('tick:2')))?.timestamp).toBe(queued?.timestamp);
    // Once tick 1 is done it leaves Redis (idempotent): a copy of the chain that re-added a *done*
    // tick would get a fresh job — why the clock numbers the next tick from the time.
    await sleep(300);
    expect(await queue.getJob(safeJobId('tick:1'))).toBeUndefined();
    await survivor.scheduler.cancel('tick:2');
    await survivor.close();
    await queue.close();
  }, 20_000);
});

describe('a series left without its next occurrence', () => {
  it('is rescheduled when a worker starts', async () => {
    const key = `orphan-${randomBytes(3).toString('hex')}`;
    const jobs = instance();
    await jobs.scheduler.repeat({
      botId: 'clock',
      name: 'tick',
      data: null,
      key,
      repeat: { pattern: '*/1 * * * * *', tz: 'UTC' },
    });
    // As if a worker died between taking an occurrence and adding the next: the next job is gone.
    const r = new Redis(redis.url);
    const bull = `${redis.prefix}bull:bot-jobs`;
    const [nextId] = await r.zrange(`${bull}:delayed`, 0, -1);
    expect(nextId).toMatch(/^repeat:orphan-/);
    await r.zrem(`${bull}:delayed`, nextId ?? '');
    await r.del(`${bull}:${nextId}`);
    await r.quit();
    const later = instance();
    later.start(async (job) => void (await state.claimJob(job.jobId)));
    await sleep(2500);
    await later.scheduler.removeRepeatable(key);
    expect((await claimed(key)).length).toBeGreaterThanOrEqual(1);
  }, 15_000);
});

describe('job options per kind', () => {
  it('due jobs without a priority run first; idempotent ones leave Redis once done; a move keeps both', async () => {
    const prefix = `${redis.prefix}kinds`;
    const jobs = createBullJobs({ redisUrl: redis.url, prefix, log, concurrency: 1 });
    open.push(jobs);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection, prefix });
    const tick = { idempotent: true, priority: 10 };
    const now = new Date();
    // Five cosmetic jobs first, the one that must be on time last: all due before the worker starts.
    for (let i = 0; i < 5; i++)
      await jobs.scheduler.schedule({
        botId: 'b',
        name: 'tick',
        data: i,
        jobId: `tick:${i}`,
        at: now,
        options: tick,
      });
    await jobs.scheduler.schedule({ botId: 'b', name: 'end', data: 0, jobId: 'end:0', at: now });
    // A due job that is moved is added again: with its kind's options.
    await jobs.scheduler.schedule({
      botId: 'b',
      name: 'tick',
      data: 9,
      jobId: 'tick:9',
      at: now,
      options: tick,
    });
    expect(await jobs.scheduler.move('tick:9', new Date(Date.now() + 60_000))).toBe(true);
    const moved = await queue.getJob(safeJobId('tick:9'));
    expect(moved?.opts).toMatchObject({ priority: 10, removeOnComplete: true });
    expect(await moved?.getState()).toBe('delayed');
    await jobs.scheduler.cancel('tick:9');

    const order: string[] = [];
    jobs.start(async (job) => void order.push(job.jobId));
    const deadline = Date.now() + 20_000;
    while (order.length < 6 && Date.now() < deadline) await sleep(50);
    expect(order[0]).toBe('end:0');
    expect(order.slice(1).sort()).toEqual(['tick:0', 'tick:1', 'tick:2', 'tick:3', 'tick:4']);
    await sleep(200); // the last completion is written after the handler returned
    for (let i = 0; i < 5; i++) expect(await queue.getJob(safeJobId(`tick:${i}`))).toBeUndefined();
    expect(await (await queue.getJob(safeJobId('end:0')))?.getState()).toBe('completed');
    await jobs.close();
    await queue.close();
    connection.disconnect();
  });
});
