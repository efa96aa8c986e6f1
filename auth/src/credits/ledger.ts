/**
 * The ledger: every change to a credit account, each as ONE SQL statement.
 *
 * Why single statements: a data-modifying CTE runs atomically in its own implicit transaction, and
 * the conditional `UPDATE accounts … WHERE balance - held >= amount` takes the account's row lock and,
 * under READ COMMITTED, re-checks its condition against the newest row version when it had to wait
 * for a concurrent writer. So two racing reservations can never both see the same available balance
 * (no lost update, never negative), and the lock is held for one statement, not for several client
 * round trips, which is what keeps a hot account fast. The CHECK constraints on `accounts` and
 * `entries` are the backstop if a statement here were ever wrong.
 *
 * Lock order is always reservation row → account row (commit, release, sweep) or account row → new
 * reservation row (reserve, consume); no statement takes two accounts, so there is no deadlock cycle.
 *
 * Idempotency: `(user_id, idempotency_key)` is unique on reservations and entries. A repeated key
 * makes the insert fail with a unique violation, which rolls back the whole statement (including
 * its hold), and we answer with the earlier reservation.
 */
import type { Sql } from '@mana/db';
import type { TransactionSql } from 'postgres';
import type { Balance, Entry, EntryKind, ReservationStatus } from '@mana/credits';
import { creditsErrors } from './errors.ts';
import { createGifts } from './gifts.ts';

type Id = string;

export interface Reservation {
  reservationId: Id;
  operation: string;
  amount: number;
  status: ReservationStatus;
  expiresAt: string;
  replayed: boolean;
}

export interface Settlement extends Balance {
  reservationId: Id;
  status: ReservationStatus;
  amount: number;
  charged: number;
  replayed: boolean;
}

export interface Consumption extends Balance {
  reservationId: Id;
  operation: string;
  charged: number;
  replayed: boolean;
}

export interface Grant extends Balance {
  entryId: string;
  userId: string;
  amount: number;
  replayed: boolean;
}

/** Who asks, for whom: `userId` owns the account, `actor` is recorded (the user or `act.sub`). */
export interface Principal {
  userId: string;
  actor: string;
}

export interface LedgerEvents {
  reserved?(operation: string, amount: number): void;
  committed?(operation: string, amount: number): void;
  insufficient?(operation: string): void;
  expired?(count: number): void;
  /** Credits added to an account: a grant (starting balance, admin), a refund, or a redeemed gift. */
  granted?(kind: 'grant' | 'refund' | 'gift', amount: number): void;
}

/** Actor recorded on entries the system writes by itself. */
export const SYSTEM_ACTOR = 'system';
export const SWEEPER_ACTOR = 'system:sweeper';
/** The key of the starting-balance grant; unique per user, which makes the grant idempotent. */
export const STARTING_BALANCE_KEY = 'mana:starting-balance';

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}

// postgres.js returns bigint columns as strings; every amount fits a JS number (MAX_AMOUNT ≪ 2^53).
const n = (v: string | number | bigint | null): number => (v === null ? 0 : Number(v));

interface AccountRow {
  balance: string;
  held: string;
}
const balanceOf = (row: AccountRow | undefined): Balance => {
  const balance = row ? n(row.balance) : 0;
  const held = row ? n(row.held) : 0;
  return { balance, held, available: balance - held };
};

interface ReservationRow {
  id: string;
  operation: string;
  amount: string;
  status: ReservationStatus;
  committed_amount: string | null;
  expires_at: string;
  expired: boolean;
}

export interface LedgerOptions {
  /** A pool, or a transaction when the caller wants ledger writes to share its fate. */
  sql: Sql | TransactionSql;
  reservationTtlSec: number;
  /** Seconds an unredeemed gift stays open before the sweeper returns it (default 30 days). */
  giftTtlSec?: number;
  events?: LedgerEvents;
  /**
   * When `sql` commits asynchronously (`connect({ asyncCommit: true })`): makes the writes durable
   * (`flushWal` on a synchronous pool). Every write call awaits it before it answers, so an account's
   * row lock is held for a statement, not through a disk flush, and nothing is acknowledged before
   * it is on disk.
   */
  flush?: () => Promise<void>;
}

export type Ledger = ReturnType<typeof createLedger>;

