/**
 * The ledger's invariants, checked against the database itself. Tests run it after every scenario;
 * operators can run it against production (read-only) to prove the books balance.
 */
import type { Sql } from '@mana/db';

export interface LedgerCheck {
  ok: boolean;
  /** One human-readable line per violation; empty when `ok`. */
  problems: string[];
  accounts: number;
  entries: number;
}

/**
 * Verifies, for every account (or one user):
 * 1. `balance` = sum of entry amounts and `held` = sum of entry held deltas;
 * 2. `held` = sum of the reservations still held;
 * 3. every entry's `balance_after`/`held_after` equals the running sum up to it (so the history is
 *    complete and in order) and never shows a negative available balance;
 * 4. per reservation, its entries hold and charge exactly once: held delta sums to the open hold
 *    (0 once settled) and amounts sum to minus the committed amount (no double charge);
 * 5. the last entry's totals equal the account's totals;
 * 6. per gift, its credits are in exactly one place: one entry took them from the giver, and one
 *    put them into the redeemer's (redeemed) or the giver's (revoked, expired) account, or none yet
 *    (open).
 */
export async function checkLedger(sql: Sql, options: { userId?: string } = {}): Promise<LedgerCheck> {
  const user = options.userId;
  const only = (col: string) => (user === undefined ? sql`true` : sql`${sql(col)} = ${user}`);
  const problems: string[] = [];

  const totals = await sql<
    {
      user_id: string;
      balance: string;
      held: string;
      sum_amount: string;
      sum_held: string;
      open_holds: string;
    }[]
  >`
    select a.user_id, a.balance, a.held,
           coalesce((select sum(e.amount) from credits.entries e where e.user_id = a.user_id), 0) as sum_amount,
           coalesce((select sum(e.held_delta) from credits.entries e where e.user_id = a.user_id), 0) as sum_held,
           coalesce((select sum(r.amount) from credits.reservations r
                      where r.user_id = a.user_id and r.status = 'held'), 0) as open_holds
      from credits.accounts a
     where ${only('a.user_id')}`;
  for (const t of totals) {
    if (t.balance !== t.sum_amount)
      problems.push(`${t.user_id}: balance ${t.balance} ≠ sum of entries ${t.sum_amount}`);
    if (t.held !== t.sum_held)
      problems.push(`${t.user_id}: held ${t.held} ≠ sum of held deltas ${t.sum_held}`);
    if (t.held !== t.open_holds)
      problems.push(`${t.user_id}: held ${t.held} ≠ open reservations ${t.open_holds}`);
  }

  const running = await sql<
    {
      id: string;
      user_id: string;
      balance_after: string;
      run_balance: string;
      held_after: string;
      run_held: string;
    }[]
  >`
    select id, user_id, balance_after, run_balance, held_after, run_held from (
      select id, user_id, balance_after, held_after,
             sum(amount) over w as run_balance, sum(held_delta) over w as run_held
        from credits.entries
       where ${only('user_id')}
      window w as (partition by user_id order by id)
    ) x
    where balance_after <> run_balance or held_after <> run_held
       or balance_after - held_after < 0 or held_after < 0
    limit 20`;
  for (const r of running)
    problems.push(
      `${r.user_id}: entry ${r.id} says ${r.balance_after}/${r.held_after} (balance/held), running sum is ${r.run_balance}/${r.run_held}`,
    );

  const perReservation = await sql<
    {
      id: string;
      status: string;
      amount: string;
      committed_amount: string | null;
      sum_amount: string;
      sum_held: string;
    }[]
  >`
    select r.id, r.status, r.amount, r.committed_amount,
           coalesce(sum(e.amount), 0) as sum_amount, coalesce(sum(e.held_delta), 0) as sum_held
      from credits.reservations r
      left join credits.entries e on e.reservation_id = r.id
     where ${only('r.user_id')}
     group by r.id
    having coalesce(sum(e.amount), 0) <> -coalesce(r.committed_amount, 0)
        or coalesce(sum(e.held_delta), 0) <> case when r.status = 'held' then r.amount else 0 end
     limit 20`;
  for (const r of perReservation)
    problems.push(
      `reservation ${r.id} (${r.status}, hold ${r.amount}, committed ${r.committed_amount ?? '-'}): entries charge ${r.sum_amount}, hold ${r.sum_held}`,
    );

  const last = await sql<{ user_id: string }[]>`
    select a.user_id from credits.accounts a
      join lateral (select balance_after, held_after from credits.entries e
                     where e.user_id = a.user_id order by id desc limit 1) l on true
     where ${only('a.user_id')} and (l.balance_after <> a.balance or l.held_after <> a.held)`;
  for (const r of last) problems.push(`${r.user_id}: last entry's totals differ from the account`);

  const perGift = await sql<
    { id: string; status: string; amount: string; out_n: number; in_n: number; in_ok: boolean }[]
  >`
    select g.id, g.status, g.amount,
           count(*) filter (where e.amount < 0)::int as out_n,
           count(*) filter (where e.amount > 0)::int as in_n,
           coalesce(bool_and(case when e.amount < 0 then e.user_id = g.giver and e.amount = -g.amount
                                  else e.amount = g.amount and e.user_id =
                                       case when g.status = 'redeemed' then g.redeemed_by else g.giver end
                             end), true) as in_ok
      from credits.gifts g
      left join credits.entries e on e.gift_id = g.id
     where ${user === undefined ? sql`true` : sql`(g.giver = ${user} or g.redeemed_by = ${user})`}
     group by g.id
    having count(*) filter (where e.amount < 0) <> 1
        or count(*) filter (where e.amount > 0) <> case when g.status = 'open' then 0 else 1 end
        or not coalesce(bool_and(case when e.amount < 0 then e.user_id = g.giver and e.amount = -g.amount
                                      else e.amount = g.amount and e.user_id =
                                           case when g.status = 'redeemed' then g.redeemed_by else g.giver end
                                 end), true)
     limit 20`;
  for (const g of perGift)
    problems.push(
      `gift ${g.id} (${g.status}, ${g.amount}): ${g.out_n} entries out, ${g.in_n} in${g.in_ok ? '' : ', wrong account or amount'}`,
    );

  const [counts] = await sql<{ accounts: number; entries: number }[]>`
    select (select count(*)::int from credits.accounts a where ${only('a.user_id')}) as accounts,
           (select count(*)::int from credits.entries e where ${only('e.user_id')}) as entries`;
  return {
    ok: problems.length === 0,
    problems,
    accounts: counts?.accounts ?? 0,
    entries: counts?.entries ?? 0,
  };
}
