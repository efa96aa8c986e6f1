/**
 * `/.well-known/matrix/client`, served on the server name's domain so clients find the homeserver
 * from a user id alone.
 */

export interface WellKnownClientOptions {
  /** The homeserver's public URL (same as `public_baseurl`). */
  homeserverBaseUrl: string;
  /**
   * Ask Element not to encrypt new rooms and DMs by default (`io.element.e2ee.default: false`).
   * Our bots upload no device keys, so Element already leaves DMs with them unencrypted; this
   * extends that to every new room. Default false (the key is left out, Element's default applies).
   */
  disableE2eeByDefault?: boolean;
  /**
   * Delegated auth: the auth server's issuer and account page (`org.matrix.msc2965.authentication`),
   * for clients that look there before `/_matrix/client/v1/auth_metadata`.
   */
  authentication?: { issuer: string; account?: string };
}

export interface WellKnownClient {
  'm.homeserver': { base_url: string };
  'io.element.e2ee'?: { default: false };
  'org.matrix.msc2965.authentication'?: { issuer: string; account?: string };
}

export function renderWellKnownClient(options: WellKnownClientOptions): WellKnownClient {
  return {
    // Clients append paths themselves; the spec's examples carry no trailing slash.
    'm.homeserver': { base_url: options.homeserverBaseUrl.replace(/\/+$/, '') },
    ...(options.disableE2eeByDefault ? { 'io.element.e2ee': { default: false as const } } : {}),
    ...(options.authentication
      ? {
          'org.matrix.msc2965.authentication': {
            issuer: options.authentication.issuer,
            ...(options.authentication.account ? { account: options.authentication.account } : {}),
          },
        }
      : {}),
  };
}

export function renderWellKnownClientJson(options: WellKnownClientOptions): string {
  return `${JSON.stringify(renderWellKnownClient(options), null, 2)}\n`;
}
