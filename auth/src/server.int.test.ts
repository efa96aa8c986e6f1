/** The service around the provider: health, metrics, CORS, the credits API mounted with real tokens. */
import { createTokenExchanger } from '@mana/auth-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SECRETS } from './config.ts';
import { startTestAuth, type TestAuth } from './testing/fixture.ts';

let auth: TestAuth;
beforeAll(async () => {
  auth = await startTestAuth({
    label: 'service',
    env: { AUTH_CORS_ORIGINS: 'http://app.example.test', AUTH_TOKEN_PER_CLIENT_PER_MINUTE: '30' },
  });
});
afterAll(() => auth?.close());

describe('auth service', () => {
  it('serves /health, /health/live and /health/ready with Postgres and Redis checks', async () => {
    expect((await fetch(`${auth.baseUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${auth.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: { ok: true }, redis: { ok: true } },
    });
    expect((await fetch(`${auth.baseUrl}/health`)).status).toBe(200);
  });

  it('counts tokens by grant and HTTP requests by route in /metrics', async () => {
    const basic = `Basic ${Buffer.from(`bots:${DEV_SECRETS.botsClientSecret}`).toString('base64')}`;
    const res = await fetch(`${auth.baseUrl}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const text = await (await fetch(`${auth.baseUrl}/metrics`)).text();
    expect(text).toMatch(/auth_tokens_issued_total\{grant="client_credentials"[^}]*\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/token",status="200"/);
    for (const name of ['auth_login_attempts_total', 'auth_login_failures_total', 'auth_registrations_total'])
      expect(text).toContain(name);
  });

  it('grants the starting balance on registration; the credits API accepts an exchanged token', async () => {
    await auth.createUser({ username: 'spender' });
    const exchanger = createTokenExchanger({
      tokenEndpoint: `${auth.baseUrl}/token`,
      clientId: 'bots',
      clientSecret: DEV_SECRETS.botsClientSecret,
    });
    const token = await exchanger.tokenFor('@spender:mana.test');
    const res = await fetch(`${auth.baseUrl}/api/v1/credits/balance`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ balance: auth.config.creditsStartingBalance });
  });

  it('counts active users from the tokens issued for them, and the credits granted', async () => {
    const exported = async (series: string) => {
      const text = await (await fetch(`${auth.baseUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(series));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    const day = 'auth_active_users{window="1d"';
    const before = (await exported(day)) ?? 0;
    const granted = (await exported('credits_granted_milli_total{kind="grant"')) ?? 0;
    await Promise.all([auth.createUser({ username: 'active1' }), auth.createUser({ username: 'active2' })]);
    // Each sign-up granted the starting balance.
    await expect
      .poll(() => exported('credits_granted_milli_total{kind="grant"'))
      .toBe(granted + 2 * auth.config.creditsStartingBalance);
    const exchanger = createTokenExchanger({
      tokenEndpoint: `${auth.baseUrl}/token`,
      clientId: 'bots',
      clientSecret: DEV_SECRETS.botsClientSecret,
    });
    // The touch is written next to the token response, not before it: poll.
    // The bot's own token (client_credentials) is nobody's activity; a token for a user is.
    await exchanger.tokenFor('@active1:mana.test');
    await expect.poll(() => exported(day)).toBe(before + 1);
    // Again for the same user (a new exchanger: no cache): still one user.
    await createTokenExchanger({
      tokenEndpoint: `${auth.baseUrl}/token`,
      clientId: 'bots',
      clientSecret: DEV_SECRETS.botsClientSecret,
    }).tokenFor('@active1:mana.test');
    await expect.poll(() => exported(day)).toBe(before + 1);
    await exchanger.tokenFor('@active2:mana.test');
    await expect.poll(() => exported(day)).toBe(before + 2);
    await expect.poll(() => exported('auth_active_users{window="7d"')).toBeGreaterThanOrEqual(before + 2);
    // Older than a day: still in the week, no longer in the day.
    await auth.service.db.sql`update user_activity set last_active_at = now() - interval '2 days'
                               where user_id = (select id from users where username = 'active2')`;
    await expect.poll(() => exported(day)).toBe(before + 1);
    await expect.poll(() => exported('auth_active_users{window="7d"')).toBeGreaterThanOrEqual(before + 2);
  });

  it('rate-limits the token endpoint per client with 429 and Retry-After', async () => {
    const basic = `Basic ${Buffer.from(`bots:${DEV_SECRETS.botsClientSecret}`).toString('base64')}`;
    let last: Response | undefined;
    for (let i = 0; i < 40; i++) {
      last = await fetch(`${auth.baseUrl}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      if (last.status === 429) break;
      await last.arrayBuffer();
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last?.json()).toMatchObject({ error: 'slow_down' });
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const ok = await fetch(`${auth.baseUrl}/api/v1/credits/balance`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example.test', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://app.example.test');
    const bad = await fetch(`${auth.baseUrl}/api/v1/credits/balance`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });
});
