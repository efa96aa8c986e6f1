import { describe, expect, it } from 'vitest';
import { createCreditsClient, CreditsApiError, CreditsInsufficientError } from './index.ts';

// Unit tests with a recording fetch; the client against the real server is tested in
// auth/src/credits/client.int.test.ts.
function stub(responses: { status: number; body: unknown }[]) {
  const calls: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    calls.push({
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const next = responses.shift() ?? { status: 500, body: 'no more responses' };
    return new Response(typeof next.body === 'string' ? next.body : JSON.stringify(next.body), {
      status: next.status,
    });
  };
  return { calls, fetch };
}

const RID = '3f1c2a4e-8b7d-4c1e-9f00-1234567890ab';

describe('createCreditsClient', () => {
  it('sends the bearer token and JSON, and validates the answer', async () => {
    const s = stub([
      {
        status: 201,
        body: {
          reservationId: RID,
          operation: 'tts_synthesis',
          amount: 250,
          status: 'held',
          expiresAt: 'x',
          replayed: false,
        },
      },
      { status: 200, body: { entries: [], nextCursor: null } },
    ]);
    const client = createCreditsClient({
      baseUrl: 'http://auth/api/v1/credits/',
      getToken: async () => 'tok',
      fetch: s.fetch,
    });
    const r = await client.reserve({ operation: 'tts_synthesis', idempotencyKey: '$e:x' });
    expect(r.amount).toBe(250);
    expect(s.calls[0]).toMatchObject({
      url: 'http://auth/api/v1/credits/reserve',
      method: 'POST',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      body: { operation: 'tts_synthesis', idempotencyKey: '$e:x' },
    });
    await client.transactions({ cursor: '12', limit: 5 });
    expect(s.calls[1]?.url).toBe('http://auth/api/v1/credits/transactions?cursor=12&limit=5');
  });

  it('surfaces 402 as CreditsInsufficientError with required and available', async () => {
    const s = stub([
      { status: 402, body: { errcode: 'CREDITS_INSUFFICIENT', error: 'poor', required: 250, available: 10 } },
    ]);
    const client = createCreditsClient({ baseUrl: 'http://a', getToken: () => 't', fetch: s.fetch });
    const err: unknown = await client
      .consume({ operation: 'tts_synthesis', idempotencyKey: 'k' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreditsInsufficientError);
    expect(err).toMatchObject({ status: 402, errcode: 'CREDITS_INSUFFICIENT', required: 250, available: 10 });
  });

  it('other errors keep their errcode; garbage answers are errors too', async () => {
    const s = stub([
      { status: 409, body: { errcode: 'CREDITS_RESERVATION_EXPIRED', error: 'expired' } },
      { status: 502, body: '<html>bad gateway</html>' },
      { status: 200, body: { balance: 'lots' } },
    ]);
    const client = createCreditsClient({ baseUrl: 'http://a', getToken: () => 't', fetch: s.fetch });
    await expect(client.commit(RID)).rejects.toMatchObject({
      status: 409,
      errcode: 'CREDITS_RESERVATION_EXPIRED',
    });
    await expect(client.balance()).rejects.toMatchObject({ status: 502, errcode: 'M_UNKNOWN' });
    const bad: unknown = await client.balance().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CreditsApiError);
    expect(bad).toMatchObject({ errcode: 'M_BAD_RESPONSE' });
  });

  it('withReservation commits on success and releases when the work throws', async () => {
    const held = {
      reservationId: RID,
      operation: 'ai_chat_remote',
      amount: 2000,
      status: 'held',
      expiresAt: 'x',
      replayed: false,
    };
    const settled = {
      reservationId: RID,
      status: 'committed',
      amount: 2000,
      charged: 700,
      replayed: false,
      balance: 1,
      held: 0,
      available: 1,
    };
    const s = stub([
      { status: 201, body: held },
      { status: 200, body: settled },
      { status: 201, body: held },
      { status: 200, body: { ...settled, status: 'released', charged: 0 } },
    ]);
    const client = createCreditsClient({ baseUrl: 'http://a', getToken: () => 't', fetch: s.fetch });
    const out = await client.withReservation(
      { operation: 'ai_chat_remote', idempotencyKey: 'k1' },
      async () => ({ tokens: 700 }),
      { amountOf: (r) => r.tokens },
    );
    expect(out).toEqual({ tokens: 700 });
    expect(s.calls[1]).toMatchObject({ url: `http://a/reservations/${RID}/commit`, body: { amount: 700 } });
    await expect(
      client.withReservation({ operation: 'ai_chat_remote', idempotencyKey: 'k2' }, async () => {
        throw new Error('model down');
      }),
    ).rejects.toThrow('model down');
    expect(s.calls[3]?.url).toBe(`http://a/reservations/${RID}/release`);
  });
});
