import { CREDIT_PACKAGES, formatGiftCode, normalizeGiftCode } from '@mana/credits';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from './check.ts';
import { startCreditsFixture, type CreditsFixture } from './fixture.ts';

// Gift codes through the real routes and Postgres: move, redeem once, revoke, expiry, bad input.
let f: CreditsFixture;
beforeAll(async () => {
  f = await startCreditsFixture({ label: 'credits_gifts', poolSize: 16, config: { redeemPerMinute: 5 } });
});
afterAll(() => f.close());

let seq = 0;
const key = () => `$gift-${++seq}:mana.test`;
let users = 0;
/** A fresh user with the starting balance (10 credits) and their token. */
async function user(prefix = 'u') {
  const id = `${prefix}${++users}`;
  await f.credits.grantStartingBalance(id);
  return { id, token: await f.userToken(id) };
}

async function balanceOf(token: string) {
  const r = await f.call('GET', '/balance', { token });
  expect(r.status).toBe(200);
  return r.body as { balance: number; held: number; available: number };
}

async function ledgerOk() {
  const check = await checkLedger(f.db.sql);
  expect(check.problems).toEqual([]);
}

async function makeGift(token: string, body: Record<string, unknown>) {
  const r = await f.call('POST', '/gifts', { token, body: { idempotencyKey: key(), ...body } });
  expect(r.status).toBe(201);
  return r.body as { giftId: string; code: string; hint: string; status: string; expiresAt: string };
}

/** `credits_granted_milli_total{kind}` as the module exports it. */
async function grantedMilli(kind: string): Promise<number> {
  const metric = await f.metrics.registry.getSingleMetric('credits_granted_milli_total')?.get();
  return metric?.values.find((v) => v.labels.kind === kind)?.value ?? Number.NaN;
}

