/**
 * The provider end to end over HTTP against real Postgres and Redis: discovery, JWKS, the three
 * clients and every grant they use, token exchange, and the security properties of the issue.
 */
import {
  AuthClientError,
  createTokenExchanger,
  createTokenVerifier,
  CREDITS_AUDIENCE,
  MATRIX_USER_TOKEN_TYPE,
  SYNC_AUDIENCE,
} from '@mana/auth-client';
import { base64url, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { connect } from '@mana/db';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SECRETS } from '../config.ts';
import { AUTH_SCHEMA } from '../server.ts';
import { CookieClient } from '../testing/cookie-client.ts';
import { startTestAuth, type TestAuth } from '../testing/fixture.ts';
import { authorizeUrl, pkcePair, signInThroughProvider } from '../testing/oidc-flow.ts';

const WEB_REDIRECT = 'http://127.0.0.1:5173/auth/callback';
let auth: TestAuth;
let alice: Awaited<ReturnType<TestAuth['createUser']>>;

beforeAll(async () => {
  auth = await startTestAuth({ label: 'provider' });
  alice = await auth.createUser({ username: 'alice' });
});
afterAll(() => auth?.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function token(body: Record<string, string>, authorization?: string) {
  const res = await fetch(`${auth.baseUrl}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string | number | undefined> };
}

const verifier = (audience: string) =>
  createTokenVerifier({ issuer: auth.baseUrl, audience, jwksUri: `${auth.baseUrl}/jwks`, jwksCooldownMs: 0 });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof AuthClientError) return e.code;
    throw e;
  }
}

/** The web client's full authorization-code flow with PKCE; returns the token response. */
async function webLogin(
  scope = 'openid profile email offline_access sync',
  resource: string | null = SYNC_AUDIENCE,
  user = alice,
) {
  const { verifier: codeVerifier, challenge } = pkcePair();
  const client = new CookieClient();
  const { result } = await signInThroughProvider(
    client,
    authorizeUrl({
      baseUrl: auth.baseUrl,
      clientId: 'web',
      redirectUri: WEB_REDIRECT,
      scope,
      ...(resource ? { resource } : {}),
      pkce: { challenge },
    }),
    user,
    (u) => u.startsWith(WEB_REDIRECT),
  );
  const code = new URL(result.url).searchParams.get('code');
  expect(code, `${result.url} ${result.text.slice(0, 1500)}`).toBeTruthy();
  const res = await token({
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: WEB_REDIRECT,
    client_id: 'web',
    code_verifier: codeVerifier,
    ...(resource ? { resource } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('discovery and JWKS', () => {
  it('states the issuer exactly and advertises EdDSA only', async () => {
    const d = (await (await fetch(`${auth.baseUrl}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(d.issuer).toBe(auth.baseUrl);
    const algLists = Object.entries(d).filter(([k]) => k.endsWith('signing_alg_values_supported'));
    expect(algLists.length).toBeGreaterThan(0);
    for (const [k, v] of algLists) expect(v, k).toEqual(['EdDSA']);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
    expect(d.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'none']);
    expect(d.backchannel_logout_session_supported).toBe(true);
    const jwks = (await (await fetch(`${auth.baseUrl}/jwks`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(k.d).toBeUndefined();
      expect(k.kid).toMatch(/^ed25519-/);
    }
  });
});

