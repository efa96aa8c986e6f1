import { getCreditCost } from '@mana/credits';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from './check.ts';
import { startCreditsFixture, type CreditsFixture } from './fixture.ts';

let f: CreditsFixture;
beforeAll(async () => {
  f = await startCreditsFixture({ label: 'credits_api' });
});
afterAll(() => f.close());

let seq = 0;
const key = (p = 'k') => `$${p}-${++seq}:mana.test`;

async function balanceOf(user: string) {
  const r = await f.call('GET', '/balance', { token: await f.userToken(user) });
  expect(r.status).toBe(200);
  return r.body as { balance: number; held: number; available: number };
}

async function ledgerOk() {
  const check = await checkLedger(f.db.sql);
  expect(check.problems).toEqual([]);
}

describe('credits API', () => {
  it('grants the starting balance once per account, however often it is called', async () => {
    await Promise.all([f.credits.grantStartingBalance('sam'), f.credits.grantStartingBalance('sam')]);
    await f.credits.grantStartingBalance('sam');
    expect(await balanceOf('sam')).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    // An unknown user has an empty balance, not an error.
    expect(await balanceOf('nobody')).toEqual({ balance: 0, held: 0, available: 0 });
    await ledgerOk();
  });

  it('reserves, and the same key returns the same reservation without a second hold', async () => {
    await f.credits.grantStartingBalance('rita');
    const token = await f.userToken('rita');
    const k = key();
    const first = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'tts_synthesis', idempotencyKey: k, reference: '$evt:mana.test' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      amount: getCreditCost('tts_synthesis'),
      status: 'held',
      replayed: false,
    });
    const again = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'tts_synthesis', idempotencyKey: k },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ reservationId: first.body.reservationId, replayed: true });
    expect(await balanceOf('rita')).toEqual({ balance: 10_000, held: 250, available: 9_750 });
    // Same key, different operation: a client bug, refused rather than guessed.
    const other = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'ai_chat_ollama', idempotencyKey: k },
    });
    expect(other).toMatchObject({ status: 409, body: { errcode: 'CREDITS_IDEMPOTENCY_MISMATCH' } });
    await ledgerOk();
  });

  it('takes the key from the Idempotency-Key header, and requires one', async () => {
    await f.credits.grantStartingBalance('hank');
    const token = await f.userToken('hank');
    const k = key('hdr');
    const a = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'zitare_quote' },
      headers: { 'idempotency-key': k },
    });
    const b = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'zitare_quote', idempotencyKey: k },
    });
    expect(a.status).toBe(201);
    expect(b.body.reservationId).toBe(a.body.reservationId);
    const none = await f.call('POST', '/reserve', { token, body: { operation: 'zitare_quote' } });
    expect(none).toMatchObject({ status: 400, body: { errcode: 'CREDITS_IDEMPOTENCY_KEY_REQUIRED' } });
    const differ = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'zitare_quote', idempotencyKey: 'x1' },
      headers: { 'idempotency-key': 'x2' },
    });
    expect(differ).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_PARAM' } });
  });

  it('commits the hold or a metered amount below it, once; retries are answered, not charged', async () => {
    await f.credits.grantStartingBalance('mia');
    const token = await f.userToken('mia');
    const r = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'ai_chat_remote', idempotencyKey: key() },
    });
    const id = String(r.body.reservationId);
    const tooMuch = await f.call('POST', `/reservations/${id}/commit`, { token, body: { amount: 2001 } });
    expect(tooMuch).toMatchObject({
      status: 400,
      body: { errcode: 'CREDITS_AMOUNT_EXCEEDS_HOLD', held: 2000 },
    });
    const c = await f.call('POST', `/reservations/${id}/commit`, { token, body: { amount: 730 } });
    expect(c).toMatchObject({
      status: 200,
      body: { status: 'committed', amount: 2000, charged: 730, replayed: false, balance: 9_270, held: 0 },
    });
    const retry = await f.call('POST', `/reservations/${id}/commit`, { token, body: { amount: 730 } });
    expect(retry).toMatchObject({ status: 200, body: { charged: 730, replayed: true, balance: 9_270 } });
    const different = await f.call('POST', `/reservations/${id}/commit`, { token, body: { amount: 100 } });
    expect(different).toMatchObject({ status: 409, body: { errcode: 'CREDITS_RESERVATION_SETTLED' } });
    const release = await f.call('POST', `/reservations/${id}/release`, { token });
    expect(release).toMatchObject({
      status: 409,
      body: { errcode: 'CREDITS_RESERVATION_SETTLED', status: 'committed' },
    });

    // Full commit with no body at all.
    const r2 = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'ai_chat_ollama', idempotencyKey: key() },
    });
    const c2 = await f.call('POST', `/reservations/${String(r2.body.reservationId)}/commit`, { token });
    expect(c2).toMatchObject({ status: 200, body: { charged: 100, balance: 9_170 } });
    await ledgerOk();
  });

  it('a free operation (cost 0) reserves and commits 0: the history shows it, the books balance', async () => {
    await f.credits.grantStartingBalance('fritz');
    const token = await f.userToken('fritz');
    const k = key('free');
    const r = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'calendar_event_create', idempotencyKey: k, reference: k },
    });
    expect(r).toMatchObject({ status: 201, body: { amount: 0, status: 'held', replayed: false } });
    const c = await f.call('POST', `/reservations/${String(r.body.reservationId)}/commit`, {
      token,
      body: { amount: 0 },
    });
    expect(c).toMatchObject({ status: 200, body: { status: 'committed', amount: 0, charged: 0 } });
    // The bots' bracket commits without a body; a failed free command releases its 0 hold.
    const r2 = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'task_create', idempotencyKey: key('free') },
    });
    const c2 = await f.call('POST', `/reservations/${String(r2.body.reservationId)}/commit`, { token });
    expect(c2).toMatchObject({ status: 200, body: { charged: 0 } });
    const r3 = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'task_create', idempotencyKey: key('free') },
    });
    const rel = await f.call('POST', `/reservations/${String(r3.body.reservationId)}/release`, { token });
    expect(rel).toMatchObject({ status: 200, body: { status: 'released', charged: 0 } });
    expect(await balanceOf('fritz')).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    const history = await f.call('GET', '/transactions?limit=10', { token });
    const entries = (history.body.entries as { kind: string; operation?: string; amount: number }[]).filter(
      (e) => e.kind !== 'grant',
    );
    expect(entries.map((e) => `${e.kind} ${e.operation} ${e.amount}`).sort()).toEqual([
      'commit calendar_event_create 0',
      'commit task_create 0',
      'release task_create 0',
      'reserve calendar_event_create 0',
      'reserve task_create 0',
      'reserve task_create 0',
    ]);
    await ledgerOk();
  });

  it('releases (idempotently) and refuses to commit a released reservation with 409', async () => {
    await f.credits.grantStartingBalance('rob');
    const token = await f.userToken('rob');
    const r = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'ai_task_breakdown', idempotencyKey: key() },
    });
    const id = String(r.body.reservationId);
    expect((await f.call('POST', `/reservations/${id}/release`, { token, body: {} })).body).toMatchObject({
      status: 'released',
      replayed: false,
      held: 0,
      balance: 10_000,
    });
    expect((await f.call('POST', `/reservations/${id}/release`, { token })).body).toMatchObject({
      replayed: true,
    });
    const commit = await f.call('POST', `/reservations/${id}/commit`, { token });
    expect(commit).toMatchObject({
      status: 409,
      body: { errcode: 'CREDITS_RESERVATION_SETTLED', status: 'released' },
    });
    expect(commit.body.error).toMatch(/released/);
    const missing = await f.call('POST', '/reservations/00000000-0000-4000-8000-000000000000/commit', {
      token,
    });
    expect(missing).toMatchObject({ status: 404, body: { errcode: 'CREDITS_RESERVATION_NOT_FOUND' } });
    await ledgerOk();
  });

  it('refuses to commit an expired reservation (409) and returns its hold', async () => {
    await f.credits.grantStartingBalance('eve');
    const token = await f.userToken('eve');
    const r = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'tts_synthesis', idempotencyKey: key() },
    });
    const id = String(r.body.reservationId);
    await f.db.sql`update credits.reservations set expires_at = now() - interval '1 second' where id = ${id}`;
    const commit = await f.call('POST', `/reservations/${id}/commit`, { token });
    expect(commit).toMatchObject({ status: 409, body: { errcode: 'CREDITS_RESERVATION_EXPIRED' } });
    expect(await balanceOf('eve')).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    const again = await f.call('POST', `/reservations/${id}/commit`, { token });
    expect(again).toMatchObject({ status: 409, body: { errcode: 'CREDITS_RESERVATION_EXPIRED' } });
    await ledgerOk();
  });

  it('the sweeper releases reservations after their TTL', async () => {
    const g = await startCreditsFixture({
      label: 'credits_sweep',
      config: { reservationTtlSec: 1, sweepIntervalSec: 1 },
    });
    try {
      await g.credits.grantStartingBalance('tim');
      const token = await g.userToken('tim');
      for (let i = 0; i < 3; i++)
        expect(
          (
            await g.call('POST', '/reserve', {
              token,
              body: { operation: 'ai_chat_ollama', idempotencyKey: `s${i}` },
            })
          ).status,
        ).toBe(201);
      expect((await g.call('GET', '/balance', { token })).body).toMatchObject({ held: 300 });
      g.credits.start();
      const deadline = Date.now() + 10_000;
      let held = 300;
      while (held > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        held = Number((await g.call('GET', '/balance', { token })).body.held);
      }
      expect(held).toBe(0);
      const statuses = await g.db.sql<{ status: string }[]>`select status from credits.reservations`;
      expect(statuses.map((s) => s.status)).toEqual(['expired', 'expired', 'expired']);
      const metrics = await g.metrics.registry.metrics();
      expect(metrics).toMatch(/credits_expired_total\{[^}]*\} 3/);
      expect((await checkLedger(g.db.sql)).problems).toEqual([]);
    } finally {
      await g.close();
    }
  });

  it('answers 402 with required and available, and counts it', async () => {
    const token = await f.userToken('poor');
    await f.call('POST', '/grant', {
      token: await f.adminToken(),
      body: { userId: 'poor', amount: 150, idempotencyKey: 'g1' },
    });
    const r = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'tts_synthesis', idempotencyKey: key() },
    });
    expect(r).toMatchObject({
      status: 402,
      body: { errcode: 'CREDITS_INSUFFICIENT', required: 250, available: 150 },
    });
    expect(typeof r.body.error).toBe('string');
    const c = await f.call('POST', '/consume', {
      token,
      body: { operation: 'ai_task_breakdown', idempotencyKey: key() },
    });
    expect(c).toMatchObject({ status: 402, body: { required: 500, available: 150 } });
    // A user with no account at all gets a 402 too, with nothing available.
    const ghost = await f.call('POST', '/reserve', {
      token: await f.userToken('ghost'),
      body: { operation: 'zitare_quote', idempotencyKey: key() },
    });
    expect(ghost).toMatchObject({ status: 402, body: { required: 10, available: 0 } });
    expect(await f.metrics.registry.metrics()).toMatch(/credits_insufficient_total\{[^}]*\} [3-9]/);
  });

  it('an unknown operation is 400 CREDITS_UNKNOWN_OPERATION', async () => {
    const token = await f.userToken('sam');
    for (const path of ['/reserve', '/consume']) {
      for (const operation of ['no_such_op', 'toString', '__proto__']) {
        const r = await f.call('POST', path, { token, body: { operation, idempotencyKey: key() } });
        expect(r, `${path} ${operation}`).toMatchObject({
          status: 400,
          body: { errcode: 'CREDITS_UNKNOWN_OPERATION' },
        });
      }
    }
  });

  it('consume charges once per key', async () => {
    await f.credits.grantStartingBalance('cory');
    const token = await f.userToken('cory');
    const k = key();
    const [a, b] = await Promise.all([
      f.call('POST', '/consume', { token, body: { operation: 'ai_summary', idempotencyKey: k } }),
      f.call('POST', '/consume', { token, body: { operation: 'ai_summary', idempotencyKey: k } }),
    ]);
    expect(a.body.reservationId).toBe(b.body.reservationId);
    expect([a.body.replayed, b.body.replayed].sort()).toEqual([false, true]);
    expect(await balanceOf('cory')).toEqual({ balance: 9_700, held: 0, available: 9_700 });
    // A zero-cost operation is recorded too (usage history), charging nothing.
    const free = await f.call('POST', '/consume', {
      token,
      body: { operation: 'task_create', idempotencyKey: key() },
    });
    expect(free).toMatchObject({ status: 201, body: { charged: 0, balance: 9_700 } });
    await ledgerOk();
  });

  it('grant needs credits:admin, is idempotent, and never comes from a delegated token', async () => {
    const body = { userId: 'gina', amount: 5_000, idempotencyKey: 'promo-1', kind: 'gift' };
    const asUser = await f.call('POST', '/grant', { token: await f.userToken('gina'), body });
    expect(asUser).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const delegated = await f.call('POST', '/grant', {
      token: await f.botToken('gina', 'credits credits:admin'),
      body,
    });
    expect(delegated.status).toBe(403);
    const admin = await f.adminToken();
    const g1 = await f.call('POST', '/grant', { token: admin, body });
    expect(g1).toMatchObject({
      status: 201,
      body: { userId: 'gina', amount: 5_000, balance: 5_000, replayed: false },
    });
    const g2 = await f.call('POST', '/grant', { token: admin, body });
    expect(g2).toMatchObject({
      status: 200,
      body: { entryId: g1.body.entryId, balance: 5_000, replayed: true },
    });
    const g3 = await f.call('POST', '/grant', { token: admin, body: { ...body, amount: 1 } });
    expect(g3).toMatchObject({ status: 409, body: { errcode: 'CREDITS_IDEMPOTENCY_MISMATCH' } });
    // A grant key cannot be reused as a reservation key.
    const clash = await f.call('POST', '/reserve', {
      token: await f.userToken('gina'),
      body: { operation: 'zitare_quote', idempotencyKey: 'promo-1' },
    });
    expect(clash).toMatchObject({ status: 409, body: { errcode: 'CREDITS_IDEMPOTENCY_MISMATCH' } });
    await ledgerOk();
  });

  it('pages through the history newest first with an opaque cursor', async () => {
    await f.credits.grantStartingBalance('pat');
    const token = await f.userToken('pat');
    for (let i = 0; i < 7; i++)
      await f.call('POST', '/consume', {
        token,
        body: { operation: 'zitare_quote', idempotencyKey: `p${i}` },
      });
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const page = await f.call('GET', `/transactions${qs}`, { token });
      expect(page.status).toBe(200);
      const entries = page.body.entries as { id: string; kind: string; balanceAfter: number }[];
      ids.push(...entries.map((e) => e.id));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor);
    expect(ids).toHaveLength(8); // starting grant + 7 commits
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(8);
    expect([...ids].sort((a, b) => Number(b) - Number(a))).toEqual(ids);
    const first = await f.call('GET', '/transactions?limit=1', { token });
    expect(first.body.entries).toMatchObject([
      { kind: 'commit', operation: 'zitare_quote', amount: -10, balanceAfter: 9_930, actor: 'pat' },
    ]);
    expect((await f.call('GET', '/transactions?cursor=abc', { token })).status).toBe(400);
    expect((await f.call('GET', '/transactions?limit=0', { token })).status).toBe(400);
    expect((await f.call('GET', '/transactions?limit=201', { token })).status).toBe(400);
  });

  it('authenticates: missing, foreign-audience and unscoped tokens are refused', async () => {
    expect(await f.call('GET', '/balance')).toMatchObject({
      status: 401,
      body: { errcode: 'M_MISSING_TOKEN' },
    });
    const foreign = await f.issuer.sign({ sub: 'sam', aud: 'mana-sync', scope: 'credits' });
    expect(await f.call('GET', '/balance', { token: foreign })).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN' },
    });
    expect(await f.call('GET', '/balance', { token: 'garbage' })).toMatchObject({ status: 401 });
    const unscoped = await f.userToken('sam', 'openid sync:todo');
    expect(await f.call('GET', '/balance', { token: unscoped })).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN' },
    });
  });

  it('exposes the counters on /metrics', async () => {
    const text = await (await f.app.request('/metrics')).text();
    expect(text).toMatch(/credits_reserved_total\{[^}]*\} \d+/);
    expect(text).toMatch(/credits_committed_total\{operation="ai_chat_remote"[^}]*\} 1/);
    expect(text).toMatch(/credits_insufficient_total/);
  });

  it('the ledger check catches a tampered account, and entries cannot be rewritten', async () => {
    await ledgerOk();
    await f.db.sql`update credits.accounts set balance = balance + 1 where user_id = 'sam'`;
    const bad = await checkLedger(f.db.sql, { userId: 'sam' });
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/sam: balance 10001 ≠ sum of entries 10000/);
    await f.db.sql`update credits.accounts set balance = balance - 1 where user_id = 'sam'`;
    await expect(f.db.sql`update credits.entries set amount = amount + 1`).rejects.toThrow(/append-only/);
    await expect(f.db.sql`delete from credits.entries`).rejects.toThrow(/append-only/);
    await ledgerOk();
  });
});
