/**
 * The runtime's Postgres state against a real Postgres: storing a transaction is one atomic
 * statement that deduplicates transactions and events.
 */
import { createTestDatabase, type TestDatabase } from '@mana/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mana/logging';
import { exclusively, JobHeldError } from './stages/jobs.ts';
import { jobClaimsOf, openRuntimeState, type MatrixEvent, type RuntimeState } from './state.ts';
import type { JobClaim } from './ports.ts';

let db: TestDatabase;
let state: RuntimeState;

const ev = (id: string, body: string, room = '!r:mana.test'): MatrixEvent => ({
  event_id: id,
  room_id: room,
  type: 'm.room.message',
  sender: '@alice:mana.test',
  content: { msgtype: 'm.text', body },
});

beforeAll(async () => {
  db = await createTestDatabase('bots_state');
  state = await openRuntimeState({ databaseUrl: db.url, schema: 'bots', appserviceId: 'mana-bots' });
});

afterAll(async () => {
  await state?.close();
  await db?.drop();
});

describe('storeTransaction', () => {
  it('stores new events in order and marks the transaction done', async () => {
    const r = await state.storeTransaction('t1', [ev('$a', 'one'), ev('$b', 'two', '!other:mana.test')]);
    expect(r.repeatedId).toBe(false);
    expect(r.fresh.map((e) => [e.eventId, e.roomId, e.event.content.body])).toEqual([
      ['$a', '!r:mana.test', 'one'],
      ['$b', '!other:mana.test', 'two'],
    ]);
    expect(await state.isTransactionDone('t1')).toBe(true);
    expect((await state.pendingEvents()).map((e) => e.eventId).sort()).toEqual(['$a', '$b']);
    // Committed at once (asynchronously); `durable` resolves once the WAL is flushed past it.
    const lsn = await state.sql<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`;
    await r.durable;
    const flushed = await state.sql<{ ok: boolean }[]>`
      select pg_current_wal_flush_lsn() >= ${lsn[0]?.lsn ?? ''}::pg_lsn as ok`;
    expect(flushed[0]?.ok).toBe(true);
  });

  it('a retried transaction (same id, same events) stores and returns nothing', async () => {
    const r = await state.storeTransaction('t1', [ev('$a', 'one'), ev('$b', 'two', '!other:mana.test')]);
    expect({ repeatedId: r.repeatedId, fresh: r.fresh }).toEqual({ repeatedId: true, fresh: [] });
    const rows = await state.sql<{ n: number }[]>`select count(*)::int as n from events`;
    expect(rows[0]?.n).toBe(2);
  });

  it('a transaction id that comes back with new events is new work (Synapse restarted on SQLite)', async () => {
    const r = await state.storeTransaction('t1', [ev('$a', 'one'), ev('$c', 'new')]);
    expect(r.repeatedId).toBe(true);
    expect(r.fresh.map((e) => [e.eventId, e.event.content.body])).toEqual([['$c', 'new']]);
    expect((await state.pendingEvents()).map((e) => e.eventId).sort()).toEqual(['$a', '$b', '$c']);
  });

  it('an event seen in another transaction, or twice in one, is returned once', async () => {
    const r = await state.storeTransaction('t2', [ev('$a', 'one'), ev('$d', 'x'), ev('$d', 'x again')]);
    expect(r.repeatedId).toBe(false);
    expect(r.fresh.map((e) => [e.eventId, e.event.content.body])).toEqual([['$d', 'x']]);
  });

  it('an empty transaction is recorded too', async () => {
    const r = await state.storeTransaction('t3', []);
    expect({ repeatedId: r.repeatedId, fresh: r.fresh }).toEqual({ repeatedId: false, fresh: [] });
    expect(await state.isTransactionDone('t3')).toBe(true);
  });

  it('NUL and lone surrogates are stored as U+FFFD instead of failing the transaction', async () => {
    const r = await state.storeTransaction('t4\u0000', [ev('$g', 'bad \u0000 \ud800 text')]);
    expect(r.fresh[0]?.event.content.body).toBe('bad \uFFFD \uFFFD text');
    expect(await state.isTransactionDone('t4\u0000')).toBe(true);
    await state.finishEvent('$g', 'done');
    expect((await state.pendingEvents()).map((e) => e.eventId)).not.toContain('$g');
  });
});

describe('job claims', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const tokenOf = (claim: JobClaim) => {
    if (typeof claim === 'string') throw new Error(`not claimed: ${claim}`);
    return claim.token;
  };

  it('a claim is a lease until the job is done: taken over only after its runner died', async () => {
    tokenOf(await state.claimJob('job-1', 150));
    // Another runner while the first still holds it.
    expect(await state.claimJob('job-1', 150)).toBe('held');
    await sleep(250);
    // The first runner died without finishing: the job is taken over.
    tokenOf(await state.claimJob('job-1', 150));
    await state.finishJob('job-1');
    await sleep(250);
    expect(await state.claimJob('job-1', 150)).toBe('done');
  });

  it('a renewed claim outlives its first lease; a lost or finished one cannot be renewed', async () => {
    const token = tokenOf(await state.claimJob('job-2', 200));
    for (let i = 0; i < 4; i++) {
      await sleep(100);
      expect(await state.renewJob('job-2', token, 200)).toBe(true);
    }
    // 400 ms after the claim, twice its lease: still held because it was renewed.
    expect(await state.claimJob('job-2', 200)).toBe('held');
    expect(await state.renewJob('job-2', 'someone-else', 200)).toBe(false);
    await state.finishJob('job-2');
    expect(await state.renewJob('job-2', token, 200)).toBe(false);
  });

  it('a job running longer than its lease is not run a second time by another runner meanwhile', async () => {
    // The stats report's failure in CI: a report taking longer than the lease was posted twice.
    const claims = jobClaimsOf(state, 300);
    const log = createLogger({ service: 'claims-test', level: 'silent' });
    let runs = 0;
    const slow = exclusively(
      claims,
      'job-4',
      async () => {
        runs++;
        await sleep(1000);
      },
      log,
    );
    await sleep(600);
    await expect(exclusively(claims, 'job-4', async () => void runs++, log)).rejects.toBeInstanceOf(
      JobHeldError,
    );
    expect(await slow).toBe('ran');
    expect(await exclusively(claims, 'job-4', async () => void runs++, log)).toBe('done');
    expect(runs).toBe(1);
  });

  it('undoing a claim undoes only that claim, never one taken over since', async () => {
    const first = tokenOf(await state.claimJob('job-3', 100));
    await sleep(200);
    const second = tokenOf(await state.claimJob('job-3', 10_000));
    // The first runner's handler fails late, after the takeover: the second claim stays.
    await state.unclaimJob('job-3', first);
    expect(await state.claimJob('job-3', 100)).toBe('held');
    await state.unclaimJob('job-3', second);
    tokenOf(await state.claimJob('job-3', 100));
  });
});
