import { startTestIssuer, type TestIssuer } from '@mana/testing';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClientError, bearerToken, createTokenVerifier, type TokenVerifier } from './index.ts';

let issuer: TestIssuer;
let verifier: TokenVerifier;
beforeAll(async () => {
  issuer = await startTestIssuer();
  verifier = createTokenVerifier({
    issuer: issuer.issuer,
    audience: 'mana-sync',
    jwksUri: issuer.jwksUri,
    jwksCooldownMs: 0,
  });
});
afterAll(() => issuer.close());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof AuthClientError) return e.code;
    throw e;
  }
}

function unsigned(header: object, payload: object, sig = ''): string {
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  return `${enc(header)}.${enc(payload)}.${sig}`;
}

describe('createTokenVerifier', () => {
  it('accepts an EdDSA token with the expected iss and aud, exposing sub, scopes and actor', async () => {
    const token = await issuer.sign({
      sub: 'user-1',
      aud: 'mana-sync',
      scope: 'sync:todo credits',
      act: { sub: 'bots' },
    });
    const v = await verifier.verify(token);
    expect(v.sub).toBe('user-1');
    expect(v.scopes).toEqual(['sync:todo', 'credits']);
    expect(v.actor).toEqual({ sub: 'bots' });
  });

  it('refetches the JWKS when a token carries an unknown kid (rotation)', async () => {
    await verifier.verify(await issuer.sign({ sub: 'u', aud: 'mana-sync' }));
    await issuer.rotate();
    const v = await verifier.verify(await issuer.sign({ sub: 'after-rotation', aud: 'mana-sync' }));
    expect(v.sub).toBe('after-rotation');
  });

  it('rejects wrong audience, wrong issuer, expiry, alg none and HS256 signed with the public key', async () => {
    expect(await codeOf(verifier.verify(await issuer.sign({ sub: 'u', aud: 'other' })))).toBe(
      'ERR_TOKEN_AUDIENCE',
    );
    const otherIss = createTokenVerifier({
      issuer: 'https://evil.example',
      audience: 'mana-sync',
      jwksUri: issuer.jwksUri,
    });
    expect(await codeOf(otherIss.verify(await issuer.sign({ sub: 'u', aud: 'mana-sync' })))).toBe(
      'ERR_TOKEN_ISSUER',
    );
    expect(
      await codeOf(
        verifier.verify(
          await issuer.sign({ sub: 'u', aud: 'mana-sync', expiresIn: Math.floor(Date.now() / 1000) - 60 }),
        ),
      ),
    ).toBe('ERR_TOKEN_EXPIRED');
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'u', aud: 'mana-sync', iss: issuer.issuer, iat: now, exp: now + 300 };
    expect(await codeOf(verifier.verify(unsigned({ alg: 'none' }, claims)))).toBe('ERR_TOKEN_ALG');
    // The classic key-confusion attack: HMAC keyed with the published public key.
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: { x: string }[] };
    const pub = jwks.keys[0]?.x ?? '';
    const head = base64url.encode(JSON.stringify({ alg: 'HS256' }));
    const body = base64url.encode(JSON.stringify(claims));
    const mac = createHmac('sha256', pub).update(`${head}.${body}`).digest('base64url');
    expect(await codeOf(verifier.verify(`${head}.${body}.${mac}`))).toBe('ERR_TOKEN_ALG');
  });

  it('rejects a token signed by a key outside the JWKS, garbage and missing tokens', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: (await exportJWK(publicKey)).x ?? 'x' })
      .setIssuer(issuer.issuer)
      .setAudience('mana-sync')
      .setSubject('u')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await codeOf(verifier.verify(foreign))).toBe('ERR_TOKEN_SIGNATURE');
    expect(await codeOf(verifier.verify('not.a.jwt'))).toBe('ERR_TOKEN_MALFORMED');
    expect(await codeOf(verifier.verify(undefined))).toBe('ERR_TOKEN_MISSING');
  });

  it('parses bearer headers strictly', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
