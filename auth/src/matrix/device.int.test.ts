/**
 * Delegated mode, the device authorization grant (RFC 8628) without Synapse: the `/device` page
 * answers every malformed or stale input with a 4xx (never a 500), and a code that outlived
 * `AUTH_DEVICE_CODE_TTL` gets `expired_token` at the token endpoint. The full grant against a real
 * Synapse (approval in Chromium, single use) is tests/e2e/src/delegated-device.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAuth, type TestAuth } from '../testing/fixture.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TTL = 5;
let auth: TestAuth;
let clientId: string;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  auth = await startTestAuth({
    label: 'device',
    env: {
      AUTH_MATRIX_MODE: 'delegated',
      AUTH_MATRIX_SHARED_SECRET: 'device-test-secret-'.padEnd(40, 'x'),
      // Nothing listens there: these tests never reach provisioning.
      AUTH_SYNAPSE_BASE_URL: 'http://127.0.0.1:9',
      AUTH_DEVICE_CODE_TTL: String(TTL),
      // Low enough to reach in the rate-limit test, above what the other tests send.
      AUTH_REGISTER_PER_IP_PER_HOUR: '3',
      AUTH_LOGIN_PER_IP_PER_MINUTE: '45',
    },
  });
  const reg = await fetch(`${auth.baseUrl}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'TV',
      client_uri: 'https://tv.example.org',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
  });
  expect(reg.status).toBe(201);
  clientId = ((await reg.json()) as { client_id: string }).client_id;
}, 60_000);
afterAll(() => auth?.close());

const startGrant = async () => {
  const res = await fetch(`${auth.baseUrl}/device/auth`, {
    method: 'POST',
    headers: FORM,
    body: form({ client_id: clientId, scope: 'urn:matrix:client:api:* urn:matrix:client:device:TVDEVICE1' }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { device_code: string; user_code: string; expires_in: number };
};

describe('/device with malformed input', () => {
  it('answers 4xx with a page or an error body, never 5xx', async () => {
    // A live form: its session cookie and xsrf token.
    const page = await fetch(`${auth.baseUrl}/device`);
    expect(page.status).toBe(200);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    expect(xsrf).not.toBe('');
    const live = { ...FORM, cookie };
    const cases: {
      name: string;
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }[] = [
      { name: 'no session, no body', headers: {} },
      { name: 'no session, a code', headers: FORM, body: form({ user_code: 'BCDF-GHJK' }) },
      {
        name: 'stale session cookie',
        headers: { ...FORM, cookie: '_session=nope; _session.sig=nope' },
        body: form({ xsrf, user_code: 'BCDF-GHJK' }),
      },
      { name: 'missing user_code', headers: live, body: form({ xsrf }) },
      { name: 'empty user_code', headers: live, body: form({ xsrf, user_code: '' }) },
      { name: 'garbled user_code', headers: live, body: 'xsrf=' + xsrf + '&user_code=%E0%A4%A' },
      { name: 'duplicated user_code', headers: live, body: form({ xsrf }) + '&user_code=a&user_code=b' },
      { name: 'huge user_code', headers: live, body: form({ xsrf, user_code: 'B'.repeat(5000) }) },
      { name: 'wrong xsrf', headers: live, body: form({ xsrf: 'x', user_code: 'BCDF-GHJK' }) },
      {
        name: 'unknown code, confirm',
        headers: live,
        body: form({ xsrf, user_code: 'BCDF-GHJK', confirm: 'yes' }),
      },
      { name: 'JSON body', headers: { 'content-type': 'application/json', cookie }, body: '{"user_code":1}' },
      { name: 'plain text', headers: { 'content-type': 'text/plain', cookie }, body: 'hello' },
      { name: 'PUT', method: 'PUT', headers: live, body: form({ xsrf }) },
      { name: 'DELETE', method: 'DELETE', headers: {} },
      { name: 'GET /device/auth', method: 'GET', path: '/device/auth', headers: {} },
      { name: 'GET an unknown resume uid', method: 'GET', path: '/device/nope', headers: {} },
      { name: 'device auth, no client', path: '/device/auth', headers: FORM, body: '' },
      {
        name: 'device auth, unknown client',
        path: '/device/auth',
        headers: FORM,
        body: form({ client_id: 'nope' }),
      },
    ];
    const failures: string[] = [];
    for (const c of cases) {
      const res = await fetch(`${auth.baseUrl}${c.path ?? '/device'}`, {
        method: c.method ?? 'POST',
        redirect: 'manual',
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      const text = await res.text();
      if (res.status < 400 || res.status >= 500 || !text)
        failures.push(`${c.name} → ${res.status} ${text.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
  });

  it('a form without a live session says it expired and links to a fresh one', async () => {
    const res = await fetch(`${auth.baseUrl}/device`, {
      method: 'POST',
      headers: { ...FORM, 'accept-language': 'de' },
      body: form({ user_code: 'BCDF-GHJK' }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('abgelaufen');
    expect(text).toContain('href="/device"');
  });
});

describe('device code life time (AUTH_DEVICE_CODE_TTL)', () => {
  it('is what the client is told; polling before approval is authorization_pending, after expiry expired_token', async () => {
    const grant = await startGrant();
    expect(grant.expires_in).toBe(TTL);
    const poll = async () => {
      const res = await fetch(`${auth.baseUrl}/token`, {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: DEVICE_GRANT, device_code: grant.device_code, client_id: clientId }),
      });
      return `${res.status} ${((await res.json()) as { error?: string }).error}`;
    };
    expect(await poll()).toBe('400 authorization_pending');
    await new Promise((r) => setTimeout(r, (TTL + 1) * 1000));
    expect(await poll()).toBe('400 expired_token');
  }, 30_000);

  it('an expired user code is refused on the page (wrong or expired), not a 500', async () => {
    const grant = await startGrant();
    await new Promise((r) => setTimeout(r, (TTL + 1) * 1000));
    const page = await fetch(`${auth.baseUrl}/device`);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const res = await fetch(`${auth.baseUrl}/device`, {
      method: 'POST',
      headers: { ...FORM, cookie, 'accept-language': 'en' },
      body: form({ xsrf, user_code: grant.user_code }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('wrong or has expired');
  }, 30_000);

  it('refuses a TTL outside 5–1800 s at start-up', async () => {
    const { loadAuthConfig } = await import('../config.ts');
    for (const bad of ['0', '4', '1801', 'soon'])
      expect(() => loadAuthConfig({ AUTH_DEVICE_CODE_TTL: bad })).toThrow(/AUTH_DEVICE_CODE_TTL/);
    expect(loadAuthConfig({ AUTH_DEVICE_CODE_TTL: '900' }).deviceCodeTtl).toBe(900);
  });
});

describe('rate limits (per IP, like the rest of auth)', () => {
  it('client registration and user-code entry answer 429 with Retry-After', async () => {
    const register = () =>
      fetch(`${auth.baseUrl}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Spam',
          client_uri: 'https://spam.example.org',
          application_type: 'native',
          redirect_uris: ['http://127.0.0.1/callback'],
          token_endpoint_auth_method: 'none',
        }),
      });
    let reg = await register();
    for (let i = 0; i < 5 && reg.status !== 429; i++) reg = await register();
    expect(reg.status).toBe(429);
    expect(Number(reg.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await reg.json()) as { error: string }).error).toBe('slow_down');

    // Guessing user codes: /device posts are counted like sign-in attempts.
    let status = 0;
    for (let i = 0; i < 60 && status !== 429; i++) {
      const res = await fetch(`${auth.baseUrl}/device`, {
        method: 'POST',
        headers: FORM,
        body: form({ user_code: 'BCDF-GHJK' }),
      });
      await res.arrayBuffer();
      status = res.status;
    }
    expect(status).toBe(429);
  });
});
