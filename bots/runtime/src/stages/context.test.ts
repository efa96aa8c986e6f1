import { describe, expect, it } from 'vitest';
import type { Json } from '../bot.ts';
import { createLogger } from '@mana/logging';
import { memoryIdentity, memoryKv, memoryStores } from '../memory.ts';
import { guardStore, makeContext, type ContextDeps, type ContextRequest } from './context.ts';

describe('guardStore', () => {
  it('reads always work; writes are refused once the signal aborted', async () => {
    const stores = memoryStores(memoryIdentity(['@a:x']));
    const store = await stores.forUser('@a:x', 'todo');
    const controller = new AbortController();
    const guarded = guardStore(store, controller.signal);
    await guarded.upsert('tasks', '1', { title: 'kept' });
    controller.abort(new Error('stop'));
    await expect(guarded.upsert('tasks', '2', { title: 'refused' })).rejects.toThrow('stop');
    await expect(guarded.delete('tasks', '1')).rejects.toThrow('stop');
    await expect(guarded.flush()).rejects.toThrow('stop');
    expect((await guarded.list('tasks')).map((t) => t.id)).toEqual(['1']);
    expect((await guarded.get('tasks', '1'))?.title).toBe('kept');
  });
});

describe('state writes deferred to after the reply', () => {
  function setup(deferredWrites?: Promise<void>[]) {
    const kv = memoryKv();
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slowKv = { ...kv, set: async (...a: Parameters<typeof kv.set>) => (await gate, kv.set(...a)) };
    // Only what `state` touches; the other ports are not reached by these tests.
    const deps = {
      kv: slowKv,
      log: createLogger({ service: 't', level: 'silent' }),
      now: () => new Date(),
    } as unknown as ContextDeps;
    const request: ContextRequest = {
      bot: { id: 'todo', userId: '@todo:x', displayName: 'Todo', description: { de: '', en: '' } },
      sender: '@a:x',
      roomId: '!r:x',
      eventId: '$e',
      isDirect: true,
      lang: 'en',
      timezone: 'UTC',
      readAfter: 0,
      signal: new AbortController().signal,
      ...(deferredWrites ? { deferredWrites } : {}),
    };
    return { ctx: makeContext(deps, request), kv, release };
  }

  it('with deferredWrites: set returns before Postgres answers, the command reads its own write', async () => {
    const writes: Promise<void>[] = [];
    const { ctx, kv, release } = setup(writes);
    await ctx.state.set('last', ['a', 'b'] as Json);
    expect(await ctx.state.get('last')).toEqual(['a', 'b']);
    expect(await kv.get('todo', 'user:@a:x', 'last')).toBeUndefined(); // not landed yet
    expect(writes).toHaveLength(1);
    release();
    await Promise.all(writes);
    expect(await kv.get('todo', 'user:@a:x', 'last')).toEqual(['a', 'b']);
  });

  it('without: set waits for the write', async () => {
    const { ctx, kv, release } = setup();
    let done = false;
    const set = ctx.state.set('last', 1).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    release();
    await set;
    expect(await kv.get('todo', 'user:@a:x', 'last')).toBe(1);
  });
});
