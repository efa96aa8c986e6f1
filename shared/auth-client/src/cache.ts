import { createHash } from 'node:crypto';
import type { TokenVerifier, VerifiedToken } from './verify.ts';

export interface TokenCacheOptions {
  /** Most verified tokens remembered; the least recently used goes first. Default 10 000. */
  max?: number;
  /**
   * Longest a verification is reused, in seconds, whatever the token's `exp` says (default 60).
   * Bounds how long a token signed by a key that was since withdrawn from the JWKS stays accepted
   * from the cache; it can never be longer than the token's own `exp`.
   */
  maxAgeSec?: number;
  /** Clock, milliseconds since the epoch (tests). */
  now?: () => number;
}

export interface CachedTokenVerifier extends TokenVerifier {
  /** Entries held now. */
  readonly size: number;
  /** Forgets every verification (e.g. when a signing key is revoked): the next requests re-verify. */
  clear(): void;
}

interface Entry {
  token: VerifiedToken;
  /** Served until this instant (ms): never past `exp`, never past `maxAgeSec` after the check. */
  until: number;
}

/** The cache key: a SHA-256 of the whole compact token, so no token is held in memory as a key. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function frozen(v: VerifiedToken): VerifiedToken {
  Object.freeze(v.scopes);
  if (v.actor) Object.freeze(v.actor);
  Object.freeze(v.payload);
  return Object.freeze(v);
}

/**
 * Remembers successful verifications, keyed by a SHA-256 of the token, so a client's repeated
 * requests with the same token cost a hash and a map lookup instead of an Ed25519 verify.
 *
 * What it never does: serve an entry at or after the token's `exp` (the verifier's clock tolerance
 * is not extended to cached entries: past `exp` the token goes back to the full verifier, which
 * decides with its own tolerance), keep an entry longer than `maxAgeSec`, or remember a failure
 * (every refused token is checked in full each time). A token differing in any byte, a tampered
 * one included, hashes to a different key and is verified in full. Concurrent first requests with
 * one token share one verification. The cached result is frozen: callers cannot alter what the
 * next request sees.
 */
export function createCachedVerifier(
  inner: TokenVerifier,
  { max = 10_000, maxAgeSec = 60, now = () => Date.now() }: TokenCacheOptions = {},
): CachedTokenVerifier {
  if (!(max >= 1)) throw new Error('token cache max must be ≥ 1');
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<VerifiedToken>>();
  // Bumped by clear(): a verification that started before it is not stored after it.
  let epoch = 0;

  const remember = (key: string, v: VerifiedToken, startedEpoch: number) => {
    if (startedEpoch !== epoch) return;
    const until = Math.min(v.expiresAt * 1000, now() + maxAgeSec * 1000);
    if (!(until > now())) return;
    cache.delete(key);
    cache.set(key, { token: v, until });
    while (cache.size > max) {
      const oldest = cache.keys().next();
      if (oldest.done) break;
      cache.delete(oldest.value);
    }
  };

  return {
    async verify(token) {
      if (!token) return inner.verify(token);
      const key = tokenKey(token);
      const hit = cache.get(key);
      if (hit) {
        if (now() < hit.until) {
          // Most recently used moves to the back; eviction takes from the front.
          cache.delete(key);
          cache.set(key, hit);
          return hit.token;
        }
        cache.delete(key);
      }
      const pending = inflight.get(key);
      if (pending) return pending;
      const startedEpoch = epoch;
      const p = inner.verify(token).then((v) => {
        const out = frozen(v);
        remember(key, out, startedEpoch);
        return out;
      });
      inflight.set(key, p);
      try {
        return await p;
      } finally {
        inflight.delete(key);
      }
    },
    get size() {
      return cache.size;
    },
    clear() {
      epoch++;
      cache.clear();
      inflight.clear();
    },
  };
}
