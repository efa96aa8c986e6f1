/**
 * Signs in to a real Synapse through our provider with the cookie-keeping client, exactly as a
 * browser following redirects would: SSO redirect → our login page → Synapse's callback →
 * loginToken → `m.login.token`.
 */
import { CookieClient } from './cookie-client.ts';
import { signInThroughProvider } from './oidc-flow.ts';

/** Where Synapse sends the browser back with `?loginToken=` (never fetched). */
export const CLIENT_REDIRECT = 'http://client.invalid/after-sso';

export interface SsoResult {
  userId: string;
  accessToken: string;
  deviceId: string;
  /** Every URL the browser went through. */
  hops: string[];
  client: CookieClient;
}

export async function ssoLogin(options: {
  synapseBaseUrl: string;
  user: { email: string; password: string };
  client?: CookieClient;
}): Promise<SsoResult> {
  const client = options.client ?? new CookieClient();
  const start = `${options.synapseBaseUrl}/_matrix/client/v3/login/sso/redirect/oidc-mana?redirectUrl=${encodeURIComponent(CLIENT_REDIRECT)}`;
  const { login, result } = await signInThroughProvider(client, start, options.user, (u) =>
    u.startsWith(CLIENT_REDIRECT),
  );
  let loginToken: string | null = null;
  if (result.url.startsWith(CLIENT_REDIRECT)) loginToken = new URL(result.url).searchParams.get('loginToken');
  else {
    // Synapse asks before handing a token to a client it does not know: the link carries it.
    const href = /href="([^"]*loginToken=[^"]*)"/.exec(result.text)?.[1]?.replace(/&amp;/g, '&');
    if (href) loginToken = new URL(href).searchParams.get('loginToken');
  }
  if (!loginToken)
    throw new Error(`no loginToken after SSO: ${result.status} ${result.url}\n${result.text.slice(0, 800)}`);
  const res = await fetch(`${options.synapseBaseUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'm.login.token', token: loginToken }),
  });
  const body = (await res.json()) as {
    user_id?: string;
    access_token?: string;
    device_id?: string;
    error?: string;
  };
  if (!res.ok || !body.user_id || !body.access_token)
    throw new Error(`m.login.token failed: ${res.status} ${JSON.stringify(body)}`);
  return {
    userId: body.user_id,
    accessToken: body.access_token,
    deviceId: body.device_id ?? '',
    hops: [...login.hops, ...result.hops],
    client,
  };
}

export async function whoami(
  synapseBaseUrl: string,
  accessToken: string,
): Promise<{ status: number; userId?: string }> {
  const res = await fetch(`${synapseBaseUrl}/_matrix/client/v3/account/whoami`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const body = (await res.json()) as { user_id?: string };
  return { status: res.status, ...(body.user_id ? { userId: body.user_id } : {}) };
}
