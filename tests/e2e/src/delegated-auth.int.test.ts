/**
 * Issue 17: auth as Synapse's delegated auth server. A real Synapse 1.163 runs with
 * `matrix_authentication_service` pointing at auth; a headless client logs in exactly as Element X
 * does (matrix-js-sdk's OAuth2 helpers) and uses the token against Synapse.
 */
import { OAuth2, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieClient } from '../../../auth/src/testing/cookie-client.ts';
import { authorizeUrl, pkcePair, signInThroughProvider } from '../../../auth/src/testing/oidc-flow.ts';
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
