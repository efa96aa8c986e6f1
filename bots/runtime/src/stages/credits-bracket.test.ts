import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../errors.ts';
import { memoryCredits, memoryIdentity, memoryStores } from '../memory.ts';
import { guardStore } from './context.ts';
import { bracket, type BracketDeps, type Meter } from './credits-bracket.ts';

const alice = '@alice:mana.test';

function setup(cost = 100) {
  const identity = memoryIdentity([alice]);
  const credits = memoryCredits({ op: cost, free: 0 });
  credits.grant(alice, 1000);
  const deps: BracketDeps = { credits, identity, creditsAudience: 'urn:mana:credits' };
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

  describe('metered work', () => {
    it('commits the metered amount, not the hold; the rest goes back', async () => {
      const { deps, credits } = setup();
      const meter: Meter = {};
      const r = await bracket(deps, {
        ...request(async () => {
          meter.amount = 37.2; // rounded up to whole milli-credits
          return 'answer';
        }),
        meter,
      });
      expect(r).toEqual({ value: 'answer', charged: 38 });
      expect(credits.commits.map((c) => c.amount)).toEqual([38]);
      expect(credits.balanceOf(alice)).toEqual({ balance: 962, held: 0, available: 962 });
    });

    it('nothing used (the provider never answered): the hold is released, nothing charged', async () => {
      const { deps, credits } = setup();
      const meter: Meter = {};
      const r = await bracket(deps, {
        ...request(async () => {
          meter.amount = 0;
          return 'provider down';
        }),
        meter,
      });
      expect(r.charged).toBe(0);
      expect(credits.commits).toHaveLength(0);
      expect(credits.balanceOf(alice)).toEqual({ balance: 1000, held: 0, available: 1000 });
    });

    it('more than the hold is charged as the hold, never more', async () => {
      const { deps, credits } = setup();
      const meter: Meter = {};
      await bracket(deps, { ...request(async () => (meter.amount = 5000)), meter });
      expect(credits.commits.map((c) => c.amount)).toEqual([100]);
    });

    it('cancelled: the work settles in the grace with what it has and pays for what it used', async () => {
      const { deps, credits } = setup();
      const meter: Meter = {};
      const req = request(
        (signal) =>
          new Promise<string>((resolve) => {
            meter.amount = 12;
            signal.addEventListener('abort', () => setTimeout(() => resolve('half, stopped'), 30));
          }),
      );
      const running = bracket(deps, { ...req, meter });
      setTimeout(() => req.controller.abort(new CancelledError('by the user')), 20);
      await expect(running).resolves.toEqual({ value: 'half, stopped', charged: 12 });
      expect(credits.balanceOf(alice)).toEqual({ balance: 988, held: 0, available: 988 });
    });

    it('cancelled and not settling within the grace: rejects, still pays what it used', async () => {
      const { deps, credits } = setup();
      const meter: Meter = {};
      const req = request(() => {
        meter.amount = 7;
        return new Promise<never>(() => undefined);
      });
      const running = bracket(deps, { ...req, meter, cancelGraceMs: 50 });
      setTimeout(() => req.controller.abort(new CancelledError('by the user')), 20);
      await expect(running).rejects.toBeInstanceOf(CancelledError);
      expect(credits.commits.map((c) => c.amount)).toEqual([7]);
      expect(credits.balanceOf(alice).held).toBe(0);
    });
  });
});
