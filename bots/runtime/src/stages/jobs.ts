/**
 * Scheduled jobs firing: the bot's job handler with a context to post into rooms and read users'
 * data. BullMQ delivers at least once; the claim (a lease in Postgres, renewed while the handler
 * runs, marked done after it) lets one runner at a time run a job, and a job whose runner died is
 * taken over once the lease ran out. A delivery that finds the claim held by a live runner fails
 * with `JobHeldError`, so BullMQ tries it again later (it finds the job done, or its holder dead);
 * it is never dropped as done. The posts carry a transaction id derived from the job id, so
 * Synapse keeps them from doubling. A job
 * kind the bot declares `idempotent` (`jobOptions`) runs without the claim: doubling it is harmless,
 * and at one countdown edit per timer every 10 s the claim's round trips are what delays the rest.
 */
import type { Lang } from '@mana/i18n';
import type { Logger } from '@mana/logging';
import type { JobContext, Json } from '../bot.ts';
import { noticeContent, toReply } from '../format.ts';
import type { MatrixPort } from '../matrix.ts';
import type { Credits, Identity, JobClaims, Kv, Scheduler, Stores } from '../ports.ts';
import { typedStore } from './context.ts';
import type { HostedBot } from './hosted.ts';

export interface JobRunnerDeps {
  hosted: readonly HostedBot[];
  matrix: MatrixPort;
  stores: Stores;
  identity: Identity;
  credits: Credits;
  creditsAudience: string;
  scheduler: Scheduler;
  kv: Kv;
  claims: JobClaims;
  lang: (userId: string) => Promise<Lang>;
  log: Logger;
  now: () => Date;
}

/**
 * The scheduler the stages use: every job a hosted bot schedules carries that bot's `jobOptions`
 * for its name, whoever schedules it (a command, a job, a watch).
 */
export function withJobOptions(scheduler: Scheduler, hosted: readonly HostedBot[]): Scheduler {
  const byId = new Map(hosted.map((b) => [b.info.id, b.def.jobOptions]));
  return {
    ...scheduler,
    schedule: (job) => {
      const options = byId.get(job.botId)?.[job.name];
      return scheduler.schedule(options ? { ...job, options } : job);
    },
  };
}

/** Another runner holds the job's claim: not done yet, so BullMQ must deliver it again later. */
export class JobHeldError extends Error {
  readonly jobId: string;
  constructor(jobId: string) {
    super(`job ${jobId} is being run by another runner; tried again later`);
    this.name = 'JobHeldError';
    this.jobId = jobId;
  }
}

/**
 * Runs `fn` under the claim `id`, renewing it meanwhile: `ran`, or `done` when it already ran.
 * Throws `JobHeldError` while another runner holds it; a failing `fn` releases the claim.
 */
export async function exclusively(
  claims: JobClaims,
  id: string,
  fn: () => Promise<void>,
  log: Logger,
): Promise<'ran' | 'done'> {
  const claim = await claims.claim(id);
  if (claim === 'done') return 'done';
  if (claim === 'held') throw new JobHeldError(id);
  const { token } = claim;
  const renewal = setInterval(() => {
    claims.renew(id, token).then(
      (held) => {
        if (!held) log.warn({ jobId: id }, 'job claim lost while running (it may run twice)');
      },
      (err: unknown) => log.warn({ jobId: id, err }, 'job claim renewal failed'),
    );
  }, claims.renewEveryMs);
  renewal.unref();
  let finished = false;
  try {
    await fn();
    finished = true;
  } finally {
    clearInterval(renewal);
    // A failed run gives the claim back (a retry takes it); a finished one is marked done.
    await (finished ? claims.finish(id) : claims.release(id, token));
  }
  return 'ran';
}

export function createJobRunner(deps: JobRunnerDeps) {
  const { log } = deps;
  function jobContext(bot: HostedBot, jobId: string, scheduledAt?: Date): JobContext {
    return {
      bot: bot.info,
      jobId,
      ...(scheduledAt ? { scheduledAt } : {}),
      log: log.child({ bot: bot.info.id, jobId }),
      now: deps.now(),
      async post(roomId, reply) {
        await deps.matrix.send(
          bot.info.userId,
          roomId,
          'm.room.message',
          noticeContent(toReply(reply)),
          `job:${jobId}`,
        );
      },
      store: async (userId, appId) => typedStore(await deps.stores.forUser(userId, appId)),
      lang: deps.lang,
      balance: async (userId) =>
        deps.credits.balance(await deps.identity.tokenFor(userId, deps.creditsAudience)),
      once: async (id, fn) => (await exclusively(deps.claims, id, fn, log)) === 'ran',
      upload: (bytes, options) => deps.matrix.uploadMedia(bot.info.userId, bytes, options),
      postContent: (roomId, content, options) =>
        deps.matrix.send(bot.info.userId, roomId, 'm.room.message', content, options?.txnKey),
      schedule: (name, data, o) =>
        deps.scheduler.schedule({ botId: bot.info.id, name, data, jobId: o.jobId, at: o.at }),
      cancel: (id) => deps.scheduler.cancel(id),
      moveJob: (id, at) => deps.scheduler.move(id, at),
      state: (userId) => ({
        get: (key) => deps.kv.get(bot.info.id, `user:${userId}`, key),
        set: (key, value) => deps.kv.set(bot.info.id, `user:${userId}`, key, value),
      }),
    };
  }
  const runJob = async function runJob(job: {
    botId: string;
    name: string;
    jobId: string;
    data: unknown;
    repeat?: { key: string; at: string } | undefined;
  }) {
    const { botId, name, jobId } = job;
    const bot = deps.hosted.find((b) => b.info.id === botId);
    const handler = bot?.def.jobs?.[name];
    if (!bot || !handler) {
      log.warn({ botId, name, jobId }, 'no handler for job (bot not hosted here?)');
      return;
    }
    const at = job.repeat ? new Date(job.repeat.at) : undefined;
    const ctx = jobContext(bot, jobId, at && !Number.isNaN(at.getTime()) ? at : undefined);
    if (bot.def.jobOptions?.[name]?.idempotent) {
      await handler(ctx, job.data as Json);
      return;
    }
    if ((await exclusively(deps.claims, jobId, () => handler(ctx, job.data as Json), log)) === 'done')
      log.info({ jobId }, 'job already fired, skipping');
  };
  return { runJob, jobContext };
}
