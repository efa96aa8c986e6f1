/**
 * Accounts through the pages, over HTTP, against real Postgres and Redis: registration rules,
 * verification via the outbox, resend cooldown, login answers that reveal nothing, rate limits,
 * password reset and change, languages and CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../mail.ts';
import { CookieClient, findForm } from '../testing/cookie-client.ts';
import { startTestAuth, type TestAuth } from '../testing/fixture.ts';
import { authorizeUrl, pkcePair } from '../testing/oidc-flow.ts';

let auth: TestAuth;
beforeAll(async () => {
  auth = await startTestAuth({ label: 'accounts' });
});
afterAll(() => auth?.close());

/** A fresh login page of the web client's authorization flow. */
async function loginPage(client = new CookieClient()) {
  const page = await client.get(
    authorizeUrl({
      baseUrl: auth.baseUrl,
      clientId: 'web',
      redirectUri: 'http://127.0.0.1:5173/auth/callback',
      scope: 'openid',
      pkce: pkcePair(),
    }),
  );
  const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page.text)?.[1];
  if (!action) throw new Error(`no login form: ${page.text.slice(0, 200)}`);
  return { client, page, action };
}

const errorText = (html: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

describe('registration and verification', () => {
  it('registers, refuses bad and taken usernames, verifies through the outbox link', async () => {
    const client = new CookieClient();
    const page = await client.get(`${auth.baseUrl}/register`);
    expect(page.text).toContain('<label for="f-username">');
    const bad = await client.submit(page, 'form[action="/register"]', {
      email: 'x@example.test',
      username: 'Not Valid!',
      password: 'long enough password',
    });
    expect(bad.status).toBe(400);
    const reserved = await client.submit(page, 'form[action="/register"]', {
      email: 'y@example.test',
      username: 'todo',
      password: 'long enough password',
    });
    expect(reserved.status).toBe(409);
    const weak = await client.submit(page, 'form[action="/register"]', {
      email: 'y@example.test',
      username: 'carol',
      password: 'short',
    });
    expect(weak.status).toBe(400);
    const ok = await client.submit(page, 'form[action="/register"]', {
      email: 'Carol@Example.test',
      username: 'carol',
      password: 'long enough password',
    });
    expect(ok.status).toBe(201);
    const taken = await client.submit(page, 'form[action="/register"]', {
      email: 'other@example.test',
      username: 'carol',
      password: 'long enough password',
    });
    expect(taken.status).toBe(409);
    // Same email again: the same answer as a new registration (nothing revealed), a notice mail.
    const again = await client.submit(page, 'form[action="/register"]', {
      email: 'carol@example.test',
      username: 'carol2',
      password: 'long enough password',
    });
    expect(again.status).toBe(201);
    const mails = await readOutbox(auth.service.db.db, 'carol@example.test');
    expect(mails.map((m) => m.subject)).toEqual(
      expect.arrayContaining(['Confirm your Mana account', 'Your Mana account']),
    );
    expect(await auth.service.accounts.findByUsername('carol2')).toBeUndefined();

    // Unverified: correct password → "confirm first" (only after the password checked out).
    const { client: c2, page: lp, action } = await loginPage();
    const unverified = await c2.submit(lp, `form[action="${action}"]`, {
      email: 'carol@example.test',
      password: 'long enough password',
    });
    expect(unverified.status).toBe(403);
    expect(unverified.text).toContain('/verify-email/resend');

    const link = await auth.mailLink('carol@example.test', '/verify-email?token=');
    const confirmed = await client.get(link);
    expect(confirmed.status).toBe(200);
    // The sentence once, under its own heading (not the heading and the note both).
    expect(confirmed.text.split('Your email address is confirmed.').length - 1).toBe(1);
    expect(confirmed.text).toContain('<h1>Email confirmed</h1>');
    expect((await auth.service.accounts.findByUsername('carol'))?.emailVerified).toBe(true);
    expect((await client.get(`${auth.baseUrl}/verify-email?token=forged`)).status).toBe(400);
  });

  it('resends the verification mail once per cooldown, answering the same for unknown addresses', async () => {
    await auth.createUser({ username: 'dave', email: 'dave@example.test', verify: false });
    const client = new CookieClient();
    const page = await client.get(`${auth.baseUrl}/verify-email/resend`);
    const first = await client.submit(page, 'form[action="/verify-email/resend"]', {
      email: 'dave@example.test',
    });
    expect(first.status).toBe(200);
    const second = await client.submit(page, 'form[action="/verify-email/resend"]', {
      email: 'dave@example.test',
    });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await readOutbox(auth.service.db.db, 'dave@example.test')).length).toBe(2);
    const unknown = await client.submit(page, 'form[action="/verify-email/resend"]', {
      email: 'nobody@example.test',
    });
    expect(unknown.status).toBe(200);
    expect(unknown.text).toBe(first.text);
  });
});

