import { createLogger } from '@mana/logging';
import { describe, expect, it } from 'vitest';
import type { BotDefinition, JobContext } from '../bot.ts';
import { memoryKv } from '../memory.ts';
import type { RowChange, Watcher } from '../watch.ts';
import { hostBots } from './hosted.ts';
import { createWatches } from './watches.ts';

function setup() {
  const changes: { userId: string; appId: string; roomId: string; changes: RowChange[] }[] = [];
  const def: BotDefinition = {
    id: 'cal',
    localpart: 'cal',
    displayName: 'Cal',
    description: { de: '', en: '' },
    commands: [],
    onDataChange: async (_ctx, change) => void changes.push(change),
  };
  const hosted = hostBots([def], 'x');
  const followed: string[] = [];
  const listeners = new Map<string, (c: RowChange[]) => void>();
  const watcher: Watcher = {
    async watch(userId, appId, onChange) {
      followed.push(`${userId}|${appId}`);
      listeners.set(`${userId}|${appId}`, onChange);
      return async () => undefined;
    },
    close: async () => undefined,
  };
  const kv = memoryKv();
  const make = () =>
    createWatches({
      hosted,
      watcher,
      kv,
      log: createLogger({ service: 't', level: 'silent' }),
      jobContext: () => ({}) as JobContext,
    });
  return { make, followed, listeners, changes, info: hosted[0]!.info };
}

describe('watches', () => {
  it('follows once per bot, user and app; changes reach onDataChange with the room', async () => {
    const s = setup();
    const w = s.make();
    await w.watch(s.info, '@a:x', 'calendar', '!dm');
    await w.watch(s.info, '@a:x', 'calendar', '!dm');
    expect(s.followed).toEqual(['@a:x|calendar']);
    s.listeners.get('@a:x|calendar')?.([{ table: 'events', id: 'e1', deleted: true }]);
    await new Promise((r) => setTimeout(r, 0));
    expect(s.changes).toEqual([
      {
        userId: '@a:x',
        appId: 'calendar',
        roomId: '!dm',
        changes: [{ table: 'events', id: 'e1', deleted: true }],
      },
    ]);
  });

  it('a restarted runner follows the kept watches again', async () => {
    const s = setup();
    await s.make().watch(s.info, '@a:x', 'calendar', '!dm');
    const restarted = s.make(); // same kv, new process
    await restarted.resume();
    expect(s.followed).toEqual(['@a:x|calendar', '@a:x|calendar']);
  });
});
