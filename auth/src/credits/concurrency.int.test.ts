import { getCreditCost, OPERATION_IDS, type OperationId } from '@mana/credits';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from './check.ts';
import { startCreditsFixture, type CreditsFixture } from './fixture.ts';
import { createLedger } from './ledger.ts';

/**
 * 64 concurrent clients hammer ONE account through the real HTTP routes with a random mix of
 * reserve/commit/release/consume and injected failures: commits rolled back inside the database,
 * lost responses retried, double clicks (the same key or the same commit sent concurrently),
 * reservations forced past their TTL while a sweeper runs, abandoned holds, rejected commits, and
 * admin top-ups (some repeated). The seed is printed; rerun one with CREDITS_SEED=<n>.
 */
const CLIENTS = 64;
const OPS_PER_CLIENT = Number(process.env.CREDITS_OPS ?? 25);
const SEED = Number(process.env.CREDITS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const USER = 'hot';
const INITIAL = 150_000;

function prng(seed: number): () => number {
  // mulberry32: small, fast, and deterministic per seed.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rollback extends Error {}

let f: CreditsFixture;
beforeAll(async () => {
  f = await startCreditsFixture({
    label: 'credits_race',
    poolSize: 16,
    config: { startingBalance: INITIAL },
  });
  await f.credits.grantStartingBalance(USER);
});
afterAll(() => f.close());

describe(`64 concurrent clients on one account (seed ${SEED})`, () => {
  it('never goes below zero available, never charges twice, and the books balance', async () => {
    const tokens = {
      user: await f.userToken(USER),
      bot: await f.botToken(USER),
      admin: await f.adminToken(),
    };
    const paid = OPERATION_IDS.filter((op) => getCreditCost(op) > 0);
    let granted = INITIAL;
    /** reservationId → milli-credits charged, as the API reported it. */
    const charged = new Map<string, number>();
    const stats: Record<string, number> = {};
    const count = (k: string) => (stats[k] = (stats[k] ?? 0) + 1);
    const failures: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) failures.push(what);
    };
    const firstCharge = new Set<string>();
    // Answers to concurrent requests arrive in any order, so a replay may be seen before the original.
    const recordCharge = (id: string, amount: number, replayed: boolean) => {
      const before = charged.get(id);
      check(before === undefined || before === amount, `charge ${amount} ≠ earlier ${before} for ${id}`);
      if (!replayed) {
        check(!firstCharge.has(id), `reservation ${id} charged a second time`);
        firstCharge.add(id);
      }
      charged.set(id, amount);
    };

    // Watches the account while the clients run: available must never be seen below zero.
    let running = true;
    let samples = 0;
    let minAvailable = Infinity;
    const monitor = (async () => {
      while (running) {
        const [row] = await f.db.sql<{ balance: string; held: string }[]>`
          select balance, held from credits.accounts where user_id = ${USER}`;
        if (row) {
          minAvailable = Math.min(minAvailable, Number(row.balance) - Number(row.held));
          check(Number(row.held) >= 0, `held ${row.held} < 0`);
          samples++;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    // A sweeper running throughout, as in production, racing commits of expired reservations.
    const sweeper = (async () => {
      while (running) {
        await f.credits.ledger.sweep();
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    async function client(i: number) {
      const rnd = prng(SEED + i);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      let n = 0;
      const newKey = () => `$c${i}-${n++}:mana.test`;
      const token = () => (rnd() < 0.5 ? tokens.user : tokens.bot);
      const post = (path: string, body?: unknown) => f.call('POST', path, { token: token(), body });

      const reserve = async (op: OperationId, key: string) => {
        const r = await post('/reserve', { operation: op, idempotencyKey: key });
        if (r.status === 402) {
          count('insufficient');
          const { required, available } = r.body as { required: number; available: number };
          // `available` is read after the refusal, so under this much contention it may already have
          // grown again; the exact value is asserted in the sequential API tests.
          check(required === getCreditCost(op) && available >= 0, `bad 402 ${JSON.stringify(r.body)}`);
          if (available >= required) count('402-stale-available');
          return undefined;
        }
        if (r.status !== 201 && r.status !== 200) {
          check(false, `reserve ${r.status} ${JSON.stringify(r.body)}`);
          return undefined;
        }
        return r.body as { reservationId: string; amount: number; replayed: boolean; status: string };
      };
      const commit = async (id: string, amount?: number) => {
        const r = await post(`/reservations/${id}/commit`, amount === undefined ? undefined : { amount });
        if (r.status === 200) recordCharge(id, Number(r.body.charged), r.body.replayed === true);
        return r;
      };

      for (let step = 0; step < OPS_PER_CLIENT; step++) {
        const op = pick(paid);
        const x = rnd();
        if (x < 0.28) {
          const r = await reserve(op, newKey());
          if (r) expect((await commit(r.reservationId)).status).toBe(200);
          count('commit');
        } else if (x < 0.36) {
          const r = await reserve(op, newKey());
          if (r) expect((await commit(r.reservationId, Math.floor(rnd() * (r.amount + 1)))).status).toBe(200);
          count('metered');
        } else if (x < 0.46) {
          const r = await reserve(op, newKey());
          if (r) expect((await post(`/reservations/${r.reservationId}/release`)).status).toBe(200);
          count('release');
        } else if (x < 0.56) {
          const r = await post('/consume', { operation: op, idempotencyKey: newKey() });
          if (r.status === 201) recordCharge(String(r.body.reservationId), Number(r.body.charged), false);
          else check(r.status === 402, `consume ${r.status}`);
          count('consume');
        } else if (x < 0.63) {
          // Double click on consume: the same key three times at once charges once.
          const key = newKey();
          const rs = await Promise.all(
            [1, 2, 3].map(() => post('/consume', { operation: op, idempotencyKey: key })),
          );
          const ok = rs.filter((r) => r.status === 200 || r.status === 201);
          check(
            new Set(ok.map((r) => r.body.reservationId)).size <= 1,
            'same consume key, different reservations',
          );
          check(ok.filter((r) => r.body.replayed === false).length <= 1, 'same consume key charged twice');
          for (const r of ok)
            recordCharge(String(r.body.reservationId), Number(r.body.charged), r.body.replayed === true);
          count('consume-repeat');
        } else if (x < 0.7) {
          // The same reserve key at once (a retried Matrix event): one hold, one reservation.
          const key = newKey();
          const rs = await Promise.all([1, 2, 3].map(() => reserve(op, key)));
          const ok = rs.filter((r) => r !== undefined);
          check(
            new Set(ok.map((r) => r.reservationId)).size <= 1,
            'same reserve key, different reservations',
          );
          check(ok.filter((r) => !r.replayed).length <= 1, 'same reserve key held twice');
          const first = ok[0];
          if (first) {
            // …and the commit sent twice at once: exactly one charge.
            const cs = await Promise.all([commit(first.reservationId), commit(first.reservationId)]);
            check(
              cs.every((c) => c.status === 200),
              `double commit ${cs.map((c) => c.status).join(',')}`,
            );
            check(cs.filter((c) => c.body.replayed === false).length === 1, 'double commit charged twice');
          }
          count('reserve-repeat');
        } else if (x < 0.77) {
          // A commit whose transaction aborts after the statement ran: nothing may stick.
          const r = await reserve(op, newKey());
          if (r) {
            await f.db.sql
              .begin(async (tx) => {
                const inTx = createLedger({ sql: tx, reservationTtlSec: 900 });
                await inTx.commit({ userId: USER, actor: 'bots' }, r.reservationId);
                throw new Rollback();
              })
              .catch((e: unknown) => {
                if (!(e instanceof Rollback)) throw e;
              });
            const [row] = await f.db
              .sql`select status from credits.reservations where id = ${r.reservationId}`;
            check(row?.status === 'held', `aborted commit left ${String(row?.status)}`);
            expect((await commit(r.reservationId)).status).toBe(200);
          }
          count('aborted-commit');
        } else if (x < 0.82) {
          // The commit's response is lost; the client retries and must be answered, not charged again.
          const r = await reserve(op, newKey());
          if (r) {
            await post(`/reservations/${r.reservationId}/commit`);
            const retry = await commit(r.reservationId);
            check(retry.status === 200 && retry.body.replayed === true, `retry ${retry.status}`);
            const release = await post(`/reservations/${r.reservationId}/release`);
            check(release.status === 409, `release after commit ${release.status}`);
          }
          count('lost-response');
        } else if (x < 0.88) {
          // Expired before the work finished: the commit is refused and the hold comes back.
          const r = await reserve(op, newKey());
          if (r) {
            await f.db.sql`update credits.reservations set expires_at = now() - interval '1 second'
                            where id = ${r.reservationId} and status = 'held'`;
            const c = await commit(r.reservationId);
            check(
              c.status === 409 && c.body.errcode === 'CREDITS_RESERVATION_EXPIRED',
              `expired commit ${c.status}`,
            );
          }
          count('expired');
        } else if (x < 0.92) {
          // Abandoned: the worker died; the final sweep returns the hold.
          await reserve(op, newKey());
          count('abandoned');
        } else if (x < 0.96) {
          // A rejected commit (above the hold), then the client releases instead.
          const r = await reserve(op, newKey());
          if (r) {
            const c = await commit(r.reservationId, r.amount + 1);
            check(c.status === 400, `over-commit ${c.status}`);
            expect((await post(`/reservations/${r.reservationId}/release`)).status).toBe(200);
          }
          count('rejected-commit');
        } else {
          // Admin top-up, sometimes sent twice.
          const amount = 1000 + Math.floor(rnd() * 4000);
          const key = `topup-${i}-${step}`;
          const times = rnd() < 0.5 ? 1 : 2;
          for (let t = 0; t < times; t++) {
            const g = await f.call('POST', '/grant', {
              token: tokens.admin,
              body: { userId: USER, amount, idempotencyKey: key },
            });
            check(g.status === 201 || g.status === 200, `grant ${g.status}`);
            if (g.status === 201) granted += amount;
          }
          count('topup');
        }
      }
    }

    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    running = false;
    await Promise.all([monitor, sweeper]);
    const elapsed = performance.now() - started;

    // Return what was abandoned, then settle the books.
    await f.db.sql`update credits.reservations set expires_at = now() where status = 'held'`;
    await f.credits.ledger.sweep();

    const [account] = await f.db.sql<{ balance: string; held: string }[]>`
      select balance, held from credits.accounts where user_id = ${USER}`;
    const totalCharged = [...charged.values()].reduce((a, b) => a + b, 0);
    const [fromEntries] = await f.db.sql<
      { commits: string; grants: string; settles: number; min_avail: string }[]
    >`
      select coalesce(-sum(amount) filter (where kind = 'commit'), 0) as commits,
             coalesce(sum(amount) filter (where kind in ('grant', 'gift', 'refund')), 0) as grants,
             (select count(*)::int from (select reservation_id from credits.entries
                where kind in ('commit', 'release') group by reservation_id having count(*) > 1) d) as settles,
             min(balance_after - held_after) as min_avail
        from credits.entries where user_id = ${USER}`;
    const dbCharges = await f.db.sql<{ id: string; committed_amount: string }[]>`
      select id, committed_amount from credits.reservations where status = 'committed'`;
    const check2 = await checkLedger(f.db.sql);

    console.log(
      `seed ${SEED}: ${CLIENTS}×${OPS_PER_CLIENT} ops in ${Math.round(elapsed)} ms, ${samples} balance samples, ` +
        `${charged.size} charges, ${JSON.stringify(stats)}`,
    );
    expect(failures).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    expect(minAvailable).toBeGreaterThanOrEqual(0);
    expect(Number(fromEntries?.min_avail)).toBeGreaterThanOrEqual(0);
    expect(fromEntries?.settles).toBe(0);
    expect(Number(account?.held)).toBe(0);
    // The final balance is exactly grants minus commits, from our side and from the ledger's.
    expect(Number(fromEntries?.grants)).toBe(granted);
    expect(Number(fromEntries?.commits)).toBe(totalCharged);
    expect(Number(account?.balance)).toBe(granted - totalCharged);
    // Every charge in the database is one the API reported, for the amount it reported.
    expect(Object.fromEntries(dbCharges.map((r) => [r.id, Number(r.committed_amount)]))).toEqual(
      Object.fromEntries(charged),
    );
    expect(check2.problems).toEqual([]);
    // The run must actually have hit the interesting paths.
    expect(stats.insufficient ?? 0).toBeGreaterThan(0);
    for (const k of ['aborted-commit', 'lost-response', 'expired', 'reserve-repeat', 'consume-repeat'])
      expect(stats[k] ?? 0, k).toBeGreaterThan(0);
  }, 120_000);
});
