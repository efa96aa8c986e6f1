/**
 * Signing in: OIDC authorization code + PKCE (S256) against the auth server through oauth4webapi,
 * and silent refresh with the refresh token. Access tokens are per resource (RFC 8707): one for
 * sync (`urn:mana:sync`), one for credits (`urn:mana:credits`).
 *
 * The session lives in localStorage so every tab shares it. Refresh tokens of public clients rotate
 * (reusing an old one revokes the grant, once the auth server's short reuse grace for answers lost to
 * a navigation is over), so refreshing happens under a Web Lock and re-reads the stored session
 * first: two tabs never refresh with the same token.
 */
import { CREDITS_AUDIENCE, SYNC_AUDIENCE } from '@mana/auth-client/urns';
import * as oauth from 'oauth4webapi';
import { SyncClientError } from '@mana/sync-client';
import { z } from 'zod';
import type { AppConfig } from './config.ts';
import { withLock } from './locks.ts';

const SCOPE = 'openid profile email offline_access sync credits';
export const SESSION_KEY = 'mana:session';
const PENDING_KEY = 'mana:signin';
/** Refresh this long before the access token expires. */
const EARLY_MS = 30_000;

const storedSessionSchema = z.object({
  sub: z.string().min(1),
  username: z.string().nullable(),
  email: z.string().nullable(),
  idToken: z.string(),
  refreshToken: z.string().nullable(),
  access: z.record(z.string(), z.object({ token: z.string(), expiresAt: z.number() })),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;

const pendingSchema = z.object({ state: z.string(), verifier: z.string(), returnTo: z.string() });

export class SessionError extends Error {
  /** `ERR_SESSION_EXPIRED`: sign in again; `ERR_SIGNIN`: the sign-in round trip failed. */
  readonly code: 'ERR_SESSION_EXPIRED' | 'ERR_SIGNIN';
  constructor(code: SessionError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
    this.code = code;
  }
}

export function readSession(storage: Storage = localStorage): StoredSession | null {
  const raw = storage.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const parsed = storedSessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function writeSession(s: StoredSession | null) {
  if (s) localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else localStorage.removeItem(SESSION_KEY);
}

/** A fetch failure (offline, DNS, CORS) is a `network` error, so the sync engine reports "offline". */
function isNetworkFailure(err: unknown): boolean {
  return (
    err instanceof TypeError ||
    (err instanceof oauth.OperationProcessingError && err.cause instanceof TypeError)
  );
}

export interface Session {
  readonly current: StoredSession | null;
  /** Redirects to the auth login page; `returnTo` is the hash route to come back to. */
  signIn(returnTo?: string): Promise<never>;
  /** On `/auth/callback`: checks state, exchanges the code, stores the session. Returns `returnTo`. */
  completeSignIn(url: URL): Promise<string>;
  /** A valid access token for the resource, refreshed silently when needed. */
  getToken(resource: string): Promise<string>;
  /** Forgets the session here and returns the auth server's end-session URL (or null). */
  signOut(): Promise<string | null>;
}

export function createSession(config: AppConfig): Session {
  const issuer = new URL(config.authIssuer);
  const client: oauth.Client = { client_id: config.clientId, id_token_signed_response_alg: 'EdDSA' };
  const clientAuth = oauth.None();
  const insecure = issuer.protocol === 'http:';
  const opts = { [oauth.allowInsecureRequests]: insecure };
  let as: Promise<oauth.AuthorizationServer> | undefined;

  const discover = () =>
    (as ??= (async () => {
      const res = await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oidc' });
      return oauth.processDiscoveryResponse(issuer, res);
    })().catch((err: unknown) => {
      as = undefined;
      throw err;
    }));

  async function refresh(session: StoredSession, resource: string): Promise<StoredSession> {
    if (!session.refreshToken) throw new SessionError('ERR_SESSION_EXPIRED', 'no refresh token');
    const server = await discover();
    const res = await oauth.refreshTokenGrantRequest(server, client, clientAuth, session.refreshToken, {
      ...opts,
      additionalParameters: { resource },
    });
    let result: oauth.TokenEndpointResponse;
    try {
      result = await oauth.processRefreshTokenResponse(server, client, res);
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant') {
        writeSession(null);
        throw new SessionError('ERR_SESSION_EXPIRED', 'the session has expired', { cause: err });
      }
      throw err;
    }
    const next: StoredSession = {
      ...session,
      refreshToken: result.refresh_token ?? session.refreshToken,
      access: {
        ...session.access,
        [resource]: { token: result.access_token, expiresAt: Date.now() + (result.expires_in ?? 300) * 1000 },
      },
    };
    writeSession(next);
    return next;
  }

  const fresh = (s: StoredSession | null, resource: string) => {
    const a = s?.access[resource];
    return a && a.expiresAt - EARLY_MS > Date.now() ? a.token : undefined;
  };

  return {
    get current() {
      return readSession();
    },
    async signIn(returnTo = location.hash || '#/todo') {
      const server = await discover();
      if (!server.authorization_endpoint)
        throw new SessionError('ERR_SIGNIN', 'the issuer has no authorization endpoint');
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, returnTo }));
      const url = new URL(server.authorization_endpoint);
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', config.redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', SCOPE);
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('state', state);
      url.searchParams.append('resource', SYNC_AUDIENCE);
      url.searchParams.append('resource', CREDITS_AUDIENCE);
      url.searchParams.set('ui_locales', document.documentElement.lang || 'en');
      location.assign(url.href);
      return new Promise<never>(() => {});
    },
    async completeSignIn(url) {
      const pending = pendingSchema.safeParse(JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null'));
      sessionStorage.removeItem(PENDING_KEY);
      if (!pending.success) throw new SessionError('ERR_SIGNIN', 'no sign-in in progress in this tab');
      try {
        const server = await discover();
        const params = oauth.validateAuthResponse(server, client, url, pending.data.state);
        const res = await oauth.authorizationCodeGrantRequest(
          server,
          client,
          clientAuth,
          params,
          config.redirectUri,
          pending.data.verifier,
          {
            ...opts,
            additionalParameters: { resource: SYNC_AUDIENCE },
          },
        );
        const result = await oauth.processAuthorizationCodeResponse(server, client, res, {
          requireIdToken: true,
        });
        const claims = oauth.getValidatedIdTokenClaims(result);
        if (!claims || !result.id_token) throw new SessionError('ERR_SIGNIN', 'no id_token');
        writeSession({
          sub: claims.sub,
          username: typeof claims.preferred_username === 'string' ? claims.preferred_username : null,
          email: typeof claims.email === 'string' ? claims.email : null,
          idToken: result.id_token,
          refreshToken: result.refresh_token ?? null,
          access: {
            [SYNC_AUDIENCE]: {
              token: result.access_token,
              expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
            },
          },
        });
        return pending.data.returnTo;
      } catch (err) {
        if (err instanceof SessionError) throw err;
        const detail =
          err instanceof oauth.AuthorizationResponseError || err instanceof oauth.ResponseBodyError
            ? err.error
            : err instanceof Error
              ? err.message
              : String(err);
        throw new SessionError('ERR_SIGNIN', detail, { cause: err });
      }
    },
    async getToken(resource) {
      const quick = fresh(readSession(), resource);
      if (quick) return quick;
      try {
        return await withLock('mana:token-refresh', async () => {
          const s = readSession();
          if (!s) throw new SessionError('ERR_SESSION_EXPIRED', 'signed out');
          return fresh(s, resource) ?? (await refresh(s, resource)).access[resource]!.token;
        });
      } catch (err) {
        if (isNetworkFailure(err))
          throw new SyncClientError('network', 'auth server unreachable', { cause: err });
        throw err;
      }
    },
    async signOut() {
      const s = readSession();
      writeSession(null);
      if (!s) return null;
      try {
        const server = await discover();
        if (!server.end_session_endpoint) return null;
        const url = new URL(server.end_session_endpoint);
        url.searchParams.set('client_id', config.clientId);
        url.searchParams.set('id_token_hint', s.idToken);
        url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);
        return url.href;
      } catch {
        return null;
      }
    },
  };
}
