/** The token contract other services rely on: resource indicators (audiences) and their scopes. */
export const SYNC_AUDIENCE = 'urn:mana:sync';
export const CREDITS_AUDIENCE = 'urn:mana:credits';
export const SYNC_APPS = ['todo', 'calendar', 'clock', 'zitare', 'settings', 'chat'] as const;
export const RESOURCE_SCOPES: Record<string, string> = {
  [SYNC_AUDIENCE]: ['sync', ...SYNC_APPS.map((a) => `sync:${a}`)].join(' '),
  [CREDITS_AUDIENCE]: 'credits credits:admin',
};
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];
export const ALL_SCOPES = [...OIDC_SCOPES, ...Object.values(RESOURCE_SCOPES).flatMap((s) => s.split(' '))];

/** Grant type and token types of RFC 8693 as the bots use them (see @mana/auth-client). */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const MATRIX_USER_TOKEN_TYPE = 'urn:mana:params:oauth:token-type:matrix-user-id';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** `gty` recorded on exchanged access tokens. */
export const EXCHANGE_GTY = 'token_exchange';
