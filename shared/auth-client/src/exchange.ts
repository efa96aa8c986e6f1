import { AuthClientError } from './errors.ts';
import { ACCESS_TOKEN_TYPE, MATRIX_USER_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './urns.ts';

export interface TokenExchangerOptions {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  /** Resource the token is for (sent as `audience`). */
  audience?: string;
  scope?: string;
  /** Renew this many seconds before expiry. */
  renewBeforeSec?: number;
  fetch?: typeof fetch;
}

export interface ExchangedToken {
  accessToken: string;
  expiresAt: number;
}

export interface TokenExchanger {
  /** A token for that user, cached until shortly before it expires. */
  tokenFor(matrixUserId: string): Promise<string>;
  exchange(matrixUserId: string): Promise<ExchangedToken>;
  forget(matrixUserId: string): void;
}

/**
 * A confidential client (the bots) getting short-lived tokens for the users it acts for.
 *
 * @example
 * const tokens = createTokenExchanger({ tokenEndpoint, clientId: 'bots', clientSecret, audience: 'mana-sync' });
 * const token = await tokens.tokenFor('@alice:mana.test');
 */
export function createTokenExchanger(options: TokenExchangerOptions): TokenExchanger {
  const doFetch = options.fetch ?? fetch;
  const cache = new Map<string, ExchangedToken>();
  const inflight = new Map<string, Promise<ExchangedToken>>();
  const renewBefore = (options.renewBeforeSec ?? 30) * 1000;
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString('base64');

  async function exchange(userId: string): Promise<ExchangedToken> {
    const body = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: userId,
      subject_token_type: MATRIX_USER_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
    });
    if (options.audience) body.set('audience', options.audience);
    if (options.scope) body.set('scope', options.scope);
    const res = await doFetch(options.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const json: unknown = await res.json().catch(() => ({}));
    if (!res.ok || typeof json !== 'object' || json === null || !('access_token' in json)) {
      const error =
        typeof json === 'object' && json !== null && 'error' in json
          ? String(json.error)
          : `HTTP ${res.status}`;
      throw new AuthClientError('ERR_TOKEN_EXCHANGE', `token exchange refused: ${error}`);
    }
    const expiresIn = 'expires_in' in json && typeof json.expires_in === 'number' ? json.expires_in : 300;
    return { accessToken: String(json.access_token), expiresAt: Date.now() + expiresIn * 1000 };
  }

  return {
    exchange,
    forget: (userId) => void cache.delete(userId),
    async tokenFor(userId) {
      const cached = cache.get(userId);
      if (cached && cached.expiresAt - renewBefore > Date.now()) return cached.accessToken;
      let p = inflight.get(userId);
      if (!p) {
        p = exchange(userId).finally(() => inflight.delete(userId));
        inflight.set(userId, p);
      }
      const t = await p;
      cache.set(userId, t);
      return t.accessToken;
    },
  };
}
