/**
 * The watches bots keep on users' data (`ctx.watch`): followed once per bot, user and app, each
 * change reported to the bot's `onDataChange`, and kept in the bot's kv so a restarted runner
 * follows them again.
 */
import type { Logger } from '@mana/logging';
import type { BotInfo, JobContext } from '../bot.ts';
import { errorMessage } from '../errors.ts';
import type { Kv } from '../ports.ts';
import type { Watcher } from '../watch.ts';
import type { HostedBot } from './hosted.ts';

/** A watch a bot keeps: whose stream, which app, and the room to write to. */
export interface Watch {
  userId: string;
  appId: string;
  roomId: string;
}

export function createWatches(deps: {
  hosted: readonly HostedBot[];
  watcher?: Watcher | undefined;
  kv: Kv;
  log: Logger;
  jobContext: (bot: HostedBot, jobId: string) => JobContext;
}) {
  const { kv, log } = deps;
  const byUserId = new Map(deps.hosted.map((b) => [b.info.userId, b]));
  const watching = new Map<string, Promise<unknown>>();

  function follow(bot: HostedBot, w: Watch): Promise<unknown> {
    const key = `${bot.info.id}|${w.userId}|${w.appId}`;
    const existing = watching.get(key);
    if (existing) return existing;
    const onChange = bot.def.onDataChange;
    const watcher = deps.watcher;
    if (!watcher || !onChange) return Promise.reject(new Error(`${bot.info.id} cannot watch data`));
    const started = watcher.watch(w.userId, w.appId, (changes) => {
      onChange(deps.jobContext(bot, `watch:${key}`), { ...w, changes }).catch((err: unknown) =>
        log.warn({ bot: bot.info.id, err: errorMessage(err) }, 'onDataChange failed'),
      );
    });
    watching.set(key, started);
    started.catch(() => watching.delete(key));
    return started;
  }

  return {
    /** `ctx.watch`: follow from now on, and after every restart. */
    watch: async (info: BotInfo, userId: string, appId: string, roomId: string): Promise<void> => {
      const bot = byUserId.get(info.userId);
      if (!bot) return;
      await follow(bot, { userId, appId, roomId });
      await kv.set(info.id, 'watches', `${userId}|${appId}`, { userId, appId, roomId });
    },
    /** The watches set up before the last stop (best effort: a user may have left meanwhile). */
    resume: async (): Promise<void> => {
      for (const bot of deps.hosted.filter((b) => b.def.onDataChange)) {
        for (const { value } of await kv.list<Watch>(bot.info.id, 'watches'))
          await follow(bot, value).catch((err: unknown) =>
            log.warn({ bot: bot.info.id, err: errorMessage(err) }, 'could not resume a watch'),
          );
      }
    },
  };
}
