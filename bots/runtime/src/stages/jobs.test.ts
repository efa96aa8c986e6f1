import { describe, expect, it } from 'vitest';
import { defineBot, type Json } from '../bot.ts';
import { createLogger } from '@mana/logging';
import type { JobClaim, JobClaims } from '../ports.ts';
import { createTestHarness } from '../testing.ts';
import { exclusively, JobHeldError } from './jobs.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';

/** A bot whose command remembers a value and whose job chains itself, reading that value. */
const chain = defineBot({
  id: 'clock',
  localpart: 'clock',
  displayName: 'Chain',
  description: { de: 'Kette', en: 'Chain' },
  commands: [
    {
      name: 'go',
      aliases: { de: ['los'], en: ['go'] },
      help: { de: 'Startet', en: 'Starts' },
      async run(ctx) {
        await ctx.state.set('word', 'hallo');
        await ctx.schedule(
          'step',
          { n: 1, userId: ctx.sender, roomId: ctx.roomId },
          { jobId: 'step-1', at: ctx.now },
        );
        return 'ok';
      },
    },
  ],
  jobs: {
    async step(ctx, data) {
      const d = data as { n: number; userId: string; roomId: string };
      const word = await ctx.state(d.userId).get<string>('word');
      await ctx.postContent(
        d.roomId,
        { msgtype: 'm.text', body: `${word} ${d.n}` },
        { txnKey: `${ctx.jobId}:post` },
      );
      await ctx.state(d.userId).set('last', d.n);
      if (d.n < 3) {
        const next: Json = { ...d, n: d.n + 1 };
        await ctx.schedule('step', next, {
          jobId: `step-${d.n + 1}`,
          at: new Date(ctx.now.getTime() + 1000),
        });
      }
      if (d.n === 2) {
        await ctx.schedule('step', { ...d, n: 99 }, { jobId: 'step-99', at: ctx.now });
        await ctx.cancel('step-99');
        expect(await ctx.moveJob('step-3', new Date(ctx.now.getTime() + 5000))).toBe(true);
      }
    },
  },
});

describe('job context', () => {
  it("a job chains and moves jobs, shares the user's state with commands and posts idempotently", async () => {
    const h = createTestHarness({ bots: [chain], linked: [alice] });
    h.members.set(dm, [alice, '@clock:mana.test']);
    await h.ask(alice, dm, 'los');
    const bodies: string[] = [];
    for (const id of ['step-1', 'step-2', 'step-3']) {
      const job = h.scheduler.jobs.get(id);
      if (!job) throw new Error(`no ${id}`);
      const before = h.matrix.sent.length;
      await h.dispatcher.runJob(job);
      // A redelivery after the claim was lost (a crash after the post) posts nothing new.
      h.fired.delete(id);
      await h.dispatcher.runJob(job);
      bodies.push(...h.matrix.sent.slice(before).map((e) => String(e.content.body)));
    }
    expect(bodies).toEqual(['hallo 1', 'hallo 2', 'hallo 3']);
    expect(h.scheduler.jobs.has('step-99')).toBe(false);
    const moved = h.scheduler.jobs.get('step-3');
    const second = h.scheduler.jobs.get('step-2');
    expect(moved && second && moved.at.getTime() - second.at.getTime()).toBeGreaterThanOrEqual(4000);
    expect(await h.kv.get('clock', `user:${alice}`, 'last')).toBe(3);
  });
});

/** A bot with one job of each kind: `edit` declared idempotent and low priority, `end` not. */
const kinds = defineBot({
  id: 'clock',
  localpart: 'clock',
  displayName: 'Kinds',
  description: { de: 'Arten', en: 'Kinds' },
  commands: [
    {
      name: 'go',
      aliases: { de: ['los'], en: ['go'] },
      help: { de: 'Startet', en: 'Starts' },
      async run(ctx) {
        await ctx.schedule('edit', { roomId: ctx.roomId }, { jobId: 'edit-1', at: ctx.now });
        await ctx.schedule('end', { roomId: ctx.roomId }, { jobId: 'end-1', at: ctx.now });
        return 'ok';
      },
    },
  ],
  jobs: {
    async edit(ctx, data) {
      await ctx.postContent(String((data as { roomId: string }).roomId), {
        msgtype: 'm.notice',
        body: 'edit',
      });
      // A job chaining another kind: the options follow the name, not the scheduler of the job.
      await ctx.schedule('end', data, { jobId: 'end-2', at: ctx.now });
    },
    async end(ctx, data) {
      await ctx.postContent(String((data as { roomId: string }).roomId), { msgtype: 'm.text', body: 'end' });
    },
  },
  jobOptions: { edit: { idempotent: true, priority: 10 } },
});

