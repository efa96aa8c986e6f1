import { describe, expect, it } from 'vitest';
import { nextOccurrences, occurrenceId, payloadOf, safeJobId, type JobPayload } from './jobs.ts';
import { memoryScheduler } from './memory.ts';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('repeatable jobs: occurrences', () => {
  it('0 9 * * * in Europe/Berlin keeps 9:00 local across the March and October changes', () => {
    // 2027: summer time from Sunday 28 March (UTC+1 → +2), winter time from Sunday 31 October.
    expect(
      iso(
        nextOccurrences('0 9 * * *', {
          tz: 'Europe/Berlin',
          from: new Date('2027-03-26T00:00:00Z'),
          count: 4,
        }),
      ),
    ).toEqual([
      '2027-03-26T08:00:00.000Z',
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
    ]);
    expect(
      iso(
        nextOccurrences('0 9 * * *', {
          tz: 'Europe/Berlin',
          from: new Date('2027-10-30T00:00:00Z'),
          count: 3,
        }),
      ),
    ).toEqual(['2027-10-30T07:00:00.000Z', '2027-10-31T08:00:00.000Z', '2027-11-01T08:00:00.000Z']);
    // The same pattern in New York moves on other days (second Sunday of March).
    expect(
      iso(
        nextOccurrences('0 9 * * *', {
          tz: 'America/New_York',
          from: new Date('2027-03-13T00:00:00Z'),
          count: 2,
        }),
      ),
    ).toEqual(['2027-03-13T14:00:00.000Z', '2027-03-14T13:00:00.000Z']);
  });

  it('six fields means seconds; weekday patterns; strictly after `from`', () => {
    const from = new Date('2026-12-01T10:00:00.000Z');
    expect(iso(nextOccurrences('*/1 * * * * *', { tz: 'UTC', from, count: 2 }))).toEqual([
      '2026-12-01T10:00:01.000Z',
      '2026-12-01T10:00:02.000Z',
    ]);
    // Tuesday 1 Dec 2026 → the next weekday mornings at 7:30 Berlin time.
    expect(iso(nextOccurrences('30 7 * * 1-5', { tz: 'Europe/Berlin', from, count: 2 }))).toEqual([
      '2026-12-02T06:30:00.000Z',
      '2026-12-03T06:30:00.000Z',
    ]);
  });

  it('a bad pattern or zone is refused with a clear message', () => {
    expect(() => nextOccurrences('0 9 * *', { tz: 'Europe/Berlin' })).toThrow(
      /invalid cron pattern.*5 fields/,
    );
    expect(() => nextOccurrences('99 9 * * *', { tz: 'Europe/Berlin' })).toThrow(/invalid cron pattern/);
    expect(() => nextOccurrences('0 9 * * *', { tz: 'Mars/Olympus' })).toThrow(/not a time zone|time zone/);
  });

  it("an occurrence's id is the series key and its instant, whichever worker runs it", () => {
    const data: JobPayload = { botId: 'clock', name: 'ring', jobId: 'daily:@alice:x', data: { a: 1 } };
    const millis = Date.UTC(2027, 2, 28, 7);
    const p = payloadOf({
      id: `repeat:${safeJobId('daily:@alice:x')}:${millis}`,
      repeatJobKey: safeJobId('daily:@alice:x'),
      data,
    });
    expect(p.jobId).toBe('daily:@alice:x@2027-03-28T07:00:00.000Z');
    expect(p.jobId).toBe(occurrenceId('daily:@alice:x', new Date(millis)));
    expect(p.repeat).toEqual({ key: 'daily:@alice:x', at: '2027-03-28T07:00:00.000Z' });
    // A plain delayed job keeps its id.
    expect(payloadOf({ id: 'x', repeatJobKey: undefined, data }).jobId).toBe('daily:@alice:x');
  });

  it('the in-memory scheduler moves, repeats and removes', async () => {
    const s = memoryScheduler();
    await s.schedule({ botId: 'b', name: 'n', data: null, jobId: 'j', at: new Date(1) });
    expect(await s.move('j', new Date(2))).toBe(true);
    expect(s.jobs.get('j')?.at).toEqual(new Date(2));
    expect(await s.move('nope', new Date(2))).toBe(false);
    await s.repeat({
      botId: 'b',
      name: 'n',
      data: null,
      key: 'k',
      repeat: { pattern: '0 9 * * *', tz: 'Europe/Berlin' },
    });
    await expect(
      s.repeat({
        botId: 'b',
        name: 'n',
        data: null,
        key: 'k2',
        repeat: { pattern: '0 9 * * *', tz: 'Nowhere' },
      }),
    ).rejects.toThrow();
    expect(await s.removeRepeatable('k')).toBe(true);
    expect(await s.removeRepeatable('k')).toBe(false);
  });
});
