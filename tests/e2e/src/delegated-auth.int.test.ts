/**
 * Issue 17: auth as Synapse's delegated auth server. A real Synapse 1.163 runs with
 * `matrix_authentication_service` pointing at auth; a headless client logs in exactly as Element X
 * does (matrix-js-sdk's OAuth2 helpers) and uses the token against Synapse.
 */
import { CREDITS_AUDIENCE, SYNC_AUDIENCE } from '@mana/auth-client';
import { OAuth2, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, CookieClient, pkcePair, signInThroughProvider } from '@mana/auth/testing';
import {
  discover,
  ELEMENT_X,
  introspect,
  loginLikeElementX,
  matrixGet,
  startDelegatedStack,
  type DelegatedStack,
} from './support/delegated-stack.ts';

let stack: DelegatedStack;
let metadata: ValidatedAuthMetadata;

beforeAll(async () => {
  stack = await startDelegatedStack();
  metadata = await discover(stack.synapse.baseUrl);
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

describe('discovery', () => {
  it('Synapse serves our metadata at /_matrix/client/v1/auth_metadata with what Matrix clients check', () => {
    expect(metadata).toMatchObject({
      issuer: stack.auth.baseUrl,
      account_management_uri: `${stack.auth.baseUrl}/account`,
      registration_endpoint: `${stack.auth.baseUrl}/reg`,
      revocation_endpoint: `${stack.auth.baseUrl}/token/revocation`,
      device_authorization_endpoint: `${stack.auth.baseUrl}/device/auth`,
    });
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.response_modes_supported).toEqual(expect.arrayContaining(['query', 'fragment']));
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ]),
    );
    expect(metadata.prompt_values_supported).toContain('create');
    expect(metadata.account_management_actions_supported).toEqual(
      expect.arrayContaining(['org.matrix.sessions_list', 'org.matrix.session_end', 'org.matrix.profile']),
    );
  });
});

describe('Element X logs in (authorization code + PKCE, loopback redirect)', () => {
  it('registers, signs in through our pages, and its token works at Synapse: whoami, sync, refresh, revoke', async () => {
    const user = await stack.auth.createUser({ username: 'xavier' });
    const clientId = await OAuth2.registerClient(metadata, ELEMENT_X);
    const login = await loginLikeElementX({ metadata, clientId, user });
    const paths = login.hops.map((h) => new URL(h).pathname);
    expect(paths).toContain('/auth');
    expect(paths.some((p) => p.startsWith('/interaction/'))).toBe(true);

    const userId = `@xavier:${stack.synapse.serverName}`;
    const whoami = await matrixGet(
      stack.synapse.baseUrl,
      '/_matrix/client/v3/account/whoami',
      login.accessToken,
    );
    expect(whoami.status).toBe(200);
    expect(whoami.body).toMatchObject({ user_id: userId, device_id: login.deviceId });
    const sync = await matrixGet(
      stack.synapse.baseUrl,
      '/_matrix/client/v3/sync?timeout=0',
      login.accessToken,
    );
    expect(sync.status).toBe(200);
    expect(sync.body).toHaveProperty('next_batch');
    // The device carries the client's name.
    const devices = await matrixGet(stack.synapse.baseUrl, '/_matrix/client/v3/devices', login.accessToken);
    const list = devices.body.devices as { device_id: string; display_name?: string }[];
    expect(list.find((d) => d.device_id === login.deviceId)?.display_name).toBe('Element X');

    // Introspection as Synapse sees it.
    const seen = await introspect(stack.auth.baseUrl, login.accessToken, stack.secret);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ active: true, username: 'xavier', device_id: login.deviceId });
    expect(String(seen.body.scope).split(' ')).toContain('urn:matrix:client:api:*');
    expect(typeof seen.body.expires_in).toBe('number');

    // Refresh: a new access token for the same device.
    const refreshed = await login.oauth.performRefreshTokenGrant(login.refreshToken);
    expect(refreshed.access_token).not.toBe(login.accessToken);
    const again = await matrixGet(
      stack.synapse.baseUrl,
      '/_matrix/client/v3/account/whoami',
      refreshed.access_token,
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ user_id: userId, device_id: login.deviceId });

    // Revoke (Element X's sign-out): the session ends, the device is deleted in Synapse, and
    // Synapse refuses the token as soon as it notices the device is gone — its 2-minute
    // introspection cache does not keep a signed-out token alive.
    const revokedAt = Date.now();
    await login.oauth.revokeToken(refreshed.access_token, 'access_token');
    expect((await introspect(stack.auth.baseUrl, refreshed.access_token, stack.secret)).body).toEqual({
      active: false,
    });
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 150_000) {
      status = (
        await matrixGet(stack.synapse.baseUrl, '/_matrix/client/v3/account/whoami', refreshed.access_token)
      ).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`revoked token refused by Synapse after ${Date.now() - revokedAt} ms`);
    expect(status).toBe(401);
    // The refresh token died with the session.
    await expect(
      login.oauth.performRefreshTokenGrant(refreshed.refresh_token ?? login.refreshToken),
    ).rejects.toThrow();
  }, 180_000);
});

