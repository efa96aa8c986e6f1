import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCreditsFixture, type CreditsFixture } from './fixture.ts';

let f: CreditsFixture;

beforeAll(async () => {
  f = await startCreditsFixture({ label: 'credits_watch' });
});
afterAll(async () => {
  await f?.close();
});

/** The value of a gauge on the module's /metrics page, as Prometheus scrapes it. */
async function exported(name: string): Promise<number | undefined> {
  const page = await f.metrics.registry.metrics();
  const line = page.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('the periodic ledger check, exported', () => {
  it('exports 1 for consistent books and 0 once an account is tampered with, each with its time', async () => {
    // Before any check: 0, and the timestamp 0 tells the alert it is no failure.
    expect(await exported('credits_ledger_check_ok')).toBe(0);
    expect(await exported('credits_ledger_check_timestamp_seconds')).toBe(0);

    await f.credits.grantStartingBalance('ursula');
    const token = await f.userToken('ursula');
    const held = await f.call('POST', '/reserve', {
      token,
      body: { operation: 'tts_synthesis', idempotencyKey: 'watch-1' },
    });
    expect(held.status).toBe(201);
    expect(
      (await f.call('POST', `/reservations/${String(held.body.reservationId)}/commit`, { token })).status,
    ).toBe(200);

    const before = Date.now() / 1000;
    // start() checks at once (then every AUTH_CREDITS_CHECK_INTERVAL_SEC); stop() waits for it.
    f.credits.start();
    await f.credits.stop();
    expect(await exported('credits_ledger_check_ok')).toBe(1);
    const first = (await exported('credits_ledger_check_timestamp_seconds')) ?? 0;
    expect(first).toBeGreaterThanOrEqual(Math.floor(before));

    // A balance changed behind the ledger's back: no entry explains it.
    await f.db.sql`update credits.accounts set balance = balance + 1 where user_id = 'ursula'`;
    const broken = await f.credits.watch.checkOnce();
    expect(broken?.ok).toBe(false);
    expect(broken?.problems).toEqual(expect.arrayContaining([expect.stringContaining('ursula: balance')]));
    expect(await exported('credits_ledger_check_ok')).toBe(0);
    expect(await exported('credits_ledger_check_timestamp_seconds')).toBeGreaterThanOrEqual(first);
  });
});
