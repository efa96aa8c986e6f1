/**
 * The names the token contract is written in, once for every package (auth issues them, services
 * verify them, bots and the web app ask for them). Dependency-free, so the browser can import
 * `@mana/auth-client/urns` without the verifier.
 */

/** Resource indicator (RFC 8707) and `aud` of tokens for the sync service. */
export const SYNC_AUDIENCE = 'urn:mana:sync';
/** Resource indicator and `aud` of tokens for the credits ledger. */
export const CREDITS_AUDIENCE = 'urn:mana:credits';
/** Resource of opaque Matrix access tokens (auth is Synapse's delegated authorization server). */
export const MATRIX_AUDIENCE = 'urn:mana:matrix';

/** RFC 8693 grant type. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** Our subject token type: the subject is named by its Matrix user ID (`@alice:example.org`). */
export const MATRIX_USER_TOKEN_TYPE = 'urn:mana:params:oauth:token-type:matrix-user-id';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
