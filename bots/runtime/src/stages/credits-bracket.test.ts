import { CREDITS_AUDIENCE } from '@mana/auth-client';
import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../errors.ts';
import { memoryCredits, memoryIdentity, memoryStores } from '../memory.ts';
import { guardStore } from './context.ts';
import { bracket, type BracketDeps } from './credits-bracket.ts';

const alice = '@alice:mana.test';

function setup(cost = 100) {
  const identity = memoryIdentity([alice]);
  const credits = memoryCredits({ op: cost, free: 0 });
  credits.grant(alice, 1000);
  const deps: BracketDeps = { credits, identity, creditsAudience: CREDITS_AUDIENCE };
  return { identity, credits, deps, stores: memoryStores(identity) };
}

const request = <T>(
  work: (signal: AbortSignal) => Promise<T>,
  o: { timeoutMs?: number; op?: string } = {},
) => ({
  sender: alice,
  idempotencyKey: `$ev-${Math.random()}`,
  operation: o.op ?? 'op',
  timeoutMs: o.timeoutMs ?? 5_000,
  controller: new AbortController(),
  work,
});

describe('credits bracket', () => {
  it('reserves, works, commits: one charge', async () => {
    const { deps, credits } = setup();
    const r = await bracket(
      deps,
      request(async () => 'done'),
    );
    expect(r).toEqual({ value: 'done', charged: 100 });
    expect(credits.balanceOf(alice)).toEqual({ balance: 900, held: 0, available: 900 });
  });

  it('a free operation is not bracketed', async () => {
    const { deps, credits } = setup();
    expect(
      (
        await bracket(
          deps,
          request(async () => 1, { op: 'free' }),
        )
      ).charged,
    ).toBe(0);
    expect(credits.commits).toHaveLength(0);
  });

  it('a failing work releases the hold and rethrows', async () => {
    const { deps, credits } = setup();
    await expect(
      bracket(
        deps,
        request(() => Promise.reject(new Error('boom'))),
      ),
    ).rejects.toThrow('boom');
    expect(credits.balanceOf(alice)).toEqual({ balance: 1000, held: 0, available: 1000 });
  });

  it('past its timeout the work is aborted: no write lands after the abort, nothing is charged', async () => {
    const { deps, credits, stores } = setup();
    const store = await stores.forUser(alice, 'todo');
    let writeAfterAbort: unknown;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const req = request(
      async (signal) => {
        const guarded = guardStore(store, signal);
        await guarded.upsert('tasks', 'before', { title: 'before the timeout' });
        await new Promise((r) => setTimeout(r, 150)); // ignores the signal, as careless code would
        writeAfterAbort = await guarded
          .upsert('tasks', 'after', { title: 'too late' })
          .catch((e: unknown) => e);
        finished();
        return 'never shown';
      },
      { timeoutMs: 50 },
    );
    await expect(bracket(deps, req)).rejects.toBeInstanceOf(TimeoutError);
    expect(req.controller.signal.aborted).toBe(true);
    await done;
    expect(writeAfterAbort).toBeInstanceOf(TimeoutError);
    expect((await store.list('tasks')).map((t) => t.id)).toEqual(['before']);
    expect(credits.commits).toHaveLength(0);
    expect(credits.balanceOf(alice)).toEqual({ balance: 1000, held: 0, available: 1000 });
  });

  it('cancelled from outside (❌): rejects with CancelledError and releases the hold', async () => {
    const { deps, credits } = setup();
    const req = request(
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted fetch'))),
        ),
    );
    const running = bracket(deps, req);
    setTimeout(() => req.controller.abort(new CancelledError('by the user')), 20);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(credits.balanceOf(alice).held).toBe(0);
    expect(credits.commits).toHaveLength(0);
  });
});