export function createLedger({
  sql,
  reservationTtlSec,
  giftTtlSec = 30 * 86_400,
  events = {},
  flush,
}: LedgerOptions) {
  // Timestamps leave Postgres as ISO 8601 text: postgres.js does not parse timestamptz columns of
  // every statement shape into Dates (CTE results arrive as strings), so never depend on it.
  const iso = (column: string, as = column.split('.').at(-1) ?? column) =>
    sql`to_json(${sql(column)}) #>> '{}' as ${sql(as)}`;
  async function balance(userId: string): Promise<Balance> {
    const [row] = await sql<AccountRow[]>`
      select balance, held from credits.accounts where user_id = ${userId}`;
    return balanceOf(row);
  }

  async function findReservation(userId: string, id: string): Promise<ReservationRow | undefined> {
    const [row] = await sql<ReservationRow[]>`
      select id, operation, amount, status, committed_amount, ${iso('expires_at')}, expires_at <= now() as expired
        from credits.reservations where id = ${id} and user_id = ${userId}`;
    return row;
  }

  /**
   * What a key already names: an earlier reservation (returned, or 409 if it was for another
   * operation) or another entry such as a grant (409). One statement, one snapshot: a reservation
   * and its entry commit together, so reading them separately could see one without the other.
   */
  async function replay(userId: string, key: string, operation: string): Promise<ReservationRow | undefined> {
    const [row] = await sql<(Partial<ReservationRow> & { key_used: boolean })[]>`
      select r.id, r.operation, r.amount, r.status, r.committed_amount,
             to_json(r.expires_at) #>> '{}' as expires_at, r.expires_at <= now() as expired,
             exists (select 1 from credits.entries e
                      where e.user_id = ${userId} and e.idempotency_key = ${key}) as key_used
        from (select 1) one
        left join credits.reservations r on r.user_id = ${userId} and r.idempotency_key = ${key}`;
    if (row?.id === undefined || row.id === null) {
      if (row?.key_used) throw creditsErrors.idempotencyMismatch('it was used for a grant');
      return undefined;
    }
    const existing = row as ReservationRow;
    if (existing.operation !== operation)
      throw creditsErrors.idempotencyMismatch(`it reserved ${existing.operation}, not ${operation}`);
    return existing;
  }

  const asReservation = (r: ReservationRow, replayed: boolean): Reservation => ({
    reservationId: r.id,
    operation: r.operation,
    amount: n(r.amount),
    status: r.status,
    expiresAt: r.expires_at,
    replayed,
  });

  async function reserve(
    who: Principal,
    req: { operation: string; amount: number; idempotencyKey: string; reference?: string | undefined },
    attempt = 0,
  ): Promise<Reservation> {
    const { userId, actor } = who;
    const { operation, amount, idempotencyKey: key } = req;
    const reference = req.reference ?? null;
    let rows: { id: string; expires_at: string }[];
    try {
      rows = await sql<{ id: string; expires_at: string }[]>`
        with acct as (
          update credits.accounts
             set held = held + ${amount}, updated_at = now()
           where user_id = ${userId} and balance - held >= ${amount}
          returning user_id, balance, held
        ), res as (
          insert into credits.reservations
                 (user_id, operation, amount, status, idempotency_key, actor, reference, expires_at)
          select user_id, ${operation}, ${amount}, 'held', ${key}, ${actor}, ${reference},
                 now() + make_interval(secs => ${reservationTtlSec})
            from acct
          returning id, expires_at
        ), ent as (
          insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
                 held_after, idempotency_key, actor, reference, reservation_id)
          select acct.user_id, 'reserve', ${operation}, 0, ${amount}, acct.balance, acct.held, ${key},
                 ${actor}, ${reference}, res.id
            from acct, res
          returning id
        )
        select res.id, ${iso('res.expires_at', 'expires_at')} from res, ent`;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // The key was used before; the statement (and its hold) rolled back as a whole.
      const existing = await replay(userId, key, operation);
      if (existing) return asReservation(existing, true);
      // Neither a reservation nor another entry holds the key any more: impossible for committed
      // rows (entries are append-only), so the conflicting writer rolled back. Try again.
      if (attempt < 3) return reserve(who, req, attempt + 1);
      throw err;
    }
    const row = rows[0];
    if (row) {
      events.reserved?.(operation, amount);
      return {
        reservationId: row.id,
        operation,
        amount,
        status: 'held',
        expiresAt: row.expires_at,
        replayed: false,
      };
    }
    // Nothing was held: either the key is a replay (of a reservation the balance could no longer
    // cover again) or the user cannot afford it.
    const existing = await replay(userId, key, operation);
    if (existing) return asReservation(existing, true);
    const { available } = await balance(userId);
    // A release or grant may have landed since the attempt; try again rather than answer a 402
    // whose `available` already covers the cost.
    if (available >= amount && attempt < 3) return reserve(who, req, attempt + 1);
    events.insufficient?.(operation);
    throw creditsErrors.insufficient(amount, available);
  }

  /**
   * Releases a held reservation and writes its release entry. `sweep` picks an expired one itself
   * (`FOR UPDATE SKIP LOCKED`, so several sweepers and in-flight commits never wait on each other).
   */
  async function releaseStatement(
    target: { id: string; userId: string; actor: string; expired?: boolean } | { sweep: true },
  ): Promise<({ id: string; amount: string } & AccountRow) | undefined> {
    const status = 'sweep' in target || target.expired ? 'expired' : 'released';
    const actor = 'sweep' in target ? SWEEPER_ACTOR : target.actor;
    const pick =
      'sweep' in target
        ? sql`id = (select id from credits.reservations
                     where status = 'held' and expires_at <= now()
                     order by expires_at limit 1 for update skip locked)`
        : sql`id = ${target.id} and user_id = ${target.userId}`;
    const [row] = await sql<({ id: string; amount: string } & AccountRow)[]>`
      with r as (
        update credits.reservations
           set status = ${status}, settled_at = now()
         where ${pick} and status = 'held'
        returning id, user_id, operation, amount, reference
      ), acct as (
        update credits.accounts a
           set held = a.held - r.amount, updated_at = now()
          from r
         where a.user_id = r.user_id
        returning a.user_id, a.balance, a.held
      ), ent as (
        insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
               held_after, actor, reference, reservation_id)
        select r.user_id, 'release', r.operation, 0, -r.amount, acct.balance, acct.held, ${actor},
               r.reference, r.id
          from r, acct
        returning id
      )
      select r.id, r.amount, acct.balance, acct.held from r, acct, ent`;
    return row;
  }

  async function commit(who: Principal, reservationId: string, finalAmount?: number): Promise<Settlement> {
    const { userId, actor } = who;
    const want = finalAmount ?? null;
    // Loops only if the reservation changed between the conditional update and the diagnosis.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [row] = await sql<
        ({ amount: string; committed_amount: string; operation: string } & AccountRow)[]
      >`
        with r as (
          update credits.reservations
             set status = 'committed', committed_amount = coalesce(${want}::bigint, amount), settled_at = now()
           where id = ${reservationId} and user_id = ${userId} and status = 'held'
             and expires_at > now() and coalesce(${want}::bigint, amount) <= amount
          returning id, user_id, operation, amount, committed_amount, reference
        ), acct as (
          update credits.accounts a
             set balance = a.balance - r.committed_amount, held = a.held - r.amount, updated_at = now()
            from r
           where a.user_id = r.user_id
          returning a.user_id, a.balance, a.held
        ), ent as (
          insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
                 held_after, actor, reference, reservation_id)
          select r.user_id, 'commit', r.operation, -r.committed_amount, -r.amount, acct.balance,
                 acct.held, ${actor}, r.reference, r.id
            from r, acct
          returning id
        )
        select r.operation, r.amount, r.committed_amount, acct.balance, acct.held from r, acct, ent`;
      if (row) {
        const charged = n(row.committed_amount);
        events.committed?.(row.operation, charged);
        return {
          reservationId,
          status: 'committed',
          amount: n(row.amount),
          charged,
          replayed: false,
          ...balanceOf(row),
        };
      }
      const r = await findReservation(userId, reservationId);
      if (!r) throw creditsErrors.reservationNotFound();
      if (r.status === 'committed') {
        // A retried commit (the first answer got lost) succeeds again without charging again.
        const charged = n(r.committed_amount);
        if (finalAmount !== undefined && finalAmount !== charged)
          throw creditsErrors.reservationSettled(`already committed with ${charged}`, 'commit');
        return {
          reservationId,
          status: 'committed',
          amount: n(r.amount),
          charged,
          replayed: true,
          ...(await balance(userId)),
        };
      }
      if (r.status === 'expired') throw creditsErrors.reservationExpired();
      if (r.status === 'released') throw creditsErrors.reservationSettled('released', 'commit');
      if (r.expired) {
        // Past its TTL but not swept yet: the sweeper would release it any moment, so do it now and
        // refuse, rather than charge for work the caller may have given up on.
        const swept = await releaseStatement({
          id: reservationId,
          userId,
          actor: SWEEPER_ACTOR,
          expired: true,
        });
        if (swept) events.expired?.(1);
        throw creditsErrors.reservationExpired();
      }
      if (finalAmount !== undefined && finalAmount > n(r.amount))
        throw creditsErrors.amountExceedsHold(finalAmount, n(r.amount));
    }
    throw new Error(`commit of ${reservationId} did not settle after 3 attempts`);
  }

  async function release(who: Principal, reservationId: string): Promise<Settlement> {
    const row = await releaseStatement({ id: reservationId, userId: who.userId, actor: who.actor });
    if (row)
      return {
        reservationId,
        status: 'released',
        amount: n(row.amount),
        charged: 0,
        replayed: false,
        ...balanceOf(row),
      };
    const r = await findReservation(who.userId, reservationId);
    if (!r) throw creditsErrors.reservationNotFound();
    if (r.status === 'committed') throw creditsErrors.reservationSettled('committed', 'release');
    // Released or expired: the hold is back either way, which is what the caller asked for.
    return {
      reservationId,
      status: r.status,
      amount: n(r.amount),
      charged: 0,
      replayed: true,
      ...(await balance(who.userId)),
    };
  }

  async function consume(
    who: Principal,
    req: { operation: string; amount: number; idempotencyKey: string; reference?: string | undefined },
    attempt = 0,
  ): Promise<Consumption> {
    const { userId, actor } = who;
    const { operation, amount, idempotencyKey: key } = req;
    const reference = req.reference ?? null;
    const replayed = async (): Promise<Consumption | undefined> => {
      const existing = await replay(userId, key, operation);
      if (!existing) return undefined;
      if (existing.status !== 'committed')
        throw creditsErrors.idempotencyMismatch(`it belongs to a reservation that is ${existing.status}`);
      return {
        reservationId: existing.id,
        operation,
        charged: n(existing.committed_amount),
        replayed: true,
        ...(await balance(userId)),
      };
    };
    let rows: ({ id: string } & AccountRow)[];
    try {
      rows = await sql<({ id: string } & AccountRow)[]>`
        with acct as (
          update credits.accounts
             set balance = balance - ${amount}, updated_at = now()
           where user_id = ${userId} and balance - held >= ${amount}
          returning user_id, balance, held
        ), res as (
          insert into credits.reservations (user_id, operation, amount, status, committed_amount,
                 idempotency_key, actor, reference, expires_at, settled_at)
          select user_id, ${operation}, ${amount}, 'committed', ${amount}, ${key}, ${actor}, ${reference},
                 now(), now()
            from acct
          returning id
        ), ent as (
          insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
                 held_after, idempotency_key, actor, reference, reservation_id)
          select acct.user_id, 'commit', ${operation}, -${amount}::bigint, 0, acct.balance, acct.held,
                 ${key}, ${actor}, ${reference}, res.id
            from acct, res
          returning id
        )
        select res.id, acct.balance, acct.held from res, acct, ent`;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const again = await replayed();
      if (again) return again;
      if (attempt < 3) return consume(who, req, attempt + 1);
      throw err;
    }
    const row = rows[0];
    if (row) {
      events.reserved?.(operation, amount);
      events.committed?.(operation, amount);
      return { reservationId: row.id, operation, charged: amount, replayed: false, ...balanceOf(row) };
    }
    const again = await replayed();
    if (again) return again;
    const { available } = await balance(userId);
    if (available >= amount && attempt < 3) return consume(who, req, attempt + 1);
    events.insufficient?.(operation);
    throw creditsErrors.insufficient(amount, available);
  }

  /** Adds credits (grant, refund, gift); creates the account on first use. */
  async function grant(
    who: { actor: string },
    req: {
      userId: string;
      amount: number;
      kind: Extract<EntryKind, 'grant' | 'refund' | 'gift'>;
      idempotencyKey: string;
      reference?: string | undefined;
    },
  ): Promise<Grant> {
    const { userId, amount, kind, idempotencyKey: key } = req;
    const reference = req.reference ?? null;
    try {
      const [row] = await sql<({ id: string } & AccountRow)[]>`
        with acct as (
          insert into credits.accounts (user_id, balance) values (${userId}, ${amount})
          on conflict (user_id) do update
             set balance = credits.accounts.balance + excluded.balance, updated_at = now()
          returning user_id, balance, held
        ), ent as (
          insert into credits.entries (user_id, kind, amount, held_delta, balance_after, held_after,
                 idempotency_key, actor, reference)
          select user_id, ${kind}, ${amount}, 0, balance, held, ${key}, ${who.actor}, ${reference}
            from acct
          returning id
        )
        select ent.id, acct.balance, acct.held from acct, ent`;
      if (!row) throw new Error('grant wrote no entry');
      events.granted?.(kind, amount);
      return { entryId: String(row.id), userId, amount, replayed: false, ...balanceOf(row) };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const [prev] = await sql<{ id: string; kind: string; amount: string }[]>`
        select id, kind, amount from credits.entries where user_id = ${userId} and idempotency_key = ${key}`;
      if (!prev || prev.kind !== kind || n(prev.amount) !== amount)
        throw creditsErrors.idempotencyMismatch('it was used for a different entry');
      return { entryId: String(prev.id), userId, amount, replayed: true, ...(await balance(userId)) };
    }
  }

  /** Creates the account; grants `amount` once per user, however often it is called. */
  async function grantStartingBalance(userId: string, amount: number): Promise<void> {
    if (amount <= 0) {
      await sql`insert into credits.accounts (user_id) values (${userId}) on conflict do nothing`;
      return;
    }
    await grant(
      { actor: SYSTEM_ACTOR },
      { userId, amount, kind: 'grant', idempotencyKey: STARTING_BALANCE_KEY, reference: 'starting balance' },
    );
  }

  /** Releases every reservation past its TTL; returns how many. */
  async function sweep(max = 10_000): Promise<number> {
    let count = 0;
    while (count < max && (await releaseStatement({ sweep: true }))) count++;
    if (count > 0) events.expired?.(count);
    return count;
  }

  async function transactions(
    userId: string,
    { cursor, limit }: { cursor?: string | undefined; limit: number },
  ): Promise<{ entries: Entry[]; nextCursor: string | null }> {
    const rows = await sql<
      {
        id: string;
        kind: EntryKind;
        operation: string | null;
        amount: string;
        held_delta: string;
        balance_after: string;
        held_after: string;
        actor: string;
        reference: string | null;
        reservation_id: string | null;
        idempotency_key: string | null;
        created_at: string;
      }[]
    >`
      select id, kind, operation, amount, held_delta, balance_after, held_after, actor, reference,
             reservation_id, idempotency_key, ${iso('created_at')}
        from credits.entries
       where user_id = ${userId} ${cursor === undefined ? sql`` : sql`and id < ${cursor}::bigint`}
       order by id desc
       limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      entries: page.map((r) => ({
        id: String(r.id),
        kind: r.kind,
        operation: r.operation,
        amount: n(r.amount),
        heldDelta: n(r.held_delta),
        balanceAfter: n(r.balance_after),
        heldAfter: n(r.held_after),
        actor: r.actor,
        reference: r.reference,
        reservationId: r.reservation_id,
        idempotencyKey: r.idempotency_key,
        createdAt: r.created_at,
      })),
      nextCursor: rows.length > limit && last ? String(last.id) : null,
    };
  }

  /** A write call that answers only once what it (or what it read) is on disk. */
  const durable = <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    flush
      ? async (...args: A): Promise<R> => {
          try {
            return await write(...args);
          } finally {
            await flush(); // also before an error built on rows another call wrote
          }
        }
      : write;

  const gifts = createGifts({ sql, giftTtlSec, balance });

  return {
    balance,
    transactions,
    gifts: gifts.gifts,
    gift: durable(gifts.gift),
    redeem: durable(async (...args: Parameters<typeof gifts.redeem>) => {
      const redeemed = await gifts.redeem(...args);
      events.granted?.('gift', redeemed.amount);
      return redeemed;
    }),
    revoke: durable(gifts.revoke),
    sweepGifts: durable(gifts.sweepGifts),
    reserve: durable(reserve),
    commit: durable(commit),
    release: durable(release),
    consume: durable(consume),
    grant: durable(grant),
    grantStartingBalance: durable(grantStartingBalance),
    sweep: durable(sweep),
  };
}