describe('introspection security', () => {
  it('wrong or missing shared secret → 401; unknown tokens inactive', async () => {
    expect((await introspect(stack.auth.baseUrl, 'whatever', undefined)).status).toBe(401);
    expect((await introspect(stack.auth.baseUrl, 'whatever', 'not-the-secret')).status).toBe(401);
    expect(await introspect(stack.auth.baseUrl, 'no-such-token', stack.secret)).toEqual({
      status: 200,
      body: { active: false },
    });
  });
});

describe('client registration (RFC 7591) with the Matrix rules', () => {
  const register = async (metadata: Record<string, unknown>) => {
    const res = await fetch(`${stack.auth.baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('refuses bad redirects, a missing client_uri and confidential grants', async () => {
    const bad = [
      { ...ELEMENT_X, client_uri: undefined },
      { ...ELEMENT_X, redirect_uris: ['http://evil.example/callback'] },
      { ...ELEMENT_X, redirect_uris: ['com.evil.app:/callback'] },
      { ...ELEMENT_X, application_type: 'web', redirect_uris: ['https://evil.example/callback'] },
      { ...ELEMENT_X, grant_types: ['client_credentials'] },
      {
        ...ELEMENT_X,
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      },
    ];
    for (const metadata of bad) {
      const res = await register(metadata);
      expect(res.status, JSON.stringify(metadata)).toBe(400);
      expect(['invalid_client_metadata', 'invalid_redirect_uri']).toContain(res.body.error);
    }
    const ok = await register({
      client_name: 'Element Web',
      client_uri: 'https://app.element.io',
      application_type: 'web',
      redirect_uris: ['https://app.element.io/'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(ok.status).toBe(201);
    // Element Web may call the token endpoint from its origin (CORS by its registered redirects).
    const preflight = await fetch(`${stack.auth.baseUrl}/token`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.element.io',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.element.io');
  });
});

describe('tokens that are not for Synapse', () => {
  it('the web app neither gets Matrix scopes nor gets a token Synapse accepts', async () => {
    const user = await stack.auth.createUser({ username: 'webby' });
    const redirectUri = 'http://127.0.0.1:5173/auth/callback';
    const pkce = pkcePair();
    // Asking for the Matrix API as the web app: refused before any page (invalid_target, back at the app).
    const browser = new CookieClient();
    browser.stopAt = (u) => u.startsWith(redirectUri);
    const refused = await browser.get(
      authorizeUrl({
        baseUrl: stack.auth.baseUrl,
        clientId: 'web',
        redirectUri,
        scope: 'openid urn:matrix:client:api:* urn:matrix:client:device:WEBDEVICE',
        pkce,
      }),
    );
    expect(refused.url.startsWith(redirectUri)).toBe(true);
    expect(new URL(refused.url).searchParams.get('error')).toBe('invalid_target');

    // Its ordinary token (userinfo) is inactive at introspection, and Synapse refuses it.
    const { result } = await signInThroughProvider(
      new CookieClient(),
      authorizeUrl({
        baseUrl: stack.auth.baseUrl,
        clientId: 'web',
        redirectUri,
        scope: 'openid profile',
        pkce,
      }),
      user,
      (u) => u.startsWith(redirectUri),
    );
    const code = new URL(result.url).searchParams.get('code') ?? '';
    const token = (await (
      await fetch(`${stack.auth.baseUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'web',
          code,
          redirect_uri: redirectUri,
          code_verifier: pkce.verifier,
        }).toString(),
      })
    ).json()) as { access_token: string };
    expect(token.access_token).toBeTruthy();
    expect((await introspect(stack.auth.baseUrl, token.access_token, stack.secret)).body).toEqual({
      active: false,
    });
    expect(
      (await matrixGet(stack.synapse.baseUrl, '/_matrix/client/v3/account/whoami', token.access_token))
        .status,
    ).toBe(401);
  });
});

