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
  ACCESS_TOKEN_TYPE,
  createTokenExchanger,
  MATRIX_USER_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT,
  type ExchangedToken,
  type TokenExchanger,
  type TokenExchangerOptions,
} from './exchange.ts';