describe('gift codes', () => {
  it('counts a redeemed gift once as credits granted (kind gift); a retried redeem adds nothing', async () => {
    const a = await user('gauge-giver');
    const b = await user('gauge-taker');
    const before = await grantedMilli('gift');
    const g = await makeGift(a.token, { amount: 1200 });
    expect(await grantedMilli('gift')).toBe(before);
    expect((await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: g.code } })).status).toBe(
      200,
    );
    expect((await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: g.code } })).status).toBe(
      409,
    );
    expect(await grantedMilli('gift')).toBe(before + 1200);
  });

  it('moves the amount into a code at once, and the redeemer gets it', async () => {
    const a = await user('giver');
    const b = await user('taker');
    const g = await makeGift(a.token, { amount: 2500 });
    expect(g.code).toMatch(/^MANA(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
    expect(g.hint).toBe(g.code.slice(-4));
    expect(g.status).toBe('open');
    expect(await balanceOf(a.token)).toEqual({ balance: 7500, held: 0, available: 7500 });
    // Typed the way people type: lower case, spaces instead of dashes.
    const typed = g.code.toLowerCase().replace(/-/g, ' ');
    const r = await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: typed } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ giftId: g.giftId, amount: 2500, giver: a.id, balance: 12_500 });
    expect(await balanceOf(b.token)).toEqual({ balance: 12_500, held: 0, available: 12_500 });
    expect(await balanceOf(a.token)).toEqual({ balance: 7500, held: 0, available: 7500 });
    const list = await f.call('GET', '/gifts', { token: a.token });
    expect(list.body.gifts).toEqual([
      expect.objectContaining({ giftId: g.giftId, status: 'redeemed', redeemedBy: b.id, amount: 2500 }),
    ]);
    // History shows both sides as gift entries.
    const tx = await f.call('GET', '/transactions', { token: b.token });
    expect((tx.body.entries as { kind: string; amount: number }[])[0]).toMatchObject({
      kind: 'gift',
      amount: 2500,
    });
    await ledgerOk();
  });

  it('never stores the code itself, only its hash', async () => {
    const a = await user();
    const g = await makeGift(a.token, { amount: 10 });
    const canonical = normalizeGiftCode(g.code) ?? '';
    const rows = await f.db.sql`select * from credits.gifts where id = ${g.giftId}`;
    const dump = JSON.stringify(rows, (_k, v: unknown) =>
      Buffer.isBuffer(v) ? v.toString('hex') : (v as never),
    );
    expect(dump).not.toContain(canonical);
    expect(dump).not.toContain(canonical.slice(0, 16));
  });

  it('32 concurrent redeems of one code: exactly one succeeds, the books balance', async () => {
    const a = await user('hot');
    const g = await makeGift(a.token, { amount: 3000 });
    const takers = await Promise.all(Array.from({ length: 32 }, () => user('race')));
    const results = await Promise.all(
      takers.map((t) => f.call('POST', '/gifts/redeem', { token: t.token, body: { code: g.code } })),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200))
      expect(r).toMatchObject({ status: 409, body: { errcode: 'CREDITS_GIFT_SETTLED', status: 'redeemed' } });
    const balances = await Promise.all(takers.map((t) => balanceOf(t.token)));
    expect(balances.filter((b) => b.balance === 13_000)).toHaveLength(1);
    expect(balances.filter((b) => b.balance === 10_000)).toHaveLength(31);
    await ledgerOk();
  });

  it('32 concurrent redeems straight on the ledger by one user and a revoke: one move', async () => {
    const a = await user('hot');
    const b = await user('same');
    const g = await makeGift(a.token, { amount: 1000 });
    const who = { userId: b.id, actor: b.id };
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 32 }, () => f.credits.ledger.redeem(who, g.code)),
      f.credits.ledger.revoke({ userId: a.id, actor: a.id }, { giftId: g.giftId }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const total = (await balanceOf(a.token)).balance + (await balanceOf(b.token)).balance;
    expect(total).toBe(20_000);
    await ledgerOk();
  });

  it('revoke returns an open gift; a revoked code cannot be redeemed', async () => {
    const a = await user();
    const b = await user();
    const g = await makeGift(a.token, { amount: 4000 });
    const r = await f.call('POST', '/gifts/revoke', { token: a.token, body: { code: g.code } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ gift: { giftId: g.giftId, status: 'revoked' }, balance: 10_000 });
    const again = await f.call('POST', `/gifts/${g.giftId}/revoke`, { token: a.token });
    expect(again).toMatchObject({
      status: 409,
      body: { errcode: 'CREDITS_GIFT_SETTLED', status: 'revoked' },
    });
    const redeem = await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: g.code } });
    expect(redeem).toMatchObject({
      status: 409,
      body: { errcode: 'CREDITS_GIFT_SETTLED', status: 'revoked' },
    });
    expect(await balanceOf(b.token)).toMatchObject({ balance: 10_000 });
    // Someone else's gift is not found for you, by id or by code.
    const g2 = await makeGift(a.token, { amount: 1 });
    expect(await f.call('POST', `/gifts/${g2.giftId}/revoke`, { token: b.token })).toMatchObject({
      status: 404,
      body: { errcode: 'CREDITS_GIFT_NOT_FOUND' },
    });
    expect(await f.call('POST', '/gifts/revoke', { token: b.token, body: { code: g2.code } })).toMatchObject({
      status: 404,
      body: { errcode: 'CREDITS_GIFT_NOT_FOUND' },
    });
    await ledgerOk();
  });

  it('expiry returns the gift to the giver (sweeper), and a redeem after the time refuses', async () => {
    const a = await user();
    const b = await user();
    const swept = await makeGift(a.token, { amount: 1000 });
    const late = await makeGift(a.token, { amount: 2000 });
    expect(await balanceOf(a.token)).toMatchObject({ balance: 7000 });
    // The clock is the database's: move both past their time instead of waiting for it.
    await f.db.sql`update credits.gifts set expires_at = now() - interval '1 second'
                    where id in (${swept.giftId}, ${late.giftId})`;
    // Redeeming one that is past its time but not swept yet returns it right away.
    const r = await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: late.code } });
    expect(r).toMatchObject({ status: 409, body: { errcode: 'CREDITS_GIFT_SETTLED', status: 'expired' } });
    expect(await f.credits.ledger.sweepGifts()).toBe(1);
    expect(await f.credits.ledger.sweepGifts()).toBe(0);
    expect(await balanceOf(a.token)).toMatchObject({ balance: 10_000 });
    expect(await balanceOf(b.token)).toMatchObject({ balance: 10_000 });
    const list = await f.call('GET', '/gifts', { token: a.token });
    expect((list.body.gifts as { status: string }[]).map((g) => g.status)).toEqual(['expired', 'expired']);
    await ledgerOk();
  });

  it('the same idempotency key makes one gift; the code is not shown again', async () => {
    const a = await user();
    const k = key();
    const first = await f.call('POST', '/gifts', {
      token: a.token,
      body: { amount: 1500, idempotencyKey: k },
    });
    expect(first.status).toBe(201);
    const [second, third] = await Promise.all([
      f.call('POST', '/gifts', { token: a.token, body: { amount: 1500 }, headers: { 'idempotency-key': k } }),
      f.call('POST', '/gifts', { token: a.token, body: { amount: 1500, idempotencyKey: k } }),
    ]);
    for (const r of [second, third])
      expect(r).toMatchObject({
        status: 200,
        body: { giftId: first.body.giftId, replayed: true, code: null },
      });
    expect(await balanceOf(a.token)).toMatchObject({ balance: 8500 });
    const other = await f.call('POST', '/gifts', { token: a.token, body: { amount: 1, idempotencyKey: k } });
    expect(other).toMatchObject({ status: 409, body: { errcode: 'CREDITS_IDEMPOTENCY_MISMATCH' } });
    await ledgerOk();
  });

  it('a gift `to` one account can be redeemed only by it', async () => {
    const a = await user();
    const b = await user();
    const c = await user();
    const g = await makeGift(a.token, { amount: 500, to: b.id });
    expect(await f.call('POST', '/gifts/redeem', { token: c.token, body: { code: g.code } })).toMatchObject({
      status: 403,
      body: { errcode: 'CREDITS_GIFT_NOT_FOR_YOU' },
    });
    expect(await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: g.code } })).toMatchObject({
      status: 200,
      body: { amount: 500 },
    });
    await ledgerOk();
  });

  it('the ledger check notices a gift whose credits are nowhere or twice', async () => {
    const a = await user();
    const g = await makeGift(a.token, { amount: 700 });
    // Marked redeemed without an entry putting the credits anywhere: the books no longer say where they are.
    await f.db.sql`update credits.gifts set status = 'redeemed', redeemed_by = 'ghost', settled_at = now()
                    where id = ${g.giftId}`;
    const broken = await checkLedger(f.db.sql);
    expect(broken.problems).toEqual([
      expect.stringContaining(`gift ${g.giftId} (redeemed, 700): 1 entries out, 0 in`),
    ]);
    await f.db.sql`update credits.gifts set status = 'open', redeemed_by = null, settled_at = null
                    where id = ${g.giftId}`;
    await ledgerOk();
  });

  it('serves the packages without a token', async () => {
    const r = await f.call('GET', '/packages');
    expect(r.status).toBe(200);
    expect(r.body.packages).toEqual(JSON.parse(JSON.stringify(CREDIT_PACKAGES)));
    const how = r.body.howToGet as { de: unknown; en: unknown };
    expect([typeof how.de, typeof how.en]).toEqual(['string', 'string']);
  });
});

