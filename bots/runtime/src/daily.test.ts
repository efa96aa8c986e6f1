import { createLogger } from '@mana/logging';
import { describe, expect, it } from 'vitest';
import type { JobContext } from './bot.ts';
import { dailyJob, dayIn } from './daily.ts';
import { NotLinkedError } from './errors.ts';

const target = { roomId: '!r:x', userId: '@a:x', tz: 'Europe/Berlin' };

function jobCtx(o: { now: Date; scheduledAt?: Date; claimed: Set<string> }): JobContext {
  return {
    bot: { id: 'b', userId: '@b:x', displayName: 'B', description: { de: '', en: '' } },
    jobId: 'j',
    now: o.now,
    ...(o.scheduledAt ? { scheduledAt: o.scheduledAt } : {}),
    log: createLogger({ service: 't', level: 'silent' }),
    async once(id, fn) {
      if (o.claimed.has(id)) return false;
      o.claimed.add(id);
      await fn();
      return true;
    },
  } as JobContext;
}

describe('dailyJob', () => {
  const sent: string[] = [];
  const job = dailyJob({
    what: 'test message',
    graceMs: 60_000,
    keyOf: (u) => `k:${u}`,
    send: async (_ctx, t, day) => void sent.push(`${t.userId} ${day.date}`),
  });

  it('sends once per day in the user’s zone, whatever runner or how often it fires', async () => {
    const claimed = new Set<string>();
    // 23:30 UTC on 1 Dec is already 2 Dec in Berlin.
    const at = new Date('2026-12-01T23:30:00Z');
    await job(jobCtx({ now: at, scheduledAt: at, claimed }), { ...target });
    await job(jobCtx({ now: new Date(at.getTime() + 1000), scheduledAt: at, claimed }), { ...target });
    expect(sent).toEqual(['@a:x 2026-12-02']);
    expect([...claimed]).toEqual(['k:@a:x#2026-12-02']);
  });

  it('drops an occurrence past the grace period instead of sending it late', async () => {
    sent.length = 0;
    const due = new Date('2026-12-03T06:00:00Z');
    await job(jobCtx({ now: new Date(due.getTime() + 61_000), scheduledAt: due, claimed: new Set() }), {
      ...target,
    });
    expect(sent).toEqual([]);
  });

  it('ignores a malformed payload and a user who unlinked their account', async () => {
    sent.length = 0;
    const now = new Date('2026-12-04T06:00:00Z');
    await job(jobCtx({ now, claimed: new Set() }), { roomId: '!r:x' });
    expect(sent).toEqual([]);
    const unlinked = dailyJob({
      what: 'test message',
      graceMs: 60_000,
      keyOf: (u) => u,
      send: async () => {
        throw new NotLinkedError('@a:x');
      },
    });
    await expect(unlinked(jobCtx({ now, claimed: new Set() }), { ...target })).resolves.toBeUndefined();
  });

  it('dayIn is the calendar day in the zone', () => {
    expect(dayIn(new Date('2026-03-29T00:30:00Z'), 'America/New_York')).toBe('2026-03-28');
  });
});
