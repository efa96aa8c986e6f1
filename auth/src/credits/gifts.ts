/**
 * Gift codes in the ledger. Like every other change, each is ONE SQL statement (see ledger.ts):
 *
 * - make: `UPDATE accounts … WHERE balance - held >= amount` + the gift row + a `gift` entry
 *   (amount < 0): the credits leave the giver at once, no hold to forget.
 * - redeem: `UPDATE gifts SET status = 'redeemed' WHERE code_hash = … AND status = 'open'` + the
 *   redeemer's account + an entry. Racing redeems queue on the gift's row lock and re-check
 *   `status = 'open'` on the newest version (READ COMMITTED), so exactly one wins; the unique index
 *   `entries_gift_in_once` is the backstop.
 * - revoke / expire: the same conditional update, the credits back to the giver.
 *
 * Lock order: giver account → new gift (make), gift → one account (redeem, revoke, expire); no
 * statement locks two accounts, so there is no deadlock cycle with the rest of the ledger.
 */
import { createHash } from 'node:crypto';
import {
  generateGiftCode,
  giftCodeHint,
  normalizeGiftCode,
  type Balance,
  type Gift,
  type GiftCreated,
  type GiftStatus,
  type RedeemResponse,
  type RevokeResponse,
} from '@mana/credits';
import type { Sql } from '@mana/db';
import type { TransactionSql } from 'postgres';
import { creditsErrors } from './errors.ts';
import type { Principal } from './ledger.ts';

export const GIFT_SWEEPER_ACTOR = 'system:sweeper';

interface GiftRow {
  id: string;
  amount: string;
  hint: string;
  to_user: string | null;
  status: GiftStatus;
  created_at: string;
  expires_at: string;
  settled_at: string | null;
  redeemed_by: string | null;
}

interface AccountRow {
  balance: string;
  held: string;
}

const n = (v: string | number | null): number => (v === null ? 0 : Number(v));
const balanceOf = (row: AccountRow | undefined): Balance => {
  const balance = row ? n(row.balance) : 0;
  const held = row ? n(row.held) : 0;
  return { balance, held, available: balance - held };
};

const asGift = (r: GiftRow): Gift => ({
  giftId: r.id,
  amount: n(r.amount),
  hint: r.hint,
  to: r.to_user,
  status: r.status,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  settledAt: r.settled_at,
  redeemedBy: r.redeemed_by,
});

/** sha-256 of the canonical code; undefined when the text cannot be a code. */
export function giftCodeHash(code: string): Buffer | undefined {
  const canonical = normalizeGiftCode(code);
  return canonical === undefined ? undefined : createHash('sha256').update(canonical).digest();
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}

