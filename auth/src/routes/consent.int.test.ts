/** A client that is not first-party sees the consent page; cookies carry AUTH_COOKIE_DOMAIN. */
import { SYNC_AUDIENCE } from '@mana/auth-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieClient } from '../testing/cookie-client.ts';
import { startTestAuth, type TestAuth } from '../testing/fixture.ts';
import { authorizeUrl, pkcePair } from '../testing/oidc-flow.ts';

const REDIRECT = 'http://127.0.0.1:5173/auth/callback';
let auth: TestAuth;
beforeAll(async () => {
  auth = await startTestAuth({
    label: 'consent',
    env: {
      AUTH_FIRST_PARTY_CLIENTS: 'synapse,bots',
      AUTH_COOKIE_DOMAIN: '.mana.test',
      AUTH_REGISTER_PER_IP_PER_HOUR: '8',
      AUTH_RESET_PER_ACCOUNT_PER_HOUR: '2',
    },
  });
});
afterAll(() => auth?.close());

async function toConsent() {
  const user = await auth.createUser();
  const client = new CookieClient();
  client.stopAt = (u) => u.startsWith(REDIRECT);
  const login = await client.get(
    authorizeUrl({
      baseUrl: auth.baseUrl,
      clientId: 'web',
      redirectUri: REDIRECT,
      scope: 'openid profile sync',
      resource: SYNC_AUDIENCE,
      pkce: pkcePair(),
    }),
  );
  const action = /action="(\/interaction\/[^"]+\/login)"/.exec(login.text)![1]!;
  const consent = await client.submit(login, `form[action="${action}"]`, {
    email: user.email,
    password: user.password,
  });
  return { client, consent };
}

describe('consent', () => {
  it('asks, and on "allow" completes the authorization', async () => {
    const { client, consent } = await toConsent();
    expect(consent.text).toContain('Mana asks for access');
    expect(consent.text).toContain('read and change your data in all Mana apps');
    const action = /action="(\/interaction\/[^"]+\/consent)"/.exec(consent.text)![1]!;
    const done = await client.submit(consent, `form[action="${action}"]`, { decision: 'allow' });
    expect(new URL(done.url).searchParams.get('code')).toBeTruthy();
  });

  it('on "deny" returns access_denied to the client', async () => {
    const { client, consent } = await toConsent();
    const action = /action="(\/interaction\/[^"]+\/consent)"/.exec(consent.text)![1]!;
    const done = await client.submit(consent, `form[action="${action}"]`, { decision: 'deny' });
    expect(new URL(done.url).searchParams.get('error')).toBe('access_denied');
  });

  it('sets the provider and account cookies for the configured domain', async () => {
    const res = await fetch(
      authorizeUrl({
        baseUrl: auth.baseUrl,
        clientId: 'web',
        redirectUri: REDIRECT,
        scope: 'openid',
        pkce: pkcePair(),
      }),
      { redirect: 'manual' },
    );
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    // oidc-provider keeps the resume cookie host-only by design; the session and interaction ones follow the domain.
    for (const c of cookies.filter((x) => !x.startsWith('_interaction_resume')))
      expect(c.toLowerCase()).toContain('domain=.mana.test');
    const u = await auth.createUser();
    const r = await auth.service.accounts.signIn({
      email: u.email,
      password: u.password,
      headers: new Headers(),
    });
    expect(r.ok && r.setCookies.some((c) => /domain=\.?mana\.test/i.test(c))).toBe(true);
  });

  it('rate-limits registrations per IP and reset requests per account (429 + Retry-After)', async () => {
    const client = new CookieClient();
    const page = await client.get(`${auth.baseUrl}/register`);
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++) {
      const res = await client.submit(page, 'form[action="/register"]', {
        email: `r${i}@example.test`,
        username: 'x',
        password: 'short',
      });
      status = res.status;
      if (status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(status).toBe(429);
    const reset = await client.get(`${auth.baseUrl}/reset`);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push(
        (await client.submit(reset, 'form[action="/reset"]', { email: 'someone@example.test' })).status,
      );
    expect(codes).toEqual([200, 200, 429]);
  });
});
