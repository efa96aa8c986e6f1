/**
 * Synapse in delegated mode (`matrix_authentication_service` → our auth server) and the auth server
 * in `AUTH_MATRIX_MODE=delegated`, sharing one random secret; plus a headless Matrix client that
 * logs in exactly as Element X does, with matrix-js-sdk's `OAuth2` helpers: discovery through
 * `/_matrix/client/v1/auth_metadata`, dynamic registration, code + PKCE with a loopback redirect.
 */
import { randomBytes } from 'node:crypto';
import { createClient, OAuth2, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import { freePort, startSynapse, type SynapseHandle } from '@mana/testing';
import { CookieClient, startTestAuth, type Page, type TestAuth } from '@mana/auth/testing';

export interface DelegatedStack {
  synapse: SynapseHandle;
  auth: TestAuth;
  secret: string;
  close(): Promise<void>;
}

export async function startDelegatedStack(env: Record<string, string> = {}): Promise<DelegatedStack> {
  const secret = randomBytes(32).toString('hex');
  // Synapse needs auth's URL in its config, auth needs Synapse's: fix auth's port first.
  const port = await freePort();
  const synapse = await startSynapse({ delegatedAuth: { endpoint: `http://127.0.0.1:${port}`, secret } });
  try {
    const auth = await startTestAuth({
      port,
      label: 'deleg',
      env: {
        AUTH_SYNAPSE_BASE_URL: synapse.baseUrl,
        AUTH_MATRIX_SERVER_NAME: synapse.serverName,
        AUTH_MATRIX_MODE: 'delegated',
        AUTH_MATRIX_SHARED_SECRET: secret,
        AUTH_REGISTER_PER_IP_PER_HOUR: '1000',
        ...env,
      },
    });
    return {
      synapse,
      auth,
      secret,
      async close() {
        await auth.close();
        await synapse.stop();
      },
    };
  } catch (err) {
    await synapse.stop();
    throw err;
  }
}

/** What Element X registers (its metadata, with a loopback redirect as desktop clients use). */
export const ELEMENT_X = {
  client_name: 'Element X',
  client_uri: 'https://element.io',
  logo_uri: 'https://element.io/mobile-icon.png',
  tos_uri: 'https://element.io/acceptable-use-policy-terms',
  policy_uri: 'https://element.io/privacy',
  application_type: 'native' as const,
  redirect_uris: ['http://127.0.0.1/callback', 'io.element.elementx:/callback'] as [string, ...string[]],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] as [
    string,
    ...string[],
  ],
  response_types: ['code'] as [string, ...string[]],
  token_endpoint_auth_method: 'none',
};

export async function discover(synapseBaseUrl: string): Promise<ValidatedAuthMetadata> {
  return createClient({ baseUrl: synapseBaseUrl }).getAuthMetadata();
}

export interface MatrixLogin {
  oauth: OAuth2;
  clientId: string;
  deviceId: string;
  accessToken: string;
  refreshToken: string;
  /** Every URL the browser went through. */
  hops: string[];
  browser: CookieClient;
}

/** Submits the consent form on `page` when it is one. */
async function consentIfAsked(browser: CookieClient, page: Page): Promise<Page> {
  const action = /<form method="post" action="(\/interaction\/[^"]+\/consent)"/.exec(page.text)?.[1];
  if (!action) return page;
  return browser.submit(page, `form[action="${action}"]`, { decision: 'allow' });
}

/** The whole Element X login: authorization code + PKCE through our login and consent pages. */
export async function loginLikeElementX(options: {
  metadata: ValidatedAuthMetadata;
  clientId: string;
  user: { email: string; password: string };
  browser?: CookieClient;
  prompt?: string;
  /** Runs on the page after the redirect to auth (e.g. registration for prompt=create). */
  onFirstPage?: (browser: CookieClient, page: Page) => Promise<Page>;
}): Promise<MatrixLogin> {
  const oauth = new OAuth2(options.metadata, { clientId: options.clientId });
  // Any loopback port: native clients register the URI without one (RFC 8252).
  const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
  const state = randomBytes(8).toString('hex');
  const url = await oauth.generateAuthorizationCodeGrantUrl(state, redirectUri, 'fragment', options.prompt);
  const browser = options.browser ?? new CookieClient();
  browser.stopAt = (u) => u.startsWith(redirectUri);
  let page = await browser.get(url);
  const hops = [...page.hops];
  if (options.onFirstPage) {
    page = await options.onFirstPage(browser, page);
    hops.push(...page.hops);
  }
  const loginAction = /<form method="post" action="(\/interaction\/[^"]+\/login)"/.exec(page.text)?.[1];
  if (loginAction) {
    page = await browser.submit(page, `form[action="${loginAction}"]`, {
      email: options.user.email,
      password: options.user.password,
    });
    hops.push(...page.hops);
  }
  page = await consentIfAsked(browser, page);
  hops.push(...page.hops);
  if (!page.url.startsWith(redirectUri))
    throw new Error(`no redirect back to the client: ${page.status} ${page.url}\n${page.text.slice(0, 600)}`);
  const answer = new URLSearchParams(new URL(page.url).hash.slice(1));
  if (answer.get('state') !== state) throw new Error(`state mismatch in ${page.url}`);
  const code = answer.get('code');
  if (!code) throw new Error(`no code in ${page.url}`);
  const tokens = await oauth.completeAuthorizationCodeGrant(code, redirectUri);
  if (!tokens.refresh_token) throw new Error('no refresh token');
  return {
    oauth,
    clientId: options.clientId,
    deviceId: oauth.context.deviceId,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    hops,
    browser,
  };
}

export async function matrixGet(
  synapseBaseUrl: string,
  path: string,
  accessToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${synapseBaseUrl}${path}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

export async function introspect(
  authBaseUrl: string,
  token: string,
  secret: string | undefined,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${authBaseUrl}/oauth2/introspect`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