describe('web client (public, PKCE)', () => {
  it('signs in with PKCE; the id_token verifies as EdDSA and carries the profile; refresh works', async () => {
    const t = await webLogin();
    const idToken = String(t.id_token);
    expect(decodeProtectedHeader(idToken).alg).toBe('EdDSA');
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${auth.baseUrl}/jwks`)), {
      issuer: auth.baseUrl,
      audience: 'web',
      algorithms: ['EdDSA'],
    });
    expect(payload.sub).toBe(alice.id);
    expect(payload.preferred_username).toBe('alice');
    // The access token is a JWT for sync that shared/auth-client accepts.
    const at = await verifier(SYNC_AUDIENCE).verify(String(t.access_token));
    expect(at.sub).toBe(alice.id);
    expect(at.scopes).toContain('sync');
    expect(at.actor).toBeUndefined();
    expect(t.refresh_token).toBeTruthy();
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: String(t.refresh_token),
      client_id: 'web',
      resource: SYNC_AUDIENCE,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect((await verifier(SYNC_AUDIENCE).verify(String(refreshed.body.access_token))).sub).toBe(alice.id);
  });

  it('a refresh whose answer was lost can be repeated within the reuse grace; after it, reuse revokes the grant', async () => {
    const t = await webLogin();
    const refresh = (refreshToken: unknown) =>
      token({
        grant_type: 'refresh_token',
        refresh_token: String(refreshToken),
        client_id: 'web',
        resource: SYNC_AUDIENCE,
      });
    // The browser navigated away while this answer was on its way: it never saw the new token.
    const lost = await refresh(t.refresh_token);
    expect(lost.status).toBe(200);
    const retried = await refresh(t.refresh_token);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.refresh_token).not.toBe(lost.body.refresh_token);
    expect((await verifier(SYNC_AUDIENCE).verify(String(retried.body.access_token))).sub).toBe(alice.id);
    // The session goes on from the retried answer.
    const next = await refresh(retried.body.refresh_token);
    expect(next.status).toBe(200);

    // Past the grace (AUTH_REFRESH_REUSE_GRACE_SEC, 30 s by default) the old token is a replay:
    // refused, and the whole grant is revoked, as oidc-provider's reuse detection does.
    const db = connect({ url: auth.tdb.url, schema: AUTH_SCHEMA, max: 1 });
    try {
      await db.sql`update oidc_models set consumed_at = now() - interval '31 seconds'
        where kind = 'RefreshToken' and id = ${String(retried.body.refresh_token)}`;
    } finally {
      await db.close();
    }
    const replay = await refresh(retried.body.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await refresh(next.body.refresh_token)).status).toBe(400);
  });

  it('without a resource gets an opaque token that works at userinfo', async () => {
    // A fresh user: no earlier grant with a resource for this client.
    const bob = await auth.createUser({ username: 'bob' });
    const t = await webLogin('openid profile email', null, bob);
    const res = await fetch(`${auth.baseUrl}/me`, {
      headers: { authorization: `Bearer ${String(t.access_token)}` },
    });
    expect(res.status, `${String(t.access_token)} ${res.headers.get('www-authenticate')}`).toBe(200);
    expect(await res.json()).toMatchObject({
      sub: bob.id,
      preferred_username: 'bob',
      email: bob.email,
      email_verified: true,
    });
  });

  it('refuses a public client without PKCE', async () => {
    const client = new CookieClient();
    client.stopAt = (u) => u.startsWith(WEB_REDIRECT);
    const page = await client.get(
      authorizeUrl({
        baseUrl: auth.baseUrl,
        clientId: 'web',
        redirectUri: WEB_REDIRECT,
        scope: 'openid',
        pkce: false,
      }),
    );
    const back = new URL(page.url);
    expect(back.toString().startsWith(WEB_REDIRECT)).toBe(true);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('shows an error page, and no redirect, for an unregistered redirect_uri', async () => {
    const { challenge } = pkcePair();
    const res = await fetch(
      authorizeUrl({
        baseUrl: auth.baseUrl,
        clientId: 'web',
        redirectUri: 'https://evil.example/cb',
        scope: 'openid',
        pkce: { challenge },
      }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(text).toContain('redirect_uri');
    expect(text).not.toContain('evil.example/cb?');
  });
});

describe('bots client', () => {
  it('gets client_credentials tokens for sync (default) and credits', async () => {
    const auth_ = basic('bots', DEV_SECRETS.botsClientSecret);
    const sync = await token({ grant_type: 'client_credentials', scope: 'sync' }, auth_);
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    const v = await verifier(SYNC_AUDIENCE).verify(String(sync.body.access_token));
    expect(v.sub).toBe('bots');
    const credits = await token(
      { grant_type: 'client_credentials', scope: 'credits', resource: CREDITS_AUDIENCE },
      auth_,
    );
    expect(credits.status).toBe(200);
    expect((await verifier(CREDITS_AUDIENCE).verify(String(credits.body.access_token))).scopes).toEqual([
      'credits',
    ]);
    const admin = await token(
      { grant_type: 'client_credentials', scope: 'credits:admin', resource: CREDITS_AUDIENCE },
      auth_,
    );
    expect(admin.status).toBe(400);
    expect(admin.body.error).toBe('invalid_scope');
    const wrongSecret = await token({ grant_type: 'client_credentials' }, basic('bots', 'nope'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe('invalid_client');
  });

  it('exchanges a token for @alice that shared/auth-client accepts, with act.sub = bots', async () => {
    const exchanger = createTokenExchanger({
      tokenEndpoint: `${auth.baseUrl}/token`,
      clientId: 'bots',
      clientSecret: DEV_SECRETS.botsClientSecret,
    });
    const { accessToken, expiresAt } = await exchanger.exchange('@alice:mana.test');
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(900_000);
    for (const aud of [SYNC_AUDIENCE, CREDITS_AUDIENCE]) {
      const v = await verifier(aud).verify(accessToken);
      expect(v.sub).toBe(alice.id);
      expect(v.actor).toEqual({ sub: 'bots' });
      expect(v.scopes.sort()).toEqual(['credits', 'sync']);
    }
    const claims = decodeJwt(accessToken);
    expect(claims.aud).toEqual([SYNC_AUDIENCE, CREDITS_AUDIENCE]);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(900);
    // One audience when asked for one.
    const onlySync = createTokenExchanger({
      tokenEndpoint: `${auth.baseUrl}/token`,
      clientId: 'bots',
      clientSecret: DEV_SECRETS.botsClientSecret,
      audience: SYNC_AUDIENCE,
    });
    const t = await onlySync.exchange('@alice:mana.test');
    expect(decodeJwt(t.accessToken).aud).toBe(SYNC_AUDIENCE);
    expect(decodeJwt(t.accessToken).scope).toBe('sync');
  });

  it('refuses unknown, unverified and foreign-server users, and every other client', async () => {
    const exchanger = createTokenExchanger({
      tokenEndpoint: `${auth.baseUrl}/token`,
      clientId: 'bots',
      clientSecret: DEV_SECRETS.botsClientSecret,
    });
    const unverified = await auth.createUser({ username: 'unverified', verify: false });
    for (const who of [
      '@nobody:mana.test',
      `@${unverified.username}:mana.test`,
      '@alice:other.server',
      'alice',
    ]) {
      await expect(exchanger.exchange(who), who).rejects.toThrow(/token exchange refused: invalid_grant/);
    }
    const body = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: '@alice:mana.test',
      subject_token_type: MATRIX_USER_TOKEN_TYPE,
    };
    const web = await token({ ...body, client_id: 'web' });
    // oidc-provider refuses a grant type outside the client's metadata before our handler runs.
    expect(web.status).toBe(400);
    expect(web.body).toMatchObject({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
    expect(web.body.access_token).toBeUndefined();
    const synapse = await token(body, basic('synapse', DEV_SECRETS.synapseClientSecret));
    expect(synapse.status).toBe(400);
    expect(synapse.body.error_description).toBe('requested grant type is not allowed for this client');
    const wrongType = await token(
      { ...body, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' },
      basic('bots', DEV_SECRETS.botsClientSecret),
    );
    expect(wrongType.body.error).toBe('invalid_request');
  });
});

describe('token verification (shared/auth-client against real tokens)', () => {
  it('rejects alg none, HS256 signed with the public key, and a wrong aud or iss', async () => {
    const t = await token(
      { grant_type: 'client_credentials', scope: 'sync' },
      basic('bots', DEV_SECRETS.botsClientSecret),
    );
    const real = String(t.body.access_token);
    const [, payload] = real.split('.');
    expect(await codeOf(verifier(SYNC_AUDIENCE).verify(real))).toBe('accepted');
    const noneHeader = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    expect(await codeOf(verifier(SYNC_AUDIENCE).verify(`${noneHeader}.${payload}.`))).toBe('ERR_TOKEN_ALG');
    const jwks = (await (await fetch(`${auth.baseUrl}/jwks`)).json()) as {
      keys: { x: string; kid: string }[];
    };
    const key = jwks.keys[0]!;
    const hsHeader = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }));
    for (const secret of [key.x, JSON.stringify(key), Buffer.from(key.x, 'base64url').toString('latin1')]) {
      const mac = createHmac('sha256', secret).update(`${hsHeader}.${payload}`).digest('base64url');
      expect(await codeOf(verifier(SYNC_AUDIENCE).verify(`${hsHeader}.${payload}.${mac}`))).toBe(
        'ERR_TOKEN_ALG',
      );
    }
    expect(await codeOf(verifier(CREDITS_AUDIENCE).verify(real))).toBe('ERR_TOKEN_AUDIENCE');
    const otherIss = createTokenVerifier({
      issuer: `${auth.baseUrl}/`,
      audience: SYNC_AUDIENCE,
      jwksUri: `${auth.baseUrl}/jwks`,
    });
    expect(await codeOf(otherIss.verify(real))).toBe('ERR_TOKEN_ISSUER');
  });
});
