/**
 * Issue 17, device authorization grant (RFC 8628; QR and TV-style login): the client starts,
 * the user approves on our page in a real Chromium, the client gets a token Synapse accepts.
 */
import { OAuth2, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discover,
  ELEMENT_X,
  matrixGet,
  startDelegatedStack,
  type DelegatedStack,
} from './support/delegated-stack.ts';

let stack: DelegatedStack;
let metadata: ValidatedAuthMetadata;
let browser: Browser;

beforeAll(async () => {
  stack = await startDelegatedStack();
  metadata = await discover(stack.synapse.baseUrl);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('device authorization grant', () => {
  it('starts on the client, is approved on our page in Chromium, and yields a Matrix token', async () => {
    const user = await stack.auth.createUser({ username: 'tvuser' });
    const clientId = await OAuth2.registerClient(metadata, ELEMENT_X);
    const oauth = new OAuth2(metadata, { clientId });
    const session = await oauth.startDeviceAuthorizationGrant();
    expect(session.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(session.verification_uri).toBe(`${stack.auth.baseUrl}/device`);
    const waiting = oauth.waitForDeviceAuthorizationGrant(session);

    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    // The TV-style path: open the page, type the code shown on the device.
    await page.goto(session.verification_uri);
    await page.getByLabel('Code').fill(session.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    // Confirm that the device shows the same code.
    await page.waitForSelector('code.user-code');
    expect(await page.textContent('code.user-code')).toBe(session.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForSelector('p.note');
    expect(await page.textContent('p.note')).toContain('Element X is signed in');
    await context.close();

    const result = await waiting;
    if (!('access_token' in result)) throw new Error(`device grant failed: ${JSON.stringify(result)}`);
    const whoami = await matrixGet(
      stack.synapse.baseUrl,
      '/_matrix/client/v3/account/whoami',
      result.access_token,
    );
    expect(whoami.status).toBe(200);
    expect(whoami.body).toMatchObject({
      user_id: `@tvuser:${stack.synapse.serverName}`,
      device_id: oauth.context.deviceId,
    });

    // The device code is single use.
    const reuse = await fetch(`${stack.auth.baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: session.device_code,
        client_id: clientId,
      }).toString(),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  }, 120_000);

  it('refuses a wrong code on the page', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${stack.auth.baseUrl}/device`);
    await page.getByLabel('Code').fill('BCDF-GHJK');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await expect(page.locator('p.error').textContent()).resolves.toContain('falsch');
    await context.close();
  }, 60_000);
});