describe('job options per name', () => {
  it('an idempotent kind runs on every delivery without a claim; the others keep their exactly-once claim', async () => {
    const h = createTestHarness({ bots: [kinds], linked: [alice] });
    h.members.set(dm, [alice, '@clock:mana.test']);
    await h.ask(alice, dm, 'los');
    const edit = h.scheduler.jobs.get('edit-1');
    const end = h.scheduler.jobs.get('end-1');
    if (!edit || !end) throw new Error('jobs not scheduled');
    // The declared options reach the scheduler (BullMQ: removeOnComplete, priority); none for `end`.
    expect(edit.options).toEqual({ idempotent: true, priority: 10 });
    expect(end.options).toBeUndefined();
    const bodies = async (job: typeof edit) => {
      const before = h.matrix.sent.length;
      await h.dispatcher.runJob(job);
      return h.matrix.sent.slice(before).map((e) => String(e.content.body));
    };
    expect(await bodies(edit)).toEqual(['edit']);
    expect(await bodies(edit)).toEqual(['edit']);
    expect(h.fired.has('edit-1')).toBe(false);
    expect(await bodies(end)).toEqual(['end']);
    expect(await bodies(end)).toEqual([]);
    expect(h.fired.has('end-1')).toBe(true);
    // Scheduled from inside a job: still the options of its own name.
    expect(h.scheduler.jobs.get('end-2')?.options).toBeUndefined();
  });

  it('defineBot refuses options for an unknown job and a priority BullMQ does not take', () => {
    const base = { ...kinds, jobOptions: {} };
    expect(() => defineBot({ ...base, jobOptions: { nope: { idempotent: true } } })).toThrow(/no job "nope"/);
    expect(() => defineBot({ ...base, jobOptions: { edit: { priority: 0 } } })).toThrow(/whole number/);
    expect(() => defineBot({ ...base, jobOptions: { edit: { priority: 2_097_153 } } })).toThrow(
      /whole number/,
    );
    expect(() => defineBot({ ...base, jobOptions: { edit: { priority: 2_097_152 } } })).not.toThrow();
  });
});

describe('exclusively (the claim around a job and ctx.once)', () => {
  const log = createLogger({ service: 'jobs-test', level: 'silent' });
  /** Claims that record what was asked of them; `state` decides what `claim` answers. */
  function recorded(state: JobClaim) {
    const calls: string[] = [];
    const claims: JobClaims = {
      claim: async (id) => (calls.push(`claim ${id}`), state),
      renew: async (id, token) => (calls.push(`renew ${id} ${token}`), true),
      finish: async (id) => void calls.push(`finish ${id}`),
      release: async (id, token) => void calls.push(`release ${id} ${token}`),
      renewEveryMs: 20,
    };
    return { claims, calls };
  }

  it('renews the claim while the job runs, then marks it done', async () => {
    const { claims, calls } = recorded({ token: 't1' });
    const ran = await exclusively(claims, 'j', () => new Promise((r) => setTimeout(r, 110)), log);
    expect(ran).toBe('ran');
    expect(calls.filter((c) => c === 'renew j t1').length).toBeGreaterThanOrEqual(3);
    expect(calls.at(-1)).toBe('finish j');
    // No renewal after the end.
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.length).toBe(after);
  });

  it('a claim held by another runner throws JobHeldError (BullMQ retries), never runs or counts as done', async () => {
    const { claims, calls } = recorded('held');
    let ran = false;
    await expect(exclusively(claims, 'j', async () => void (ran = true), log)).rejects.toBeInstanceOf(
      JobHeldError,
    );
    expect(ran).toBe(false);
    expect(calls).toEqual(['claim j']);
    expect(await exclusively(recorded('done').claims, 'j', async () => void (ran = true), log)).toBe('done');
    expect(ran).toBe(false);
  });

  it('a failing job releases its own claim and rethrows', async () => {
    const { claims, calls } = recorded({ token: 't2' });
    await expect(
      exclusively(
        claims,
        'j',
        async () => {
          throw new Error('boom');
        },
        log,
      ),
    ).rejects.toThrow('boom');
    expect(calls).toEqual(['claim j', 'release j t2']);
  });
});
