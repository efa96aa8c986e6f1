import { CREDITS_AUDIENCE } from '@mana/auth-client';
import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../errors.ts';
import { memoryCredits, memoryIdentity, memoryStores } from '../memory.ts';
import { guardStore } from './context.ts';
import type { Credits } from '../ports.ts';
import { bracket, type BracketDeps, type Meter } from './credits-bracket.ts';

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

  describe('a free operation (cost 0)', () => {
    it('is bracketed with 0: reserved and committed, so the ledger records it, nothing charged', async () => {
      const { deps, credits } = setup();
      const req = request(async () => 'made', { op: 'free' });
      expect(await bracket(deps, req)).toEqual({ value: 'made', charged: 0 });
      expect(credits.commits).toEqual([
        { userId: alice, operation: 'free', amount: 0, idempotencyKey: req.idempotencyKey },
      ]);
      expect(credits.balanceOf(alice)).toEqual({ balance: 1000, held: 0, available: 1000 });
    });

    /** The bracket's deps with some credits calls failing; what it reported as failed open. */
    function failing(overrides: Partial<Credits>) {
      const { deps, credits } = setup();
      const failed: string[] = [];
      const broken: BracketDeps = {
        ...deps,
        credits: { ...credits, cost: (op: string) => credits.cost(op), ...overrides },
        onFreeFailed: (step, err) => failed.push(`${step}: ${err}`),
      };
      return { deps: broken, credits, failed };
    }

    it('fails open when credits is down: the work runs, the failure is reported', async () => {
      const { deps, credits, failed } = failing({
        reserve: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:3001')),
      });
      const r = await bracket(
        deps,
        request(async () => 'made anyway', { op: 'free' }),
      );
      expect(r).toEqual({ value: 'made anyway', charged: 0 });
      expect(failed).toEqual(['reserve: ECONNREFUSED 127.0.0.1:3001']);
      expect(credits.commits).toHaveLength(0);
    });

    it('a failed commit does not fail the work either', async () => {
      const { deps, failed } = failing({ commit: () => Promise.reject(new Error('503')) });
      expect(
        (
          await bracket(
            deps,
            request(async () => 'ok', { op: 'free' }),
          )
        ).value,
      ).toBe('ok');
      expect(failed).toEqual(['commit: 503']);
    });

    it('a costly operation does not fail open: credits down means the work never runs', async () => {
      const { deps, failed } = failing({ reserve: () => Promise.reject(new Error('down')) });
      let ran = false;
      await expect(
        bracket(
          deps,
          request(async () => (ran = true)),
        ),
      ).rejects.toThrow('down');
      expect(ran).toBe(false);
      expect(failed).toEqual([]);
    });

    it('a sender without an account is not reported as a credits failure', async () => {
      const { deps } = setup();
      const failed: string[] = [];
      const r = await bracket(
        { ...deps, onFreeFailed: (step, err) => failed.push(`${step}: ${err}`) },
        { ...request(async () => 'ran', { op: 'free' }), sender: '@bob:mana.test' },
      );
      expect(r.value).toBe('ran');
      expect(failed).toEqual([]);
    });
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
