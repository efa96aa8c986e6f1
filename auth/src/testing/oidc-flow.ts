/** Drives the authorization-code flow over HTTP like a browser would (tests, bench). */
import { createHash, randomBytes } from 'node:crypto';
import type { CookieClient, Page } from './cookie-client.ts';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOptions {
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  resource?: string;
  pkce?: { challenge: string } | false;
  extra?: Record<string, string>;
}

export function authorizeUrl(o: AuthorizeOptions): string {
  const u = new URL(`${o.baseUrl}/auth`);
  u.searchParams.set('client_id', o.clientId);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('redirect_uri', o.redirectUri);
  u.searchParams.set('scope', o.scope);
  u.searchParams.set('state', randomBytes(8).toString('hex'));
  if (o.resource) u.searchParams.set('resource', o.resource);
  if (o.pkce) {
    u.searchParams.set('code_challenge', o.pkce.challenge);
    u.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(o.extra ?? {})) u.searchParams.set(k, v);
  return u.toString();
}

/** Follows /auth to the login page, signs in, and returns the final redirect to the client. */
export async function signInThroughProvider(
  client: CookieClient,
  start: string,
  user: { email: string; password: string },
  stopAt: (url: string) => boolean,
): Promise<{ login: Page; result: Page }> {
  client.stopAt = stopAt;
  const login = await client.get(start);
  if (!/\/interaction\/[^/]+$/.test(new URL(login.url).pathname))
    throw new Error(`expected the login page, got ${login.status} ${login.url}: ${login.text.slice(0, 300)}`);
  const action = /<form method="post" action="(\/interaction\/[^"]+\/login)"/.exec(login.text)?.[1];
  if (!action) throw new Error('no login form');
  const result = await client.submit(login, `form[action="${action}"]`, {
    email: user.email,
    password: user.password,
  });
  return { login, result };
}