describe('login', () => {
  it('answers an unknown email and a wrong password the same way', async () => {
    const u = await auth.createUser({ username: 'erin' });
    const a = await loginPage();
    const wrong = await a.client.submit(a.page, `form[action="${a.action}"]`, {
      email: u.email,
      password: 'wrong password!',
    });
    const b = await loginPage();
    const unknown = await b.client.submit(b.page, `form[action="${b.action}"]`, {
      email: 'ghost@example.test',
      password: 'wrong password!',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorText(wrong.text)).toBe('Email or password is wrong.');
    expect(errorText(unknown.text)).toBe(errorText(wrong.text));
    const strip = (s: string, email: string) =>
      s
        .replace(/\/interaction\/[^"/]+/g, '/interaction/X')
        .replace(/value="[^"]*"/g, 'value=""')
        .replace(email, 'EMAIL');
    expect(strip(wrong.text, u.email)).toBe(strip(unknown.text, 'ghost@example.test'));
  });

  it('answers the 11th wrong password within a minute with 429 and Retry-After', async () => {
    const u = await auth.createUser({ username: 'frank' });
    const { client, page, action } = await loginPage();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<CookieClient['submit']>> | undefined;
    for (let i = 0; i < 11; i++) {
      last = await client.submit(page, `form[action="${action}"]`, {
        email: u.email,
        password: `wrong ${i}`,
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Even the right password is refused until the window ends.
    const right = await client.submit(page, `form[action="${action}"]`, {
      email: u.email,
      password: u.password,
    });
    expect(right.status).toBe(429);
    const metrics = await (await fetch(`${auth.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/auth_login_failures_total\{[^}]*\} (1[1-9]|[2-9]\d)/);
    expect(metrics).toMatch(/auth_login_attempts_total/);
    expect(metrics).toMatch(/auth_registrations_total\{[^}]*\} [1-9]/);
  });

  it('rejects a form without the CSRF token of the session', async () => {
    const { client, action } = await loginPage();
    const res = await client.post(`${auth.baseUrl}${action}`, {
      email: 'a@b.c',
      password: 'x',
      csrf: 'forged-forged-forged-forged-forged',
    });
    expect(res.status).toBe(403);
    expect(await JSON.parse(res.text)).toMatchObject({ errcode: 'AUTH_CSRF' });
  });

  it('speaks German by Accept-Language and switches by ?lang=', async () => {
    const de = new CookieClient({ headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
    const { page } = await loginPage(de);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Anmelden');
    const en = await de.get(`${page.url}?lang=en`);
    expect(en.text).toContain('<html lang="en">');
    expect((await de.get(`${auth.baseUrl}/register`)).text).toContain('<html lang="en">'); // the choice sticks
  });
});

describe('password reset and change', () => {
  it('resets through the outbox link, answering the same for unknown emails', async () => {
    const u = await auth.createUser({ username: 'grace' });
    const client = new CookieClient();
    const page = await client.get(`${auth.baseUrl}/reset`);
    const known = await client.submit(page, 'form[action="/reset"]', { email: u.email });
    const unknown = await client.submit(page, 'form[action="/reset"]', { email: 'nobody@example.test' });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(errorText(known.text)).toBe(errorText(unknown.text));
    expect(known.text).toBe(unknown.text);
    const link = await auth.mailLink(u.email, '/reset-password?token=');
    const form = await client.get(link);
    const done = await client.submit(form, 'form[action="/reset-password"]', {
      password: 'a brand new password',
    });
    expect(done.status).toBe(200);
    const reused = await client.submit(form, 'form[action="/reset-password"]', {
      password: 'another new password',
    });
    expect(reused.status).toBe(400);
    const r = await auth.service.accounts.signIn({
      email: u.email,
      password: 'a brand new password',
      headers: new Headers(),
    });
    expect(r.ok).toBe(true);
    const old = await auth.service.accounts.signIn({
      email: u.email,
      password: u.password,
      headers: new Headers(),
    });
    expect(old.ok).toBe(false);
  });

  it('changes the password on the account page', async () => {
    const u = await auth.createUser({ username: 'heidi' });
    const client = new CookieClient();
    const login = await client.get(`${auth.baseUrl}/account`);
    const account = await client.submit(login, 'form[action="/account/login"]', {
      email: u.email,
      password: u.password,
    });
    expect(account.text).toContain('heidi');
    const wrong = await client.submit(account, 'form[action="/account/password"]', {
      currentPassword: 'nope nope nope',
      newPassword: 'changed password 1',
    });
    expect(wrong.status).toBe(400);
    const ok = await client.submit(account, 'form[action="/account/password"]', {
      currentPassword: u.password,
      newPassword: 'changed password 1',
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Your password has been changed.');
    expect(
      (
        await auth.service.accounts.signIn({
          email: u.email,
          password: 'changed password 1',
          headers: new Headers(),
        })
      ).ok,
    ).toBe(true);
    expect(findForm(ok.text, 'form[action="/account/logout"]')).toBeDefined();
  });
});
