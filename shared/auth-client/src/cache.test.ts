import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuthClientError,
  createCachedVerifier,
  createTokenVerifier,
  tokenKey,
  type TokenVerifier,
} from './index.ts';

const ISS = 'https://auth.example';
const AUD = 'mana-sync';
const T0 = Date.UTC(2026, 0, 1) / 1000;

let privateKey: CryptoKey;
let jwks: JSONWebKeySet;
let full: TokenVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] };
  full = createTokenVerifier({ issuer: ISS, audience: AUD, jwks });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Freezes `Date` (jose reads the clock through it) at `sec` seconds since the epoch. */
function at(sec: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(sec * 1000);
}

function sign(claims: { sub?: string; aud?: string; exp: number; iat?: number }): Promise<string> {
  return new SignJWT({ scope: 'sync' })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer(ISS)
    .setSubject(claims.sub ?? 'u')
    .setAudience(claims.aud ?? AUD)
    .setIssuedAt(claims.iat ?? T0)
    .setExpirationTime(claims.exp)
    .sign(privateKey);
}

/** The full verifier behind a counter. */
function counted(): TokenVerifier & { calls: number } {
  const c = {
    calls: 0,
    verify(token: string | undefined | null) {
      c.calls++;
      return full.verify(token);
    },
  };
  return c;
}

async function outcome(p: Promise<{ sub: string }>): Promise<string> {
  try {
    return `ok:${(await p).sub}`;
  } catch (e) {
    if (e instanceof AuthClientError) return e.code;
    throw e;
  }
}

/** One character of the signature changed: still well-formed, no longer genuine. */
function tamperSignature(token: string): string {
  const i = token.lastIndexOf('.') + 5;
  const ch = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + ch + token.slice(i + 1);
}

/** The payload swapped for another (sub changed), the original signature kept. */
function tamperPayload(token: string): string {
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
  return `${h}.${forged}.${s}`;
}

describe('createCachedVerifier', () => {
  it('a repeated token is served from the cache without a signature check', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner);
    const token = await sign({ exp: T0 + 300 });
    const first = await v.verify(token);
    const second = await v.verify(token);
    expect(inner.calls).toBe(1);
    expect(second).toBe(first);
    expect(second.sub).toBe('u');
    // Frozen: a caller cannot change what the next request sees.
    expect(Object.isFrozen(second) && Object.isFrozen(second.scopes)).toBe(true);
  });

  it('never serves an entry at or past exp: the full verifier decides, with its clock tolerance', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner, { maxAgeSec: 3600 });
    const token = await sign({ exp: T0 + 30 });
    await v.verify(token);
    at(T0 + 29);
    await v.verify(token);
    expect(inner.calls).toBe(1);
    // Past exp but inside the verifier's 5 s tolerance: re-verified (not cached), and accepted.
    at(T0 + 32);
    expect(await outcome(v.verify(token))).toBe('ok:u');
    expect(inner.calls).toBe(2);
    // Past the tolerance: re-verified and refused.
    at(T0 + 40);
    expect(await outcome(v.verify(token))).toBe('ERR_TOKEN_EXPIRED');
    expect(inner.calls).toBe(3);
    expect(await outcome(v.verify(token))).toBe('ERR_TOKEN_EXPIRED');
    expect(inner.calls).toBe(4);
  });

  it('re-verifies after maxAgeSec even when exp is further away (bounds a withdrawn key)', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner, { maxAgeSec: 60 });
    const token = await sign({ exp: T0 + 3600 });
    await v.verify(token);
    at(T0 + 59);
    await v.verify(token);
    expect(inner.calls).toBe(1);
    at(T0 + 60);
    await v.verify(token);
    expect(inner.calls).toBe(2);
  });

  it('a tampered token is a different key: verified in full and refused', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner);
    const token = await sign({ exp: T0 + 300 });
    await v.verify(token);
    for (const bad of [tamperSignature(token), tamperPayload(token), `${token}x`]) {
      expect(tokenKey(bad)).not.toBe(tokenKey(token));
      expect(await outcome(v.verify(bad))).toMatch(/^ERR_TOKEN_(SIGNATURE|MALFORMED)$/);
    }
    expect(inner.calls).toBe(4);
    expect(v.size).toBe(1);
  });

  it('remembers no failure: a refused token is checked in full every time', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner);
    const wrongAud = await sign({ aud: 'other', exp: T0 + 300 });
    for (let i = 0; i < 3; i++) expect(await outcome(v.verify(wrongAud))).toBe('ERR_TOKEN_AUDIENCE');
    expect(await outcome(v.verify(undefined))).toBe('ERR_TOKEN_MISSING');
    expect(inner.calls).toBe(4);
    expect(v.size).toBe(0);
  });

  it('holds at most max entries, evicting the least recently used', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner, { max: 3 });
    const tokens = await Promise.all([0, 1, 2, 3, 4].map((i) => sign({ sub: `u${i}`, exp: T0 + 300 })));
    const [t0, t1, t2, t3, t4] = tokens as [string, string, string, string, string];
    await v.verify(t0);
    await v.verify(t1);
    await v.verify(t2);
    await v.verify(t0); // t0 is now the most recent; t1 the least
    expect(inner.calls).toBe(3);
    await v.verify(t3); // evicts t1
    expect(v.size).toBe(3);
    await v.verify(t0);
    await v.verify(t2);
    expect(inner.calls).toBe(4);
    await v.verify(t1); // evicted: verified again (and evicts t3)
    expect(inner.calls).toBe(5);
    for (const t of tokens) await v.verify(t);
    expect(v.size).toBe(3);
    // A flood of distinct tokens never grows it past the bound.
    for (let i = 0; i < 50; i++) await v.verify(await sign({ sub: `f${i}`, exp: T0 + 300 }));
    expect(v.size).toBe(3);
    void t4;
  });

  it('concurrent first requests share one verification; clear() forces the next one', async () => {
    at(T0);
    const inner = counted();
    const v = createCachedVerifier(inner);
    const token = await sign({ exp: T0 + 300 });
    const all = await Promise.all(Array.from({ length: 10 }, () => v.verify(token)));
    expect(new Set(all.map((x) => x.sub))).toEqual(new Set(['u']));
    expect(inner.calls).toBe(1);
    v.clear();
    expect(v.size).toBe(0);
    await v.verify(token);
    expect(inner.calls).toBe(2);
  });

  it('accepts exactly what the full verifier accepts, at every instant (property)', async () => {
    const base = [
      await sign({ sub: 'a', exp: T0 + 10 }),
      await sign({ sub: 'b', exp: T0 + 45 }),
      await sign({ sub: 'c', exp: T0 + 200 }),
      await sign({ sub: 'd', aud: 'other', exp: T0 + 200 }),
    ];
    const pool = [...base, ...base.map(tamperSignature), ...base.map(tamperPayload), 'not.a.jwt', ''];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          max: fc.integer({ min: 1, max: 4 }),
          maxAgeSec: fc.integer({ min: 1, max: 120 }),
          steps: fc.array(
            fc.record({
              advance: fc.integer({ min: 0, max: 15 }),
              token: fc.integer({ min: 0, max: pool.length - 1 }),
            }),
            { minLength: 1, maxLength: 40 },
          ),
        }),
        async ({ max, maxAgeSec, steps }) => {
          let t = T0;
          at(t);
          const v = createCachedVerifier(full, { max, maxAgeSec });
          for (const s of steps) {
            t += s.advance;
            at(t);
            const token = pool[s.token];
            const [cached, reference] = [await outcome(v.verify(token)), await outcome(full.verify(token))];
            expect(cached).toBe(reference);
            expect(v.size).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
