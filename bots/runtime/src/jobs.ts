/**
 * Jobs in Redis with BullMQ: a bot schedules `(name, data)` for a time, or as a series (cron in a
 * time zone, or every N ms); the worker in the runner (any runner hosting that bot) runs it then.
 * Jobs survive restarts of the process that queued them; a fixed `jobId` keeps one job however often
 * it is scheduled, and a series key one series.
 *
 * Exactly once: BullMQ delivers at least once (a job whose worker died is handed to another one when
 * its lock expires). Every delivery carries a deterministic id — the job id, or for an occurrence of
 * a series `<key>@<ISO instant>` — which the runner claims in Postgres (`claimJob`) before the
 * handler runs, so two runners on one Redis, or a runner restarted mid-job, never run it twice.
 */
import type { Logger } from '@mana/logging';
import { defaultRepeatStrategy, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { JobOptions, RepeatableJob, RepeatSchedule, Scheduler } from './ports.ts';
import { assertTimezone } from './timezone.ts';

export const QUEUE_NAME = 'bot-jobs';

export interface JobPayload {
  botId: string;
  name: string;
  /** The id to claim: the job's own, or `<key>@<ISO instant>` for an occurrence of a series. */
  jobId: string;
  data: unknown;
  /** For an occurrence of a series: its key and scheduled instant. */
  repeat?: { key: string; at: string };
}

export interface BullJobs {
  scheduler: Scheduler;
  /** Starts consuming; `run` is called once per due job (errors retry with backoff). */
  start(run: (job: JobPayload) => Promise<void>): void;
  /**
   * Stops the worker (waiting for jobs in flight) and the queue. `force`: do not wait, as if the
   * process died; the jobs in flight go to another worker once their locks expire.
   */
  close(options?: { force?: boolean }): Promise<void>;
  ping(): Promise<void>;
}

/** BullMQ wants ids without ':' (its key separator). */
export function safeJobId(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9_.-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

/** The id an occurrence of series `key` at `at` is claimed under. */
export function occurrenceId(key: string, at: Date): string {
  return `${key}@${at.toISOString()}`;
}

function connectionFromUrl(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * The next `count` instants of a cron pattern in a time zone after `from`, computed exactly as
 * BullMQ's job schedulers do (cron-parser with `tz`), so across DST changes too.
 *
 * @example
 * nextOccurrences('0 9 * * *', { tz: 'Europe/Berlin', from: new Date('2027-03-27T12:00Z'), count: 2 })
 * // → 2027-03-28T07:00:00Z (CEST), 2027-03-29T07:00:00Z
 */
export function nextOccurrences(
  pattern: string,
  options: { tz: string; from?: Date; count?: number },
): Date[] {
  assertTimezone(options.tz);
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6)
    throw new Error(
      `invalid cron pattern "${pattern}": 5 fields (minute hour day month weekday), or 6 with seconds first`,
    );
  const out: Date[] = [];
  let millis = (options.from ?? new Date()).getTime();
  for (let i = 0; i < (options.count ?? 1); i++) {
    let next: number | undefined;
    try {
      next = defaultRepeatStrategy(millis, { pattern, tz: options.tz });
    } catch (err) {
      throw new Error(
        `invalid cron pattern "${pattern}": ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
    if (next === undefined) break;
    out.push(new Date(next));
    millis = next;
  }
  return out;
}

function checkSchedule(repeat: RepeatSchedule): void {
  if ('everyMs' in repeat) {
    if (!Number.isInteger(repeat.everyMs) || repeat.everyMs < 1000)
      throw new Error(`every: a whole number of ms ≥ 1000, not ${repeat.everyMs}`);
    return;
  }
  if (nextOccurrences(repeat.pattern, { tz: repeat.tz }).length === 0)
    throw new Error(`cron pattern "${repeat.pattern}" never fires`);
}

const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * BullMQ options for a job of a kind: an idempotent one is removed once done (a completed job
 * kept 7 days is ~1 KiB of Redis each, and a countdown makes one every 10 s); a priority puts it
 * behind every due job without one.
 */
export function bullOptions(kind: JobOptions | undefined) {
  return {
    ...JOB_OPTIONS,
    ...(kind?.idempotent ? { removeOnComplete: true } : {}),
    ...(kind?.priority ? { priority: kind.priority } : {}),
  };
}

/** What `run` gets for a BullMQ job: an occurrence of a series gets its deterministic id. */
export function payloadOf(job: Pick<Job<JobPayload>, 'id' | 'data' | 'repeatJobKey'>): JobPayload {
  const data = job.data;
  if (!job.repeatJobKey || !job.id) return data;
  // Scheduler jobs are `repeat:<scheduler id>:<instant in ms>`.
  const millis = Number(job.id.slice(job.id.lastIndexOf(':') + 1));
  if (!Number.isFinite(millis)) return data;
  const at = new Date(millis);
  return { ...data, jobId: occurrenceId(data.jobId, at), repeat: { key: data.jobId, at: at.toISOString() } };
}

export function createBullJobs(options: {
  redisUrl: string;
  prefix: string;
  log: Logger;
  concurrency?: number;
  /** How long a worker holds a job before another may take it over (BullMQ default 30 s). */
  lockDurationMs?: number;
  /** How often a worker looks for jobs whose worker died (BullMQ default 30 s). */
  stalledIntervalMs?: number;
  /**
   * Test only (`BOT_TEST_DELAY_SCALE`): a delayed job waits this many times less than its instant
   * says, so a test of a 10-minute snooze waits 10 s at 60. Series (cron) are not scaled. Default 1.
   */
  delayScale?: number;
}): BullJobs {
  const connection = connectionFromUrl(options.redisUrl);
  const queue = new Queue<JobPayload>(QUEUE_NAME, { connection, prefix: options.prefix });
  let worker: Worker<JobPayload> | undefined;
  const log = options.log.child({ component: 'jobs' });
  queue.on('error', (err) => log.warn({ err: err.message }, 'queue error'));

  const scale = options.delayScale ?? 1;
  const delayUntil = (at: Date) => Math.round(Math.max(0, at.getTime() - Date.now()) / scale);

  const scheduler: Scheduler = {
    async schedule({ botId, name, data, jobId, at, options: kind }) {
      const delay = delayUntil(at);
      await queue.add(
        name,
        { botId, name, jobId, data },
        { ...bullOptions(kind), jobId: safeJobId(jobId), delay },
      );
    },
    async cancel(jobId) {
      await queue.remove(safeJobId(jobId)).catch(() => 0);
    },
    async move(jobId, at) {
      const job = await queue.getJob(safeJobId(jobId));
      if (!job) return false;
      const delay = delayUntil(at);
      const state = await job.getState();
      if (state === 'delayed') {
        await job.changeDelay(delay);
        return true;
      }
      if (state === 'waiting' || state === 'prioritized') {
        // Due but not taken yet: put it back with the new delay (fails if a worker took it meanwhile).
        const removed = await job.remove().then(
          () => true,
          () => false,
        );
        if (!removed) return false;
        // The kind's options travel with the job (`job.opts`), so a moved job keeps them.
        const kind = {
          idempotent: job.opts.removeOnComplete === true,
          ...(job.opts.priority ? { priority: job.opts.priority } : {}),
        };
        await queue.add(job.name, job.data, { ...bullOptions(kind), jobId: safeJobId(jobId), delay });
        return true;
      }
      return false;
    },
    async repeat(job: RepeatableJob) {
      checkSchedule(job.repeat);
      const repeatOpts =
        'everyMs' in job.repeat
          ? { every: job.repeat.everyMs }
          : { pattern: job.repeat.pattern, tz: job.repeat.tz };
      await queue.upsertJobScheduler(safeJobId(job.key), repeatOpts, {
        name: job.name,
        data: { botId: job.botId, name: job.name, jobId: job.key, data: job.data },
        opts: JOB_OPTIONS,
      });
    },
    async removeRepeatable(key) {
      return queue.removeJobScheduler(safeJobId(key));
    },
  };

  /**
   * BullMQ adds a series' next occurrence when a worker takes the current one; a worker killed in
   * between leaves the series without one. At start-up every series whose next job is missing is
   * upserted again (idempotent: the next occurrence has a fixed id).
   */
  const reconcile = async () => {
    for (const s of await queue.getJobSchedulers(0, -1)) {
      const id = s.id ?? s.key;
      if (s.next !== undefined && (await queue.getJob(`repeat:${id}:${s.next}`))) continue;
      const data = s.template?.data;
      if (!data) continue;
      const repeatOpts = s.pattern
        ? { pattern: s.pattern, ...(s.tz ? { tz: s.tz } : {}) }
        : { every: s.every ?? 0 };
      if (!s.pattern && !s.every) continue;
      log.info({ key: data.jobId }, 'series had no next occurrence, rescheduling');
      await queue.upsertJobScheduler(id, repeatOpts, { name: s.name, data, opts: JOB_OPTIONS });
    }
  };

  return {
    scheduler,
    start(run) {
      reconcile().catch((err: unknown) => log.warn({ err }, 'could not check the series'));
      worker = new Worker<JobPayload>(QUEUE_NAME, async (job) => run(payloadOf(job)), {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 8,
        ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
        ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
      });
      worker.on('failed', (job, err) => {
        const jobId = job ? payloadOf(job).jobId : undefined;
        // Another runner is running it: expected with several runners, tried again with backoff.
        if (err.name === 'JobHeldError') log.info({ jobId }, 'job held by another runner, tried again later');
        else log.warn({ jobId, err: err.message }, 'job failed');
      });
      worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
    },
    async close(closeOptions = {}) {
      await worker?.close(closeOptions.force ?? false);
      await queue.close();
    },
    async ping() {
      // A cheap round trip through the queue's own connection.
      await queue.getJobCounts('delayed');
    },
  };
}
