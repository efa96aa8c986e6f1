import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from './check.ts';
import { startCreditsFixture, type CreditsFixture } from './fixture.ts';

// A bot's token-exchange token has sub = the user it acts for and act.sub = the bot. It must reach
// exactly that user's account: the user comes from the token, never from the request.
let f: CreditsFixture;
beforeAll(async () => {
  f = await startCreditsFixture({ label: 'credits_bot' });
  await f.credits.grantStartingBalance('alice');
  await f.credits.grantStartingBalance('bob');
});
afterAll(() => f.close());

describe('a bot acting for @alice', () => {
  it('reserves and commits for alice, recorded with the bot as actor', async () => {
    const bot = await f.botToken('alice');
    const r = await f.call('POST', '/reserve', {
      token: bot,
      body: { operation: 'ai_chat_ollama', idempotencyKey: '$e1:mana.test', reference: '$e1:mana.test' },
    });
    expect(r.status).toBe(201);
    const c = await f.call('POST', `/reservations/${String(r.body.reservationId)}/commit`, { token: bot });
    expect(c).toMatchObject({ status: 200, body: { charged: 100, balance: 9_900 } });
    const entries = await f.db.sql`
      select user_id, kind, actor from credits.entries where reservation_id = ${String(r.body.reservationId)} order by id`;
    expect(entries).toEqual([
      { user_id: 'alice', kind: 'reserve', actor: 'bots' },
      { user_id: 'alice', kind: 'commit', actor: 'bots' },
    ]);
  });

  it('can never reserve for bob, nor touch bob’s reservations, balance or history', async () => {
    const bot = await f.botToken('alice');
    // Naming bob in the body is refused outright (strict bodies), not silently ignored.
    const named = await f.call('POST', '/reserve', {
      token: bot,
      body: { operation: 'ai_chat_ollama', idempotencyKey: '$e2:mana.test', userId: 'bob' },
    });
    expect(named).toMatchObject({ status: 400, body: { errcode: 'M_BAD_JSON' } });
    const consumeNamed = await f.call('POST', '/consume', {
      token: bot,
      body: { operation: 'ai_chat_ollama', idempotencyKey: '$e3:mana.test', user: 'bob' },
    });
    expect(consumeNamed.status).toBe(400);
    // Query parameters cannot redirect it either.
    const bal = await f.call('GET', '/balance?userId=bob&user=bob', { token: bot });
    expect(bal.body).toMatchObject({ balance: 9_900 });

    const bobsOwn = await f.call('POST', '/reserve', {
      token: await f.userToken('bob'),
      body: { operation: 'tts_synthesis', idempotencyKey: '$b1:mana.test' },
    });
    const bobId = String(bobsOwn.body.reservationId);
    for (const action of ['commit', 'release'])
      expect(await f.call('POST', `/reservations/${bobId}/${action}`, { token: bot })).toMatchObject({
        status: 404,
        body: { errcode: 'CREDITS_RESERVATION_NOT_FOUND' },
      });
    // Bob's key is bob's: the same key under alice is a fresh reservation of alice's, not bob's.
    const sameKey = await f.call('POST', '/reserve', {
      token: bot,
      body: { operation: 'tts_synthesis', idempotencyKey: '$b1:mana.test' },
    });
    expect(sameKey.status).toBe(201);
    expect(sameKey.body.reservationId).not.toBe(bobId);

    const history = await f.call('GET', '/transactions', { token: bot });
    const users = await f.db.sql`
      select distinct user_id from credits.entries where id = any(${(history.body.entries as { id: string }[]).map((e) => e.id)}::bigint[])`;
    expect(users).toEqual([{ user_id: 'alice' }]);

    const grant = await f.call('POST', '/grant', {
      token: await f.botToken('alice', 'credits credits:admin'),
      body: { userId: 'bob', amount: 1, idempotencyKey: 'steal' },
    });
    expect(grant.status).toBe(403);

    expect(await f.call('GET', '/balance', { token: await f.userToken('bob') })).toMatchObject({
      body: { balance: 10_000, held: 250, available: 9_750 },
    });
    const bobEntries = await f.db
      .sql`select count(*)::int as n from credits.entries where user_id = 'bob' and actor = 'bots'`;
    expect(bobEntries[0]?.n).toBe(0);
    expect((await checkLedger(f.db.sql)).problems).toEqual([]);
  });

  it('needs the credits scope like anyone else', async () => {
    const syncOnly = await f.botToken('alice', 'sync:todo');
    const r = await f.call('POST', '/reserve', {
      token: syncOnly,
      body: { operation: 'ai_chat_ollama', idempotencyKey: '$e9:mana.test' },
    });
    expect(r).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });
});
