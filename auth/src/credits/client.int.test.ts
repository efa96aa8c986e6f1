import { createCreditsClient, CreditsApiError, CreditsInsufficientError, formatCredits } from '@mana/credits';
import { listen, type RunningServer } from '@mana/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDITS_BASE, startCreditsFixture, type CreditsFixture } from './fixture.ts';

// The shared client against the real routes over a real socket: the schemas agree end to end.
let f: CreditsFixture;
let server: RunningServer;
beforeAll(async () => {
  f = await startCreditsFixture({ label: 'credits_client', config: { startingBalance: 2_500 } });
  server = await listen(f.app, { port: 0 });
  await f.credits.grantStartingBalance('cli');
});
afterAll(async () => {
  await server.close();
  await f.close();
});

describe('@mana/credits client against the auth routes', () => {
  it('reserves, commits metered work, consumes, pages history, and reports 402 as a typed error', async () => {
    const credits = createCreditsClient({
      baseUrl: `${server.url}${CREDITS_BASE}`,
      getToken: () => f.botToken('cli'),
    });
    expect(await credits.balance()).toEqual({ balance: 2_500, held: 0, available: 2_500 });
    const reply = await credits.withReservation(
      { operation: 'ai_chat_remote', idempotencyKey: '$m1:mana.test' },
      async (r) => ({ text: 'hi', cost: Math.floor(r.amount / 4) }),
      { amountOf: (out) => out.cost },
    );
    expect(reply.text).toBe('hi');
    expect(await credits.balance()).toEqual({ balance: 2_000, held: 0, available: 2_000 });
    await credits.consume({ operation: 'ai_task_breakdown', idempotencyKey: '$m2:mana.test' });

    const err: unknown = await credits
      .reserve({ operation: 'ai_chat_remote', idempotencyKey: '$m3:mana.test' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreditsInsufficientError);
    if (err instanceof CreditsInsufficientError)
      expect(`need ${formatCredits(err.required)}, have ${formatCredits(err.available)}`).toBe(
        'need 2, have 1.5',
      );

    const page = await credits.transactions({ limit: 2 });
    expect(page.entries.map((e) => e.kind)).toEqual(['commit', 'commit']);
    expect(page.nextCursor).not.toBeNull();
    const rest = await credits.transactions({ cursor: page.nextCursor ?? undefined, limit: 50 });
    expect(rest.entries.map((e) => e.kind)).toEqual(['reserve', 'grant']);

    const unknown: unknown = await credits
      .consume({ operation: 'nope', idempotencyKey: 'x' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CreditsApiError);
    expect(unknown).toMatchObject({ status: 400, errcode: 'CREDITS_UNKNOWN_OPERATION' });

    const admin = createCreditsClient({
      baseUrl: `${server.url}${CREDITS_BASE}`,
      getToken: () => f.adminToken(),
    });
    expect(await admin.grant({ userId: 'cli', amount: 1_000, idempotencyKey: 'top-1' })).toMatchObject({
      balance: 2_500,
    });
  });
});
