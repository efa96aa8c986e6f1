import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthClientError } from './errors.ts';

/** The one signature algorithm Mana tokens use (Ed25519 keys, advertised as `EdDSA`). */
export const TOKEN_ALG = 'EdDSA';

export interface VerifierOptions {
  /** Expected `iss`, exactly as the discovery document says. */
  issuer: string;
  /** Expected `aud` (the service verifying, e.g. the sync base URL or `mana-sync`). */
  audience: string | string[];
  /** The provider's JWKS URL; fetched once, cached, refetched on an unknown `kid`. */
  jwksUri?: string;
  /** A fixed key set instead of `jwksUri` (tests, air-gapped tools). */
  jwks?: JSONWebKeySet;
  /**
   * Minimum time between two JWKS fetches triggered by unknown kids; bounds the load a stream of
   * forged kids can cause. The provider publishes a new key before signing with it, so caches catch up.
   */
  jwksCooldownMs?: number;
  /** Seconds of clock skew tolerated on `exp`/`nbf`. */
  clockToleranceSec?: number;
}

export interface VerifiedToken {
  /** The user the token speaks for. */
  sub: string;
  /** Scopes granted (space-separated `scope` claim, split). */
  scopes: string[];
  /** Present when a client acts for the user (RFC 8693 token exchange): the acting client. */
  actor?: { sub: string };
  clientId?: string;
  expiresAt: number;
  payload: JWTPayload;
}

export interface TokenVerifier {
  verify(token: string | undefined | null): Promise<VerifiedToken>;
}

function mapJoseError(err: unknown): AuthClientError {
  if (err instanceof AuthClientError) return err;
  if (err instanceof joseErrors.JWTExpired)
    return new AuthClientError('ERR_TOKEN_EXPIRED', 'token expired', { cause: err });
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss')
      return new AuthClientError('ERR_TOKEN_ISSUER', 'unexpected issuer', { cause: err });
    if (err.claim === 'aud')
      return new AuthClientError('ERR_TOKEN_AUDIENCE', 'unexpected audience', { cause: err });
    return new AuthClientError('ERR_TOKEN_CLAIMS', `invalid claim ${err.claim}`, { cause: err });
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported)
    return new AuthClientError('ERR_TOKEN_ALG', 'token algorithm not allowed', { cause: err });
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)
    return new AuthClientError('ERR_TOKEN_SIGNATURE', 'signature verification failed', { cause: err });
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid)
    return new AuthClientError('ERR_JWKS_UNAVAILABLE', 'could not load the signing keys', { cause: err });
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return new AuthClientError('ERR_TOKEN_MALFORMED', 'malformed token', { cause: err });
  if (err instanceof TypeError || (err instanceof Error && /fetch|ECONNREFUSED/i.test(err.message)))
    return new AuthClientError('ERR_JWKS_UNAVAILABLE', 'could not load the signing keys', { cause: err });
  return new AuthClientError('ERR_TOKEN_MALFORMED', 'invalid token', { cause: err });
}

/**
 * Verifies Mana access tokens: signature against the provider's JWKS, alg `EdDSA` only (so `none` and
 * HS256-with-the-public-key are refused before any key is used), exact `iss` and `aud`, expiry.
 *
 * @example
 * const verifier = createTokenVerifier({ issuer: 'http://localhost:3001', audience: 'mana-sync', jwksUri: 'http://localhost:3001/jwks' });
 * const { sub, actor } = await verifier.verify(bearerToken(req.headers.get('authorization')));
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  let keys: JWTVerifyGetKey;
  if (options.jwks) keys = createLocalJWKSet(options.jwks);
  else if (options.jwksUri)
    keys = createRemoteJWKSet(new URL(options.jwksUri), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
    });
  else throw new Error('createTokenVerifier needs jwksUri or jwks');
  return {
    async verify(token) {
      if (!token) throw new AuthClientError('ERR_TOKEN_MISSING', 'no access token');
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: [TOKEN_ALG],
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: options.clockToleranceSec ?? 5,
          requiredClaims: ['sub', 'exp'],
        });
        const sub = payload.sub;
        if (typeof sub !== 'string' || sub.length === 0)
          throw new AuthClientError('ERR_TOKEN_CLAIMS', 'missing sub');
        const act = payload.act;
        let actor: { sub: string } | undefined;
        if (act !== undefined) {
          if (typeof act !== 'object' || act === null || !('sub' in act) || typeof act.sub !== 'string')
            throw new AuthClientError('ERR_TOKEN_CLAIMS', 'malformed act claim');
          actor = { sub: act.sub };
        }
        const scope = typeof payload.scope === 'string' ? payload.scope : '';
        const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
        return {
          sub,
          scopes: scope.split(' ').filter(Boolean),
          ...(actor ? { actor } : {}),
          ...(clientId ? { clientId } : {}),
          expiresAt: payload.exp ?? 0,
          payload,
        };
      } catch (err) {
        throw mapJoseError(err);
      }
    },
  };
}

/** `Authorization: Bearer <token>` → token, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return m?.[1];
}
