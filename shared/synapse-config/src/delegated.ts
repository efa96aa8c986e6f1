/**
 * The `matrix_authentication_service` section: Synapse hands every access token to our auth
 * server (which plays the Matrix Authentication Service's part, MSC3861) instead of logging users
 * in itself. See the "Delegated auth" flow in ARCHITECTURE.md.
 */

export interface DelegatedAuthOptions {
  /**
   * Where Synapse reaches the auth server: it fetches `<endpoint>/.well-known/openid-configuration`
   * and posts tokens to `<endpoint>/oauth2/introspect`. Usually the issuer, or an internal URL.
   */
  endpoint: string;
  /** The shared secret (in the file, `secret:`). Exactly one of `secret` and `secretPath`. */
  secret?: string;
  /** A file holding the shared secret (`secret_path:`), kept out of `homeserver.yaml`. */
  secretPath?: string;
}

export interface DelegatedAuthConfig {
  enabled: true;
  endpoint: string;
  secret?: string;
  secret_path?: string;
}

export function renderDelegatedAuth(options: DelegatedAuthOptions): DelegatedAuthConfig {
  if (!options.endpoint) throw new Error('delegated auth needs an endpoint');
  if (Boolean(options.secret) === Boolean(options.secretPath))
    throw new Error('delegated auth needs exactly one of secret and secretPath');
  return {
    enabled: true,
    endpoint: options.endpoint.replace(/\/+$/, ''),
    ...(options.secret ? { secret: options.secret } : { secret_path: options.secretPath ?? '' }),
  };
}
