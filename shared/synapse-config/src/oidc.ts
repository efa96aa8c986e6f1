/**
 * The `oidc_providers` entry that delegates Synapse's login to our auth server (see the
 * "Synapse SSO login" flow in ARCHITECTURE.md).
 */

/** Our auth server as seen by Synapse. */
export interface OidcProviderOptions {
  /**
   * The auth server's issuer, exactly as its discovery document says (`BASE_URL` of `auth/`),
   * e.g. `https://auth.example.org`. Synapse fetches `<issuer>/.well-known/openid-configuration`.
   */
  issuer: string;
  /** Secret of the `synapse` confidential client registered at the auth server. */
  clientSecret: string;
  /** Client id registered at the auth server. Default `synapse`. */
  clientId?: string;
  /**
   * Skip Synapse's checks of the discovery document. Only for tests, where the issuer is plain
   * `http://127.0.0.1:…` and Synapse (authlib) would otherwise refuse a non-https issuer.
   * Default false.
   */
  skipVerification?: boolean;
}

/** The idp id in our config; Synapse prefixes it, so URLs say `oidc-mana`. */
export const OIDC_IDP_ID = 'mana';

/** The path Element follows to start an SSO login with our auth server. */
export const SSO_REDIRECT_PATH = `/_matrix/client/v3/login/sso/redirect/oidc-${OIDC_IDP_ID}`;

export interface OidcProviderConfig {
  idp_id: string;
  idp_name: string;
  discover: true;
  issuer: string;
  client_id: string;
  client_secret: string;
  client_auth_method: 'client_secret_basic';
  scopes: string[];
  user_profile_method: 'userinfo_endpoint';
  allow_existing_users: boolean;
  backchannel_logout_enabled: boolean;
  skip_verification?: boolean;
  user_mapping_provider: {
    config: { localpart_template: string; display_name_template: string; email_template: string };
  };
}

export function renderOidcProvider(options: OidcProviderOptions): OidcProviderConfig {
  return {
    idp_id: OIDC_IDP_ID,
    idp_name: 'Mana',
    discover: true,
    issuer: options.issuer,
    client_id: options.clientId ?? 'synapse',
    client_secret: options.clientSecret,
    // Our token endpoint takes the client credentials in the Authorization header.
    client_auth_method: 'client_secret_basic',
    scopes: ['openid', 'profile', 'email'],
    user_profile_method: 'userinfo_endpoint',
    // An account may exist in Synapse before its first SSO login (e.g. created by an admin);
    // the username mapping is the single source of truth, so map onto it instead of failing.
    allow_existing_users: true,
    backchannel_logout_enabled: true,
    ...(options.skipVerification ? { skip_verification: true } : {}),
    user_mapping_provider: {
      config: {
        // The one place that decides which account is @alice:<server_name>.
        localpart_template: '{{ user.preferred_username }}',
        display_name_template: '{{ user.name }}',
        email_template: '{{ user.email }}',
      },
    },
  };
}
