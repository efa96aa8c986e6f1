/**
 * A runner's job side in its own process, for `jobs.int.test.ts` to SIGKILL: joins the series
 * `FIX_KEY` (every second), claims each occurrence in Postgres and prints `handled <id> <ms taken>`.
 */
import { createLogger } from '@mana/logging';
import { createBullJobs } from './jobs.ts';
import { openRuntimeState } from './state.ts';

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const state = await openRuntimeState({
  databaseUrl: need('FIX_DATABASE_URL'),
  schema: 'bots',
  appserviceId: 'fixture',
});
const jobs = createBullJobs({
  redisUrl: need('FIX_REDIS_URL'),
  prefix: need('FIX_PREFIX'),
  log: createLogger({ service: 'jobs-fixture', level: 'silent' }),
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
});
await jobs.scheduler.repeat({
  botId: 'clock',
  name: 'tick',
  data: null,
  key: need('FIX_KEY'),
  repeat: { pattern: '*/1 * * * * *', tz: 'Europe/Berlin' },
});
jobs.start(async (job) => {
  const now = Date.now();
  if (typeof (await state.claimJob(job.jobId, 1500)) === 'string') return;
  process.stdout.write(`handled ${job.jobId} ${now}\n`);
  await state.finishJob(job.jobId);
});
process.stdout.write('ready\n');
