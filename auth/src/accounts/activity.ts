/**
 * Active users: each token auth issues for an account (authorization code, refresh, token exchange
 * for a bot acting for it) touches the account's `user_activity` row, and `auth_active_users{window}`
 * counts the accounts touched in the last day (`1d`) and week (`7d`) when Prometheus scrapes. The
 * windows are named like the stats bot's report ranges, so a report of a period reads its window.
 */
import type { Sql } from '@mana/db';
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';

/** The windows exported, as Prometheus ranges, and their length. */
export const ACTIVITY_WINDOWS = { '1d': 86_400, '7d': 7 * 86_400 } as const;

export interface Activity {
  /** Notes that `userId` used the platform now; never throws (a lost touch only undercounts). */
  touch(userId: string): Promise<void>;
  /** Accounts active within each window, counted now. */
  count(): Promise<Record<keyof typeof ACTIVITY_WINDOWS, number>>;
}

export function createActivity(options: {
  sql: Sql;
  logger: Logger;
  metrics?: Metrics;
  /** A touch within this many seconds of the last one writes nothing (default 300). */
  resolutionSec?: number;
}): Activity {
  const { sql, logger } = options;
  const resolution = `${options.resolutionSec ?? 300} seconds`;

  const activity: Activity = {
    async touch(userId) {
      try {
        // Conditional upsert: one token after another (a bot's renewals) costs no write.
        await sql`insert into user_activity (user_id) values (${userId})
          on conflict (user_id) do update set last_active_at = now()
          where user_activity.last_active_at < now() - ${resolution}::interval`;
      } catch (err) {
        logger.warn({ err, userId }, 'could not note user activity');
      }
    },
    async count() {
      const [row] = await sql<{ day: number; week: number }[]>`
        select count(*) filter (where last_active_at > now() - interval '1 day')::int as day,
               count(*) filter (where last_active_at > now() - interval '7 days')::int as week
          from user_activity where last_active_at > now() - interval '7 days'`;
      return { '1d': row?.day ?? 0, '7d': row?.week ?? 0 };
    },
  };

  const metrics = options.metrics;
  if (metrics && !metrics.registry.getSingleMetric('auth_active_users'))
    new metrics.client.Gauge({
      name: 'auth_active_users',
      help: 'Accounts auth issued a token for (sign-in, refresh, bot token exchange) within the window (1d, 7d)',
      labelNames: ['window'] as const,
      registers: [metrics.registry],
      // Counted at scrape time: one indexed count, always current, the same on every instance.
      async collect() {
        try {
          const counts = await activity.count();
          for (const [window, n] of Object.entries(counts)) this.set({ window }, n);
        } catch (err) {
          // A failing count must not fail the whole scrape (auth would look down); keep the last values.
          logger.warn({ err }, 'could not count active users');
        }
      },
    });
  return activity;
}
