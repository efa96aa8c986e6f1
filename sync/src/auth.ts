/**
 * Who is calling and which apps they may touch. The user is always the token's `sub`; scope `sync`
 * grants every app, `sync:<app>` one app (bots get those from token exchange, with `act`).
 */
import {
  AuthClientError,
  createCachedVerifier,
  type CachedTokenVerifier,
  type TokenCacheOptions,
  type TokenVerifier,
} from '@mana/auth-client';
import { ErrCode, HttpError } from '@mana/http';
import { SyncErrCode } from '@mana/sync-protocol';
import { syncError } from './errors.ts';

export interface Principal {
  userId: string;
  /** `all`, or the apps named by `sync:<app>` scopes. */
  apps: 'all' | ReadonlySet<string>;
  /** The acting client (a bot), when the token came from token exchange. */
  actor?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export function principalOf(token: {
  sub: string;
  scopes: string[];
  actor?: { sub: string };
  expiresAt: number;
}): Principal {
  const apps = token.scopes.includes('sync')
    ? 'all'
    : new Set(token.scopes.filter((s) => s.startsWith('sync:')).map((s) => s.slice('sync:'.length)));
  return {
    userId: token.sub,
    apps,
    ...(token.actor ? { actor: token.actor.sub } : {}),
    expiresAt: token.expiresAt,
  };
}

export function mayUse(p: Principal, appId: string): boolean {
  return p.apps === 'all' || p.apps.has(appId);
}

export function mayUseAny(p: Principal): boolean {
  return p.apps === 'all' || p.apps.size > 0;
}

/** Verifies a token; 401 for missing or refused tokens, 503 when the signing keys cannot be loaded. */
export async function authenticate(verifier: TokenVerifier, token: string | undefined): Promise<Principal> {
  try {
    return principalOf(await verifier.verify(token));
  } catch (err) {
    if (!(err instanceof AuthClientError)) throw err;
    if (err.code === 'ERR_JWKS_UNAVAILABLE')
      throw new HttpError(503, ErrCode.Unknown, 'Cannot verify tokens right now', { cause: err });
    const missing = err.code === 'ERR_TOKEN_MISSING';
    throw new HttpError(
      401,
      missing ? ErrCode.Unauthorized : ErrCode.UnknownToken,
      missing ? 'Missing access token' : `Invalid access token (${err.code})`,
      {
        headers: { 'www-authenticate': 'Bearer' },
        cause: err,
      },
    );
  }
}

export function assertMayUse(p: Principal, appId: string): void {
  if (!mayUse(p, appId)) throw syncError(SyncErrCode.Forbidden, `This token may not use app "${appId}"`);
}

/**
 * Remembers verified tokens until they expire (at most a minute), so a client pushing every few
 * hundred milliseconds costs one signature check per token, not one per request. Bounded, least
 * recently used first out; keyed by a SHA-256 of the token. See `createCachedVerifier`.
 */
export function cachedVerifier(inner: TokenVerifier, options: TokenCacheOptions = {}): CachedTokenVerifier {
  return createCachedVerifier(inner, options);
}