export function createGifts({
  sql,
  giftTtlSec,
  balance,
}: {
  sql: Sql | TransactionSql;
  giftTtlSec: number;
  balance: (userId: string) => Promise<Balance>;
}) {
  // Timestamps as ISO text (see ledger.ts: CTE results are not parsed into Dates reliably).
  const giftColumns = (t: string) => sql`
    ${sql(t)}.id, ${sql(t)}.amount, ${sql(t)}.hint, ${sql(t)}.to_user, ${sql(t)}.status, ${sql(t)}.redeemed_by,
    to_json(${sql(t)}.created_at) #>> '{}' as created_at,
    to_json(${sql(t)}.expires_at) #>> '{}' as expires_at,
    to_json(${sql(t)}.settled_at) #>> '{}' as settled_at`;

  async function make(
    who: Principal,
    req: { amount: number; to?: string | undefined; idempotencyKey: string },
    attempt = 0,
  ): Promise<GiftCreated> {
    const { userId, actor } = who;
    const { amount, idempotencyKey: key } = req;
    const to = req.to ?? null;
    if (to === userId) throw creditsErrors.giftToSelf();
    const code = generateGiftCode();
    const canonical = normalizeGiftCode(code);
    if (canonical === undefined) throw new Error('generated a malformed gift code');
    const hash = createHash('sha256').update(canonical).digest();
    let rows: (GiftRow & AccountRow)[];
    try {
      rows = await sql<(GiftRow & AccountRow)[]>`
        with acct as (
          update credits.accounts
             set balance = balance - ${amount}, updated_at = now()
           where user_id = ${userId} and balance - held >= ${amount}
             and (${to}::text is null or exists (select 1 from credits.accounts r where r.user_id = ${to}))
          returning user_id, balance, held
        ), g as (
          insert into credits.gifts (giver, amount, code_hash, hint, to_user, status, idempotency_key,
                 actor, expires_at)
          select user_id, ${amount}, ${hash}, ${giftCodeHint(canonical)}, ${to}, 'open', ${key}, ${actor},
                 now() + make_interval(secs => ${giftTtlSec})
            from acct
          returning *
        ), ent as (
          insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
                 held_after, actor, reference, gift_id)
          select acct.user_id, 'gift', 'gift_made', -${amount}::bigint, 0, acct.balance, acct.held,
                 ${actor}, g.id::text, g.id
            from acct, g
          returning id
        )
        select ${giftColumns('g')}, acct.balance, acct.held from g, acct, ent`;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // The key was used before (or, once in 2^100, the code collided): the statement rolled back.
      const again = await replay(userId, key, amount, to);
      if (again) return again;
      if (attempt < 3) return make(who, req, attempt + 1);
      throw err;
    }
    const row = rows[0];
    if (row) return { ...asGift(row), code, replayed: false, ...balanceOf(row) };
    const again = await replay(userId, key, amount, to);
    if (again) return again;
    if (to !== null) {
      const [r] = await sql`select 1 from credits.accounts where user_id = ${to}`;
      if (!r) throw creditsErrors.recipientUnknown();
    }
    const { available } = await balance(userId);
    if (available >= amount && attempt < 3) return make(who, req, attempt + 1);
    throw creditsErrors.insufficient(amount, available);
  }

  /** The gift an earlier call with this key made (its code cannot be shown again: only the hash is kept). */
  async function replay(
    userId: string,
    key: string,
    amount: number,
    to: string | null,
  ): Promise<GiftCreated | undefined> {
    const [row] = await sql<GiftRow[]>`
      select ${giftColumns('g')} from credits.gifts g where g.giver = ${userId} and g.idempotency_key = ${key}`;
    if (!row) return undefined;
    if (n(row.amount) !== amount || row.to_user !== to)
      throw creditsErrors.idempotencyMismatch('it made a different gift');
    return { ...asGift(row), code: null, replayed: true, ...(await balance(userId)) };
  }

  /** Puts an open gift's credits back to its giver (revoke, or expiry when `sweep`). */
  async function giveBack(
    target:
      | { userId: string; actor: string; id: string }
      | { userId: string; actor: string; hash: Buffer }
      | { sweep: true }
      | { expire: string },
  ): Promise<(GiftRow & AccountRow) | undefined> {
    const expiring = 'sweep' in target || 'expire' in target;
    const status = expiring ? 'expired' : 'revoked';
    const actor = expiring ? GIFT_SWEEPER_ACTOR : target.actor;
    const pick =
      'sweep' in target
        ? sql`id = (select id from credits.gifts where status = 'open' and expires_at <= now()
                     order by expires_at limit 1 for update skip locked)`
        : 'expire' in target
          ? sql`id = ${target.expire} and expires_at <= now()`
          : 'id' in target
            ? sql`id = ${target.id} and giver = ${target.userId}`
            : sql`code_hash = ${target.hash} and giver = ${target.userId}`;
    const [row] = await sql<(GiftRow & AccountRow)[]>`
      with g as (
        update credits.gifts set status = ${status}, settled_at = now()
         where ${pick} and status = 'open'
        returning *
      ), acct as (
        update credits.accounts a
           set balance = a.balance + g.amount, updated_at = now()
          from g
         where a.user_id = g.giver
        returning a.user_id, a.balance, a.held
      ), ent as (
        insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
               held_after, actor, reference, gift_id)
        select g.giver, 'gift', ${`gift_${status}`}, g.amount, 0, acct.balance, acct.held, ${actor},
               g.id::text, g.id
          from g, acct
        returning id
      )
      select ${giftColumns('g')}, acct.balance, acct.held from g, acct, ent`;
    return row;
  }

  async function redeem(who: Principal, code: string): Promise<RedeemResponse> {
    const { userId, actor } = who;
    const hash = giftCodeHash(code);
    if (!hash) throw creditsErrors.giftCodeMalformed();
    for (let attempt = 0; attempt < 3; attempt++) {
      const [row] = await sql<({ id: string; amount: string; giver: string } & AccountRow)[]>`
        with g as (
          update credits.gifts
             set status = 'redeemed', redeemed_by = ${userId}, settled_at = now()
           where code_hash = ${hash} and status = 'open' and expires_at > now()
             and (to_user is null or to_user = ${userId}) and giver <> ${userId}
          returning id, amount, giver
        ), acct as (
          insert into credits.accounts (user_id, balance) select ${userId}, g.amount from g
          on conflict (user_id) do update
             set balance = credits.accounts.balance + excluded.balance, updated_at = now()
          returning user_id, balance, held
        ), ent as (
          insert into credits.entries (user_id, kind, operation, amount, held_delta, balance_after,
                 held_after, actor, reference, gift_id)
          select acct.user_id, 'gift', 'gift_redeemed', g.amount, 0, acct.balance, acct.held, ${actor},
                 g.id::text, g.id
            from g, acct
          returning id
        )
        select g.id, g.amount, g.giver, acct.balance, acct.held from g, acct, ent`;
      if (row) return { giftId: row.id, amount: n(row.amount), giver: row.giver, ...balanceOf(row) };
      // Nothing moved: say why.
      const [g] = await sql<
        { id: string; status: GiftStatus; giver: string; to_user: string | null; expired: boolean }[]
      >`
        select id, status, giver, to_user, expires_at <= now() as expired
          from credits.gifts where code_hash = ${hash}`;
      if (!g) throw creditsErrors.giftNotFound();
      if (g.status !== 'open') throw creditsErrors.giftSettled(g.status);
      if (g.giver === userId) throw creditsErrors.giftOwn();
      if (g.to_user !== null && g.to_user !== userId) throw creditsErrors.giftNotForYou();
      if (g.expired) {
        // Past its time but not swept yet: return it to the giver now rather than wait for the sweeper.
        await giveBack({ expire: g.id });
        throw creditsErrors.giftSettled('expired');
      }
      // Still open and redeemable: the state changed between the two statements; try again.
    }
    throw new Error('gift redeem did not settle after 3 attempts');
  }

  async function revoke(
    who: Principal,
    target: { giftId: string } | { code: string },
  ): Promise<RevokeResponse> {
    let pick: { id: string } | { hash: Buffer };
    if ('code' in target) {
      const hash = giftCodeHash(target.code);
      if (!hash) throw creditsErrors.giftCodeMalformed();
      pick = { hash };
    } else pick = { id: target.giftId };
    const row = await giveBack({ userId: who.userId, actor: who.actor, ...pick });
    if (row) return { gift: asGift(row), ...balanceOf(row) };
    const [g] = await sql<{ status: GiftStatus }[]>`
      select status from credits.gifts
       where giver = ${who.userId}
         and ${'id' in pick ? sql`id = ${pick.id}` : sql`code_hash = ${pick.hash}`}`;
    // Someone else's gift is "not found" for you, as reservations are.
    if (!g) throw creditsErrors.giftNotFound();
    if (g.status !== 'open') throw creditsErrors.giftSettled(g.status);
    throw new Error('gift revoke did not settle');
  }

  async function list(userId: string, limit = 100): Promise<Gift[]> {
    const rows = await sql<GiftRow[]>`
      select ${giftColumns('g')} from credits.gifts g
       where g.giver = ${userId} order by g.created_at desc, g.id limit ${limit}`;
    return rows.map(asGift);
  }

  /** Returns every gift past its time to its giver; how many. */
  async function sweep(max = 10_000): Promise<number> {
    let count = 0;
    while (count < max && (await giveBack({ sweep: true }))) count++;
    return count;
  }

  return { gift: make, redeem, revoke, gifts: list, sweepGifts: sweep };
}
