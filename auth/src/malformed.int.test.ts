/**
 * Table-driven: every POST endpoint of auth, fed malformed bodies, answers 4xx with an error body
 * (`{ errcode, error }` on Mana endpoints, OAuth's `{ error }` on provider endpoints), never 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAuth, type TestAuth } from './testing/fixture.ts';
import { CookieClient } from './testing/cookie-client.ts';
import { authorizeUrl, pkcePair } from './testing/oidc-flow.ts';

let auth: TestAuth;
let interactionPath: string;
let cookies: CookieClient;

beforeAll(async () => {
  auth = await startTestAuth({ label: 'malformed' });
  cookies = new CookieClient();
  const page = await cookies.get(
    authorizeUrl({
      baseUrl: auth.baseUrl,
      clientId: 'web',
      redirectUri: 'http://127.0.0.1:5173/auth/callback',
      scope: 'openid',
      pkce: pkcePair(),
    }),
  );
  interactionPath = new URL(page.url).pathname;
});
afterAll(() => auth?.close());

const basicBots = `Basic ${Buffer.from('bots:wrong').toString('base64')}`;

const endpoints = (): { path: string; headers?: Record<string, string> }[] => [
  { path: '/token' },
  { path: '/token', headers: { authorization: basicBots } },
  { path: '/token', headers: { authorization: `Basic ${Buffer.from('%zz:%E0').toString('base64')}` } },
  { path: '/token/revocation' },
  { path: '/auth' },
  { path: '/session/end' },
  { path: '/session/end/confirm' },
  { path: `${interactionPath}/login` },
  { path: `${interactionPath}/consent` },
  { path: '/interaction/nope/login' },
  { path: '/register' },
  { path: '/verify-email/resend' },
  { path: '/reset' },
  { path: '/reset-password' },
  { path: '/account/login' },
  { path: '/account/password' },
  { path: '/account/logout' },
];

const bodies: { name: string; contentType?: string; body?: string | Uint8Array<ArrayBuffer> }[] = [
  { name: 'no body, no content type' },
  { name: 'truncated JSON', contentType: 'application/json', body: '{"email":' },
  { name: 'JSON array', contentType: 'application/json', body: '[1,2,3]' },
  {
    name: 'broken percent-encoding',
    contentType: 'application/x-www-form-urlencoded',
    body: 'email=%E0%A4%A&password=%zz',
  },
  {
    name: 'duplicated fields',
    contentType: 'application/x-www-form-urlencoded',
    body: 'email=a&email=b&grant_type=x&grant_type=y&csrf=1&csrf=2',
  },
  { name: 'empty form', contentType: 'application/x-www-form-urlencoded', body: '' },
  {
    name: 'broken multipart',
    contentType: 'multipart/form-data; boundary=xyz',
    body: '--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\nunterminated',
  },
  { name: 'plain text', contentType: 'text/plain', body: 'hello' },
  {
    name: 'binary garbage',
    contentType: 'application/x-www-form-urlencoded',
    body: new Uint8Array([0, 255, 254, 1, 2, 3, 0x25, 0x00]),
  },
  {
    name: 'oversized form',
    contentType: 'application/x-www-form-urlencoded',
    body: `email=${'a'.repeat(200_000)}`,
  },
];

describe('malformed bodies', () => {
  it('get a 4xx with an error body on every endpoint', async () => {
    const failures: string[] = [];
    for (const ep of endpoints()) {
      for (const b of bodies) {
        const headers: Record<string, string> = { ...ep.headers };
        if (b.contentType) headers['content-type'] = b.contentType;
        // The server answers 413 before reading an oversized body and drops that connection.
        if (b.name === 'oversized form') headers.connection = 'close';
        const cookie = [...(cookies.jar.get(new URL(auth.baseUrl).host)?.values() ?? [])]
          .map((c) => `${c.name}=${c.value}`)
          .join('; ');
        if (cookie) headers.cookie = cookie;
        let res: Response;
        try {
          res = await fetch(`${auth.baseUrl}${ep.path}`, {
            method: 'POST',
            headers,
            redirect: 'manual',
            ...(b.body === undefined ? {} : { body: b.body }),
          });
        } catch (err) {
          failures.push(`POST ${ep.path} [${b.name}] → ${String(err)}`);
          continue;
        }
        const text = await res.text();
        const where = `POST ${ep.path} [${b.name}] → ${res.status} ${text.slice(0, 120)}`;
        if (res.status < 400 || res.status >= 500) {
          failures.push(where);
          continue;
        }
        if (!text) failures.push(`${where}: empty body`);
        if ((res.headers.get('content-type') ?? '').includes('json')) {
          const json = JSON.parse(text) as Record<string, unknown>;
          if (typeof json.error !== 'string') failures.push(`${where}: no error field`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
