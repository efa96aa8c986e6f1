/**
 * What a Matrix client may register (RFC 7591, with the rules of MSC2966 that the Matrix
 * ecosystem — and the Matrix Authentication Service — apply): every client names its `client_uri`;
 * web clients redirect over https to that host (or a subdomain); native clients to a loopback
 * `http` URI on any port, a private-use scheme that is the reverse domain of `client_uri`, or a
 * claimed https URI on its host; only the code, refresh and device grants; public clients use PKCE.
 */
import { DEVICE_CODE_GRANT } from './scopes.ts';

export const MATRIX_GRANT_TYPES = new Set(['authorization_code', 'refresh_token', DEVICE_CODE_GRANT]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface RegistrationMetadata {
  application_type?: unknown;
  client_uri?: unknown;
  redirect_uris?: unknown;
  grant_types?: unknown;
  response_types?: unknown;
  token_endpoint_auth_method?: unknown;
  logo_uri?: unknown;
  tos_uri?: unknown;
  policy_uri?: unknown;
}

const onHost = (host: string, base: string): boolean => host === base || host.endsWith(`.${base}`);
const reverseDomain = (host: string): string => host.split('.').reverse().join('.');

/** Why the metadata breaks a Matrix rule, or undefined when it is fine. */
export function matrixRegistrationProblem(m: RegistrationMetadata): string | undefined {
  if (typeof m.client_uri !== 'string') return 'client_uri is required';
  const clientUri = URL.parse(m.client_uri);
  if (!clientUri || clientUri.protocol !== 'https:' || LOOPBACK_HOSTS.has(clientUri.hostname))
    return 'client_uri must be a public https URI';
  const host = clientUri.hostname;
  for (const key of ['logo_uri', 'tos_uri', 'policy_uri'] as const) {
    const value = m[key];
    if (value === undefined) continue;
    const u = typeof value === 'string' ? URL.parse(value) : null;
    if (!u || u.protocol !== 'https:' || !onHost(u.hostname, host))
      return `${key} must be https on the host of client_uri`;
  }
  const grants = Array.isArray(m.grant_types) ? (m.grant_types as unknown[]) : ['authorization_code'];
  const refused = grants.find((g) => typeof g !== 'string' || !MATRIX_GRANT_TYPES.has(g));
  if (refused !== undefined)
    return `grant type ${typeof refused === 'string' ? refused : JSON.stringify(refused)} is not allowed for Matrix clients`;
  const responses = Array.isArray(m.response_types) ? (m.response_types as unknown[]) : ['code'];
  if (responses.some((r) => r !== 'code')) return 'only the code response type is allowed';
  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method !== 'none' && method !== 'client_secret_basic')
    return 'token_endpoint_auth_method must be none (public) or client_secret_basic';
  const redirects = Array.isArray(m.redirect_uris) ? (m.redirect_uris as unknown[]) : [];
  if (grants.includes('authorization_code') && redirects.length === 0) return 'redirect_uris are required';
  const native = m.application_type === 'native';
  for (const raw of redirects) {
    const u = typeof raw === 'string' ? URL.parse(raw) : null;
    if (!u) return 'redirect_uris must be URIs';
    if (!native) {
      if (u.protocol !== 'https:' || !onHost(u.hostname, host))
        return 'web clients must redirect over https to the host of client_uri';
      continue;
    }
    if (u.protocol === 'http:') {
      if (!LOOPBACK_HOSTS.has(u.hostname)) return 'native clients may use http only on a loopback address';
    } else if (u.protocol === 'https:') {
      if (!onHost(u.hostname, host)) return 'claimed https redirects must be on the host of client_uri';
    } else {
      const scheme = u.protocol.slice(0, -1);
      const reversed = reverseDomain(host);
      if (scheme !== reversed && !scheme.startsWith(`${reversed}.`))
        return `a private-use redirect scheme must be the reverse domain of client_uri (${reversed})`;
    }
  }
  return undefined;
}
