/**
 * Client side of Mana auth: verify access tokens (services) and exchange tokens (bots).
 */
export { AuthClientError, type AuthErrorCode } from './errors.ts';
export { createCachedVerifier, tokenKey, type CachedTokenVerifier, type TokenCacheOptions } from './cache.ts';
export {
  bearerToken,
  createTokenVerifier,
  TOKEN_ALG,
  type TokenVerifier,
  type VerifiedToken,
  type VerifierOptions,
} from './verify.ts';
export {
  createTokenExchanger,
  type ExchangedToken,
  type TokenExchanger,
  type TokenExchangerOptions,
} from './exchange.ts';
export {
  ACCESS_TOKEN_TYPE,
  CREDITS_AUDIENCE,
  MATRIX_AUDIENCE,
  MATRIX_USER_TOKEN_TYPE,
  SYNC_AUDIENCE,
  TOKEN_EXCHANGE_GRANT,
} from './urns.ts';
