/**
 * A message a user asked for every day at a time of their choosing (the hub's morning summary, the
 * daily quote): a repeatable job per user (cron at that minute in the user's time zone) whose
 * occurrences are sent once per calendar day (moving the time later the same day does not send
 * twice, whichever runner takes it) and dropped, not sent hours late, past a grace period.
 */
import { hasStrings, type CommandContext, type Json, type JobContext } from './bot.ts';
import { NotLinkedError } from './errors.ts';
import { wallOf } from './zone.ts';

/** What every daily job carries: where to post, for whom, in which zone it was set up. */
export interface DailyTarget {
  roomId: string;
  userId: string;
  tz: string;
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function dayIn(instant: Date, timezone: string): string {
  const w = wallOf(instant, timezone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** `HH:MM`. */
export const clockTime = (t: { hour: number; minute: number }): string =>
  `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

function isDailyTarget(data: Json): data is Json & DailyTarget {
  return hasStrings(data, 'roomId', 'userId', 'tz');
}

/**
 * Sets (or moves) the sender's daily series `key` to `time` in their time zone, posting into this
 * room; the bot's job `job` sends it (see `dailyJob`).
 */
export async function setDaily(
  ctx: CommandContext,
  o: { job: string; key: string; time: { hour: number; minute: number } },
): Promise<{ time: string; tz: string }> {
  const target: DailyTarget = { roomId: ctx.roomId, userId: ctx.sender, tz: ctx.timezone };
  await ctx.repeat(
    o.job,
    { ...target },
    {
      key: o.key,
      repeat: { pattern: `${o.time.minute} ${o.time.hour} * * *`, tz: ctx.timezone },
    },
  );
  return { time: clockTime(o.time), tz: ctx.timezone };
}

/**
 * The job handler of a daily series: checks the payload, drops an occurrence more than `graceMs`
 * late, claims the user's day (`once`) and runs `send` for it. A user who unlinked their account
 * meanwhile is skipped quietly.
 */
export function dailyJob(o: {
  /** For logs: "morning summary", "daily quote". */
  what: string;
  graceMs: number;
  /** The series key of a user (the claim of a day is `<key>#<day>`). */
  keyOf: (userId: string) => string;
  send: (ctx: JobContext, target: DailyTarget, day: { date: string; at: Date }) => Promise<void>;
}): (ctx: JobContext, data: Json) => Promise<void> {
  return async (ctx, data) => {
    if (!isDailyTarget(data)) {
      ctx.log.warn({ data }, `${o.what} job without room, user or zone`);
      return;
    }
    const late = ctx.scheduledAt ? ctx.now.getTime() - ctx.scheduledAt.getTime() : 0;
    if (late > o.graceMs) {
      ctx.log.info({ late, graceMs: o.graceMs }, `${o.what} too late, skipped`);
      return;
    }
    const at = ctx.scheduledAt ?? ctx.now;
    const date = dayIn(at, data.tz);
    try {
      const sent = await ctx.once(`${o.keyOf(data.userId)}#${date}`, () => o.send(ctx, data, { date, at }));
      ctx.log.info(
        { userId: data.userId, day: date },
        sent ? `${o.what} sent` : `${o.what} already sent today`,
      );
    } catch (err) {
      if (!(err instanceof NotLinkedError)) throw err;
      ctx.log.info({ userId: data.userId }, `no account linked any more, ${o.what} skipped`);
    }
  };
}
