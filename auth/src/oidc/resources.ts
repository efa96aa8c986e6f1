/** The token contract other services rely on: resource indicators (audiences) and their scopes. */
import { CREDITS_AUDIENCE, SYNC_AUDIENCE } from '@mana/auth-client';

export const SYNC_APPS = ['todo', 'calendar', 'clock', 'zitare', 'settings', 'chat'] as const;
export const RESOURCE_SCOPES: Record<string, string> = {
  [SYNC_AUDIENCE]: ['sync', ...SYNC_APPS.map((a) => `sync:${a}`)].join(' '),
  [CREDITS_AUDIENCE]: 'credits credits:admin',
};
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];
export const ALL_SCOPES = [...OIDC_SCOPES, ...Object.values(RESOURCE_SCOPES).flatMap((s) => s.split(' '))];

/** `gty` recorded on exchanged access tokens. */
export const EXCHANGE_GTY = 'token_exchange';
