/**
 * The account life cycle in auth itself (sso mode, so no Synapse calls): deleting an account on the
 * account page (signed in, CSRF, password, confirmation) and the operator's `accounts deactivate |
 * reactivate`. A deactivated account cannot sign in, its sessions and tokens are gone, the bots'
 * token exchange refuses it. Synapse's side (delegated mode, retries) is
 * tests/e2e/src/delegated-lifecycle.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli.ts';
import { DEV_SECRETS } from '../config.ts';
import { CookieClient } from '../testing/cookie-client.ts';
import { startTestAuth, type TestAuth } from '../testing/fixture.ts';

let auth: TestAuth;
beforeAll(async () => {
  auth = await startTestAuth({ label: 'lifecycle' });
});
afterAll(() => auth?.close());

const signedIn = async (user: { email: string; password: string }) => {
  const client = new CookieClient();
  const login = await client.get(`${auth.baseUrl}/account`);
  const page = await client.submit(login, 'form[action="/account/login"]', user);
  expect(page.text).toContain('form method="post" action="/account/delete"');
  return { client, page };
};

/** The bots' token exchange for `@<username>:mana.test`: the status. */
const exchange = async (username: string) => {
  const res = await fetch(`${auth.baseUrl}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`bots:${DEV_SECRETS.botsClientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: `@${username}:mana.test`,
      subject_token_type: 'urn:mana:params:oauth:token-type:matrix-user-id',
    }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
};

const canSignIn = async (user: { email: string; password: string }) =>
  (await auth.service.accounts.signIn({ ...user, headers: new Headers() })).ok;

describe('POST /account/delete', () => {
  it('needs the session, the CSRF token, the password and the confirmation', async () => {
    const u = await auth.createUser({ username: 'ivan' });
    const { client, page } = await signedIn(u);
    const del = 'form[action="/account/delete"]';
    expect((await client.submit(page, del, { password: 'wrong password!' })).status).toBe(400);
    const noConfirm = await fetch(`${auth.baseUrl}/account/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: u.password, confirm: 'yes', csrf: 'x'.repeat(32) }).toString(),
    });
    expect(noConfirm.status).toBe(403); // no CSRF cookie: a cross-site post
    const anonymous = new CookieClient();
    const form = await anonymous.get(`${auth.baseUrl}/register`); // any page: a CSRF cookie, no session
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const notSignedIn = await anonymous.post(`${auth.baseUrl}/account/delete`, {
      csrf,
      password: u.password,
      confirm: 'yes',
    });
    expect(notSignedIn.status).toBe(401);
    // Unticked box: refused, nothing happens.
    const unticked = await client.submit(page, del, { password: u.password, confirm: '' });
    expect(unticked.status).toBe(400);
    expect(await canSignIn(u)).toBe(true);
    expect(await exchange('ivan')).toBe(200);
  });

  it('deletes: no sign-in, no session, no tokens, the username stays taken, the email is free', async () => {
    const u = await auth.createUser({ username: 'judy' });
    const { client, page } = await signedIn(u);
    expect(await exchange('judy')).toBe(200);
    const done = await client.submit(page, 'form[action="/account/delete"]', {
      password: u.password,
      confirm: 'yes',
    });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your account has been deleted.');
    expect(await canSignIn(u)).toBe(false);
    // The browser's session is gone: the account page asks to sign in.
    expect((await client.get(`${auth.baseUrl}/account`)).text).toContain('action="/account/login"');
    expect(await exchange('judy')).toBe(400);
    const left = await auth.service.db.sql`
      select count(*)::int as n from oidc_models where payload->>'accountId' = ${u.id}`;
    expect(left[0]?.n).toBe(0);
    const [row] = await auth.service.db.sql`select email, name, deleted_at from users where id = ${u.id}`;
    expect(row?.email).not.toBe(u.email);
    expect(row?.name).toBe('');
    expect(row?.deleted_at).toBeTruthy();
    // The username is a Matrix localpart: never handed out again. The email may sign up anew.
    const again = new CookieClient();
    const reg = await again.get(`${auth.baseUrl}/register`);
    const taken = await again.submit(reg, 'form[action="/register"]', {
      email: 'judy2@example.test',
      username: 'judy',
      password: 'a long enough password',
    });
    expect(taken.status).toBe(409);
    const fresh = await auth.createUser({ username: 'judith', email: u.email });
    expect(await canSignIn(fresh)).toBe(true);
  });
});

describe('accounts deactivate | reactivate (operator CLI)', () => {
  const env = () => ({
    AUTH_NODE_ENV: 'test',
    AUTH_DATABASE_URL: auth.tdb.url,
    AUTH_BASE_URL: auth.baseUrl,
  });

  it('deactivates by email (signed out, refused) and reactivates by id', async () => {
    const u = await auth.createUser({ username: 'kim' });
    const { client } = await signedIn(u);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await runCli(['accounts', 'deactivate', u.email], env())).toBe(0);
      expect(log).toHaveBeenLastCalledWith('kim deactivated; sso mode: Synapse not told');
      expect(await canSignIn(u)).toBe(false);
      expect((await client.get(`${auth.baseUrl}/account`)).text).toContain('action="/account/login"');
      expect(await exchange('kim')).toBe(400);

      expect(await runCli(['accounts', 'reactivate', u.id], env())).toBe(0);
      expect(log).toHaveBeenLastCalledWith('kim reactivated; sso mode: Synapse not told');
      expect(await canSignIn(u)).toBe(true);
      expect(await exchange('kim')).toBe(200);

      expect(await runCli(['accounts', 'deactivate', 'nobody@example.test'], env())).toBe(1);
      expect(await runCli(['accounts', 'deactivate'], env())).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it('refuses to reactivate a deleted account', async () => {
    const u = await auth.createUser({ username: 'liam' });
    const account = await auth.service.accounts.findByUsername('liam');
    if (!account) throw new Error('no account');
    await auth.service.lifecycle.delete(account);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await runCli(['accounts', 'reactivate', u.id], env())).toBe(1);
      expect(err).toHaveBeenLastCalledWith('liam was deleted; a deleted account cannot be reactivated');
    } finally {
      err.mockRestore();
    }
    expect(await canSignIn(u)).toBe(false);
  });
});
