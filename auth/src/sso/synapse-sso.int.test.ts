/**
 * THE end-to-end test of the issue: a user registers at auth, verifies the email from the outbox,
 * and signs in to a real Synapse through SSO; key rotation keeps that working; signing out at auth
 * ends the Synapse session (back-channel logout).
 */
import { createTokenVerifier, SYNC_AUDIENCE } from '@mana/auth-client';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type SynapseHandle } from '@mana/testing';
import { DEV_SECRETS } from '../config.ts';
import { rotateKeys } from '../oidc/keys.ts';
import { CookieClient } from '../testing/cookie-client.ts';
import { freePort } from '@mana/testing';
import { startTestAuth, type TestAuth } from '../testing/fixture.ts';
import { CLIENT_REDIRECT, ssoLogin, whoami } from '../testing/synapse-sso.ts';

let auth: TestAuth;
let synapse: SynapseHandle;

beforeAll(async () => {
  // The issuer must be known before Synapse starts, and Synapse's URL before auth starts.
  const port = await freePort();
  synapse = await startSynapse({
    oidcProvider: { issuer: `http://127.0.0.1:${port}`, clientSecret: DEV_SECRETS.synapseClientSecret },
  });
  auth = await startTestAuth({
    port,
    label: 'sso',
    env: { AUTH_SYNAPSE_BASE_URL: synapse.baseUrl, AUTH_MATRIX_SERVER_NAME: synapse.serverName },
  });
}, 180_000);
afterAll(async () => {
  await auth?.close();
  await synapse?.stop();
});

describe('Synapse SSO through auth', () => {
  it('registers, verifies by mail, signs in to Synapse and gets @<username>:<server_name>', async () => {
    const user = await auth.createUser({ username: 'alice' });
    const sso = await ssoLogin({ synapseBaseUrl: synapse.baseUrl, user });
    expect(sso.userId).toBe(`@alice:${synapse.serverName}`);
    // The path a browser took: Synapse → our /auth → our login page → Synapse's callback.
    const paths = sso.hops.map((h) => new URL(h).pathname);
    expect(paths[0]).toBe('/_matrix/client/v3/login/sso/redirect/oidc-mana');
    expect(paths).toContain('/auth');
    expect(paths.some((p) => p.startsWith('/interaction/'))).toBe(true);
    expect(paths).toContain('/_synapse/client/oidc/callback');
    expect(await whoami(synapse.baseUrl, sso.accessToken)).toEqual({ status: 200, userId: sso.userId });
    // Signing in again maps to the same Matrix user.
    const again = await ssoLogin({ synapseBaseUrl: synapse.baseUrl, user });
    expect(again.userId).toBe(sso.userId);
  });

  it('keeps working across a key rotation; tokens from before still verify during the overlap', async () => {
    const user = await auth.createUser({ username: 'rotator' });
    const basic = `Basic ${Buffer.from(`bots:${DEV_SECRETS.botsClientSecret}`).toString('base64')}`;
    const tokenBefore = await fetch(`${auth.baseUrl}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=sync',
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const kidsBefore = await kids();
    // Publish a new key that signs at once (overlap 0), keep the old one published for an hour.
    await rotateKeys(auth.service.db.db, { overlapSeconds: 0, retainSeconds: 3600 });
    expect(await auth.service.refreshKeys()).toBe(true);
    const kidsAfter = await kids();
    expect(kidsAfter).toHaveLength(kidsBefore.length + 1);
    expect(kidsAfter).toEqual(expect.arrayContaining(kidsBefore));
    const verifier = createTokenVerifier({
      issuer: auth.baseUrl,
      audience: SYNC_AUDIENCE,
      jwksUri: `${auth.baseUrl}/jwks`,
    });
    expect((await verifier.verify(tokenBefore.access_token)).sub).toBe('bots');
    // Synapse has the old JWKS cached; the new kid makes it refetch.
    const sso = await ssoLogin({ synapseBaseUrl: synapse.baseUrl, user });
    expect(sso.userId).toBe(`@rotator:${synapse.serverName}`);
  });

  it('signing out at auth ends the Synapse session (back-channel logout)', async () => {
    const user = await auth.createUser({ username: 'leaver' });
    const client = new CookieClient();
    const sso = await ssoLogin({ synapseBaseUrl: synapse.baseUrl, user, client });
    expect((await whoami(synapse.baseUrl, sso.accessToken)).status).toBe(200);
    client.stopAt = undefined;
    const confirm = await client.get(`${auth.baseUrl}/session/end`);
    expect(confirm.status).toBe(200);
    const done = await client.submit(confirm, 'form#op.logoutForm', { logout: 'yes' });
    expect(done.status).toBe(200);
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await whoami(synapse.baseUrl, sso.accessToken)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    if (status !== 401) {
      const { readFile } = await import('node:fs/promises');
      console.log(
        (await readFile(synapse.logFile, 'utf8'))
          .split('\n')
          .filter((l) => /backchannel|logout|oidc/i.test(l))
          .slice(-30)
          .join('\n'),
      );
    }
    expect(status).toBe(401);
  });
});

describe('Synapse SSO in a real headless Chromium', () => {
  it('registers, verifies, and signs in to Synapse through the pages', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const context = await browser.newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      let loginToken: string | null = null;
      // The Matrix client's redirect target: catch it instead of leaving the machine.
      await page.route(`${CLIENT_REDIRECT}**`, async (route) => {
        loginToken = new URL(route.request().url()).searchParams.get('loginToken');
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>back in the client</p>' });
      });

      await page.goto(`${auth.baseUrl}/register`);
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      await page.getByLabel('E-Mail').fill('chromium@example.test');
      await page.getByLabel('Benutzername').fill('chromi');
      await page.getByLabel('Passwort').fill('a long browser password');
      await page.getByRole('button', { name: 'Konto erstellen' }).click();
      await page.waitForSelector('p.note');
      await page.goto(await auth.mailLink('chromium@example.test', '/verify-email?token='));
      expect(await page.textContent('p.note')).toContain('bestätigt');

      await page.goto(
        `${synapse.baseUrl}/_matrix/client/v3/login/sso/redirect/oidc-mana?redirectUrl=${encodeURIComponent(CLIENT_REDIRECT)}`,
      );
      await page.waitForURL(/\/interaction\//);
      await page.getByLabel('E-Mail').fill('chromium@example.test');
      await page.getByLabel('Passwort').fill('a long browser password');
      await page.getByRole('button', { name: 'Anmelden' }).click();
      // Synapse either redirects at once or asks to continue to the client with a link.
      for (let i = 0; i < 100 && !loginToken; i++) {
        const link = page.locator('a[href*="loginToken="]');
        if (await link.count()) await link.first().click();
        else await page.waitForTimeout(100);
      }
      expect(loginToken).toBeTruthy();
      const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'm.login.token', token: loginToken }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user_id: string }).user_id).toBe(`@chromi:${synapse.serverName}`);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

async function kids(): Promise<string[]> {
  const jwks = (await (await fetch(`${auth.baseUrl}/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}
