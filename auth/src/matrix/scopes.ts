/**
 * Matrix's OAuth scopes (MSC2967, stable in Matrix 1.15): `urn:matrix:client:api:*` grants the
 * client-server API, `urn:matrix:client:device:<id>` binds the token to one device. Element X still
 * sends the unstable `urn:matrix:org.matrix.msc2967.client:…` forms; both are accepted and kept as
 * sent (Synapse reads either).
 *
 * oidc-provider 9 has no dynamic scopes: the Matrix scopes live on one resource server
 * (`MATRIX_AUDIENCE`, a resource indicator the client never sends — it is the default resource of
 * any request carrying the API scope) whose scope list is computed per request from these rules.
 */
import { randomBytes } from 'node:crypto';

/** Resource indicator (and `aud`) of tokens for Synapse. */

export const MATRIX_API_SCOPES = ['urn:matrix:client:api:*', 'urn:matrix:org.matrix.msc2967.client:api:*'];
export const MATRIX_DEVICE_PREFIXES = [
  'urn:matrix:client:device:',
  'urn:matrix:org.matrix.msc2967.client:device:',
] as const;

/** MSC2967: a device id is made of unreserved URI characters; Synapse allows up to 255. */
const DEVICE_ID_RE = /^[A-Za-z0-9._~-]{1,255}$/;

const split = (scope: string | Iterable<string> | undefined): string[] =>
  scope === undefined ? [] : typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [...scope];

export function deviceOfScope(scope: string): string | undefined {
  for (const prefix of MATRIX_DEVICE_PREFIXES)
    if (scope.startsWith(prefix)) {
      const id = scope.slice(prefix.length);
      return DEVICE_ID_RE.test(id) ? id : undefined;
    }
  return undefined;
}

export const isMatrixApiScope = (scope: string): boolean => MATRIX_API_SCOPES.includes(scope);
export const isMatrixScope = (scope: string): boolean =>
  isMatrixApiScope(scope) || deviceOfScope(scope) !== undefined;

/** The valid Matrix scopes among `scope` (others — OIDC scopes, junk — are left out). */
export function matrixScopes(scope: string | Iterable<string> | undefined): string[] {
  return [...new Set(split(scope).filter(isMatrixScope))];
}

/** Whether a request or token carries the Matrix API scope. */
export function hasMatrixApi(scope: string | Iterable<string> | undefined): boolean {
  return split(scope).some(isMatrixApiScope);
}

/** The device ids named by `scope` (one per token is allowed; more is an error for the caller). */
export function deviceIds(scope: string | Iterable<string> | undefined): string[] {
  return [...new Set(split(scope).flatMap((s) => deviceOfScope(s) ?? []))];
}

/** Problems with a requested Matrix scope set, or undefined when fine. */
export function matrixScopeProblem(scope: string | Iterable<string> | undefined): string | undefined {
  const scopes = split(scope);
  if (scopes.some((s) => s.startsWith('urn:synapse:admin:'))) return 'Synapse admin scopes are not granted';
  const bad = scopes.find(
    (s) => MATRIX_DEVICE_PREFIXES.some((p) => s.startsWith(p)) && deviceOfScope(s) === undefined,
  );
  if (bad) return 'malformed Matrix device scope';
  if (deviceIds(scopes).length > 1) return 'only one Matrix device may be requested';
  return undefined;
}

/** A fresh device id, as Synapse makes them (10 upper-case letters). */
export function newDeviceId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...randomBytes(10)].map((b) => alphabet[b % 26]).join('');
}

/** The device authorization grant (RFC 8628). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
