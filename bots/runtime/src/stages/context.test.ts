import { describe, expect, it } from 'vitest';
import { memoryIdentity, memoryStores } from '../memory.ts';
import { guardStore } from './context.ts';

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
