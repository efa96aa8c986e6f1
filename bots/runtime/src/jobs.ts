/**
 * Delayed jobs in Redis with BullMQ: a bot schedules `(name, data)` for a time; the worker in the
 * runner (any runner hosting that bot) runs it then. Jobs survive restarts of the process that
 * queued them; a fixed `jobId` keeps one job however often it is scheduled.
 */
import type { Logger } from '@mana/logging';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Scheduler } from './ports.ts';

export const QUEUE_NAME = 'bot-jobs';

export interface JobPayload {
  botId: string;
  name: string;
  jobId: string;
  data: unknown;
}

export interface BullJobs {
  scheduler: Scheduler;
  /** Starts consuming; `run` is called once per due job (errors retry with backoff). */
  start(run: (job: JobPayload) => Promise<void>): void;
  close(): Promise<void>;
  ping(): Promise<void>;
}

/** BullMQ wants ids without ':' (its key separator). */
export function safeJobId(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9_.-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
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

export function createBullJobs(options: {
  redisUrl: string;
  prefix: string;
  log: Logger;
  concurrency?: number;
}): BullJobs {
  const connection = connectionFromUrl(options.redisUrl);
  const queue = new Queue<JobPayload>(QUEUE_NAME, { connection, prefix: options.prefix });
  let worker: Worker<JobPayload> | undefined;
  const log = options.log.child({ component: 'jobs' });
  queue.on('error', (err) => log.warn({ err: err.message }, 'queue error'));
  return {
    scheduler: {
      async schedule({ botId, name, data, jobId, at }) {
        const delay = Math.max(0, at.getTime() - Date.now());
        await queue.add(
          name,
          { botId, name, jobId, data },
          {
            jobId: safeJobId(jobId),
            delay,
            attempts: 10,
            backoff: { type: 'exponential', delay: 2000 },
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: { age: 30 * 24 * 3600 },
          },
        );
      },
      async cancel(jobId) {
        await queue.remove(safeJobId(jobId)).catch(() => 0);
      },
    },
    start(run) {
      worker = new Worker<JobPayload>(QUEUE_NAME, async (job) => run(job.data), {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 8,
      });
      worker.on('failed', (job, err) => log.warn({ jobId: job?.data.jobId, err: err.message }, 'job failed'));
      worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
    },
    async close() {
      await worker?.close();
      await queue.close();
    },
    async ping() {
      // A cheap round trip through the queue's own connection.
      await queue.getJobCounts('delayed');
    },
  };
}