describe('gift bad input: a clear 4xx, nothing moved', () => {
  type Case = [name: string, path: string, body: unknown, status: number, errcode: string];
  const unknownCode = formatGiftCode('0'.repeat(20));
  const cases: Case[] = [
    ['negative amount', '/gifts', { amount: -1000, idempotencyKey: 'n' }, 400, 'M_BAD_JSON'],
    ['zero amount', '/gifts', { amount: 0, idempotencyKey: 'z' }, 400, 'M_BAD_JSON'],
    ['fractional milli-credits', '/gifts', { amount: 1.5, idempotencyKey: 'f' }, 400, 'M_BAD_JSON'],
    ['amount as text', '/gifts', { amount: '100', idempotencyKey: 't' }, 400, 'M_BAD_JSON'],
    ['more than the balance', '/gifts', { amount: 10_001, idempotencyKey: 'm' }, 402, 'CREDITS_INSUFFICIENT'],
    ['no idempotency key', '/gifts', { amount: 1 }, 400, 'CREDITS_IDEMPOTENCY_KEY_REQUIRED'],
    ['unknown field', '/gifts', { amount: 1, idempotencyKey: 'u', userId: 'x' }, 400, 'M_BAD_JSON'],
    [
      'recipient without account',
      '/gifts',
      { amount: 1, to: 'ghost', idempotencyKey: 'g' },
      404,
      'CREDITS_RECIPIENT_UNKNOWN',
    ],
    ['malformed code', '/gifts/redeem', { code: 'MANA-1234' }, 400, 'CREDITS_GIFT_CODE_MALFORMED'],
    [
      'code with foreign letters',
      '/gifts/redeem',
      { code: 'MANA-UUUU-UUUU-UUUU-UUUU-UUUU' },
      400,
      'CREDITS_GIFT_CODE_MALFORMED',
    ],
    ['unknown code', '/gifts/redeem', { code: unknownCode }, 404, 'CREDITS_GIFT_NOT_FOUND'],
    ['code not a string', '/gifts/redeem', { code: 7 }, 400, 'M_BAD_JSON'],
    ['revoke malformed code', '/gifts/revoke', { code: 'nope' }, 400, 'CREDITS_GIFT_CODE_MALFORMED'],
    ['revoke bad id', '/gifts/not-a-uuid/revoke', {}, 404, 'CREDITS_GIFT_NOT_FOUND'],
  ];
  it.each(cases)('%s', async (_name, path, body, status, errcode) => {
    const a = await user('bad');
    const r = await f.call('POST', path, { token: a.token, body });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ errcode });
    expect(typeof r.body.error).toBe('string');
    expect(await balanceOf(a.token)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    expect((await f.call('GET', '/gifts', { token: a.token })).body.gifts).toEqual([]);
  });

  it('a gift to yourself and redeeming your own gift are refused', async () => {
    const a = await user();
    const self = await f.call('POST', '/gifts', {
      token: a.token,
      body: { amount: 1, to: a.id, idempotencyKey: key() },
    });
    expect(self).toMatchObject({ status: 400, body: { errcode: 'CREDITS_GIFT_TO_SELF' } });
    const g = await makeGift(a.token, { amount: 100 });
    const own = await f.call('POST', '/gifts/redeem', { token: a.token, body: { code: g.code } });
    expect(own).toMatchObject({ status: 409, body: { errcode: 'CREDITS_GIFT_OWN' } });
    expect(await balanceOf(a.token)).toMatchObject({ balance: 9900 });
  });

  it('a used code is refused and moves nothing', async () => {
    const a = await user();
    const b = await user();
    const c = await user();
    const g = await makeGift(a.token, { amount: 100 });
    expect((await f.call('POST', '/gifts/redeem', { token: b.token, body: { code: g.code } })).status).toBe(
      200,
    );
    const used = await f.call('POST', '/gifts/redeem', { token: c.token, body: { code: g.code } });
    expect(used).toMatchObject({
      status: 409,
      body: { errcode: 'CREDITS_GIFT_SETTLED', status: 'redeemed' },
    });
    expect(await balanceOf(c.token)).toMatchObject({ balance: 10_000 });
  });

  it('rate-limits redeem attempts per user (429 with Retry-After)', async () => {
    const a = await user('guess');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await f.call('POST', '/gifts/redeem', {
        token: a.token,
        body: { code: formatGiftCode(String(i).padStart(20, '1')) },
      });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED' });
      if (r.status === 429) expect(r.body.retryAfterSec).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    // Another user is not affected.
    const b = await user('guess');
    const r = await f.call('POST', '/gifts/redeem', {
      token: b.token,
      body: { code: formatGiftCode('2'.repeat(20)) },
    });
    expect(r.status).toBe(404);
  });

  it('every gift route wants a token', async () => {
    for (const [method, path] of [
      ['GET', '/gifts'],
      ['POST', '/gifts'],
      ['POST', '/gifts/redeem'],
    ] as const) {
      const r = await f.call(method, path, method === 'GET' ? {} : { body: {} });
      expect(r.status).toBe(401);
    }
  });
});