describe('registration with prompt=create, and the account page (MSC4191)', () => {
  it('creates the account and the Matrix user; the account page lists the device and signs it out in Synapse', async () => {
    const clientId = await OAuth2.registerClient(metadata, ELEMENT_X);
    const email = 'newbie@example.test';
    const password = 'a long enough password';
    const login = await loginLikeElementX({
      metadata,
      clientId,
      prompt: 'create',
      user: { email, password },
      async onFirstPage(browser, page) {
        const action = /<form method="post" action="(\/interaction\/[^"]+\/register)"/.exec(page.text)?.[1];
        expect(action, page.text.slice(0, 500)).toBeTruthy();
        // A name Synapse already has (here: a Matrix user made outside auth) is refused first.
        const ghost = await fetch(`${stack.synapse.baseUrl}/_synapse/mas/provision_user`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ localpart: 'ghost' }),
        });
        expect(ghost.status).toBe(201);
        const taken = await browser.submit(page, `form[action="${action}"]`, {
          email,
          username: 'ghost',
          password,
        });
        expect(taken.status).toBe(409);
        const created = await browser.submit(page, `form[action="${action}"]`, {
          email,
          username: 'newbie',
          password,
        });
        expect(created.status).toBe(201);
        // The emailed link confirms the address (in any browser), then the same page signs in.
        expect((await new CookieClient().get(await stack.auth.mailLink(email, '/verify-email'))).status).toBe(
          200,
        );
        return created;
      },
    });
    const userId = `@newbie:${stack.synapse.serverName}`;
    const whoami = await matrixGet(
      stack.synapse.baseUrl,
      '/_matrix/client/v3/account/whoami',
      login.accessToken,
    );
    expect(whoami.body).toMatchObject({ user_id: userId, device_id: login.deviceId });
    // The Matrix user exists in Synapse (its admin API for the auth server).
    const query = await fetch(`${stack.synapse.baseUrl}/_synapse/mas/query_user?localpart=newbie`, {
      headers: { authorization: `Bearer ${stack.secret}` },
    });
    expect(await query.json()).toMatchObject({ user_id: userId, is_deactivated: false });

    // A second session, to look at Synapse's device list from outside the one we sign out.
    const other = await loginLikeElementX({ metadata, clientId, user: { email, password } });

    // Element X opens the account page for its session; the browser is signed in at auth already.
    const { browser } = login;
    browser.stopAt = undefined;
    const list = await browser.get(`${stack.auth.baseUrl}/account?action=org.matrix.sessions_list`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`data-device-id="${login.deviceId}"`);
    expect(list.text).toContain(`data-device-id="${other.deviceId}"`);
    expect(list.text).toContain('Element X');

    // Signed out of auth, the deep link survives the sign-in.
    const fresh = new CookieClient();
    const view = `/account?action=org.matrix.session_end&device_id=${login.deviceId}`;
    const signIn = await fresh.get(`${stack.auth.baseUrl}${view}`);
    const action = /<form method="post" action="(\/account\/login[^"]*)"/
      .exec(signIn.text)?.[1]
      ?.replace(/&amp;/g, '&');
    expect(action).toContain('next=');
    const confirm = await fresh.submit(signIn, `form[action="${action?.replace(/&/g, '&amp;')}"]`, {
      email,
      password,
    });
    expect(confirm.url).toBe(`${stack.auth.baseUrl}${view}`);
    expect(confirm.text).toContain(login.deviceId);
    const ended = await fresh.submit(confirm, 'form[action="/account/matrix/sessions/end"]', {});
    expect(ended.status).toBe(200);
    expect(ended.text).not.toContain(`data-device-id="${login.deviceId}"`);

    // Synapse: the device is gone, its token refused at once; the other session is untouched.
    expect(
      (await matrixGet(stack.synapse.baseUrl, '/_matrix/client/v3/account/whoami', login.accessToken)).status,
    ).toBe(401);
    const devices = await matrixGet(stack.synapse.baseUrl, '/_matrix/client/v3/devices', other.accessToken);
    const ids = (devices.body.devices as { device_id: string }[]).map((d) => d.device_id);
    expect(ids).toContain(other.deviceId);
    expect(ids).not.toContain(login.deviceId);

    // Cross-signing reset is allowed through the page (Synapse's allow_cross_signing_reset).
    const reset = await browser.get(`${stack.auth.baseUrl}/account?action=org.matrix.cross_signing_reset`);
    const allowed = await browser.submit(reset, 'form[action="/account/matrix/cross-signing-reset"]', {});
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('class="note"');
  }, 180_000);
});

describe('what a registered Matrix client cannot get', () => {
  it('Mana’s own APIs (credits, sync) are refused to it', async () => {
    const clientId = await OAuth2.registerClient(metadata, ELEMENT_X);
    const redirectUri = 'http://127.0.0.1:40123/callback';
    for (const [resource, scope] of [
      [CREDITS_AUDIENCE, 'openid credits:admin'],
      [SYNC_AUDIENCE, 'openid sync'],
    ] as const) {
      const browser = new CookieClient();
      browser.stopAt = (u) => u.startsWith(redirectUri);
      const page = await browser.get(
        authorizeUrl({
          baseUrl: stack.auth.baseUrl,
          clientId,
          redirectUri,
          scope,
          resource,
          pkce: pkcePair(),
        }),
      );
      expect(page.url.startsWith(redirectUri), page.text.slice(0, 300)).toBe(true);
      expect(new URL(page.url).searchParams.get('error')).toBe('invalid_target');
    }
  });
});

describe('introspection rate limit', () => {
  it('guessing the shared secret is rate-limited (429); Synapse with the right one still gets answers', async () => {
    let status = 401;
    for (let i = 0; i < 40 && status === 401; i++)
      status = (await introspect(stack.auth.baseUrl, 'x', `guess-${i}`)).status;
    expect(status).toBe(429);
    expect((await introspect(stack.auth.baseUrl, 'x', stack.secret)).body).toEqual({ active: false });
  });
});
