import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  /** Signs an EdDSA access token as the real provider would. */
  sign(claims: {
    sub: string;
    aud: string | string[];
    scope?: string;
    act?: { sub: string };
    expiresIn?: string | number;
    [k: string]: unknown;
  }): Promise<string>;
  /** Publishes a new key (new kid) and signs with it from now on; the old key stays published. */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP JWKS endpoint with Ed25519 keys, for testing services that verify tokens without
 * running the whole auth server. Verification goes through the same code path as production.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  const keys: { kid: string; jwk: JWK; privateKey: CryptoKey }[] = [];
  const addKey = async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = `test-${keys.length + 1}-${Math.random().toString(36).slice(2, 8)}`;
    keys.push({ kid, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }, privateKey });
  };
  await addKey();
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    async sign({ sub, aud, expiresIn = '5m', ...rest }) {
      const key = keys.at(-1);
      if (!key) throw new Error('no key');
      return new SignJWT({ ...rest })
        .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(key.privateKey);
    },
    rotate: addKey,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
