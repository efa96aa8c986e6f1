/**
 * RFC 8693 token exchange for the `bots` client: "give me a short-lived access token for
 * @alice:server". The subject is named by Matrix ID; the result is an EdDSA JWT with `sub` = the
 * account, `act.sub` = the bot client, `aud` = sync and credits (or the one requested `audience`),
 * scope limited to what the bots client may have.
 *
 * "Linked" means: an account whose username is the Matrix localpart exists on this server name and
 * its email is verified (only then can it have signed in to Synapse through SSO).
 */
import {
  ACCESS_TOKEN_TYPE,
  CREDITS_AUDIENCE,
  MATRIX_USER_TOKEN_TYPE,
  SYNC_AUDIENCE,
  TOKEN_EXCHANGE_GRANT,
} from '@mana/auth-client';
import type Provider from 'oidc-provider';
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import type { Accounts } from '../accounts/accounts.ts';
import { EXCHANGE_GTY, RESOURCE_SCOPES } from './resources.ts';

/** Exchanged tokens that carry both audiences (read by the JWT customizer). */
export const multiAudienceTokens = new WeakSet<object>();

export const EXCHANGE_PARAMS = [
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
  'actor_token',
  'actor_token_type',
];

const MATRIX_ID_RE = /^@([a-z0-9._=\-/+]+):([A-Za-z0-9.\-:[\]]+)$/;

export interface ExchangeOptions {
  accounts: Accounts;
  matrixServerName: string;
  /** Clients allowed to exchange (default: only `bots`). */
  allowedClients: readonly string[];
  ttlSeconds: number;
}

type Params = {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  audience?: string;
  scope?: string;
};

export function registerTokenExchange(provider: Provider, options: ExchangeOptions): void {
  provider.registerGrantType<Params>(
    TOKEN_EXCHANGE_GRANT,
    async (ctx: TokenEndpointGrantContext<Params>) => {
      const { client, params } = ctx.oidc;
      if (!options.allowedClients.includes(client.clientId))
        throw new errors.UnauthorizedClient('this client may not exchange tokens');
      if (params.subject_token_type !== MATRIX_USER_TOKEN_TYPE)
        throw new errors.InvalidRequest(`subject_token_type must be ${MATRIX_USER_TOKEN_TYPE}`);
      if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
      const m = MATRIX_ID_RE.exec(params.subject_token ?? '');
      // One answer for every refusal, so the endpoint does not tell which Matrix IDs have accounts.
      const unknown = () => new errors.InvalidGrant('the subject is not a linked Mana account');
      if (!m || m[2] !== options.matrixServerName) throw unknown();
      const account = await options.accounts.findByUsername(m[1] ?? '');
      if (!account || !account.emailVerified) throw unknown();

      let audiences: string[];
      if (params.audience) {
        if (!(params.audience in RESOURCE_SCOPES)) throw new errors.InvalidTarget('unknown audience');
        audiences = [params.audience];
      } else audiences = [SYNC_AUDIENCE, CREDITS_AUDIENCE];

      const clientScopes = new Set((client.scope ?? '').split(' ').filter(Boolean));
      const resourceScopes = new Set(audiences.flatMap((a) => (RESOURCE_SCOPES[a] ?? '').split(' ')));
      const requested = params.scope
        ? params.scope.split(' ').filter(Boolean)
        : [...clientScopes].filter((s) => resourceScopes.has(s));
      for (const s of requested)
        if (!clientScopes.has(s) || !resourceScopes.has(s))
          throw new errors.InvalidScope('scope not allowed', s);
      const scope = requested.join(' ');
      if (!scope) throw new errors.InvalidScope('no scope left for this audience', params.scope ?? '');

      const { Grant, AccessToken, ResourceServer } = ctx.oidc.provider;
      const grant = new Grant({ accountId: account.id, clientId: client.clientId });
      for (const a of audiences) grant.addResourceScope(a, scope);
      const grantId = await grant.save();

      const primary = audiences[0] ?? SYNC_AUDIENCE;
      const token = new AccessToken({
        accountId: account.id,
        client,
        grantId,
        gty: EXCHANGE_GTY,
        scope,
      });
      token.resourceServer = new ResourceServer(primary, {
        scope: [...resourceScopes].join(' '),
        audience: primary,
        accessTokenFormat: 'jwt',
        accessTokenTTL: options.ttlSeconds,
        jwt: { sign: { alg: 'EdDSA' as const } },
      });
      if (audiences.length > 1) multiAudienceTokens.add(token);
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope,
      };
    },
    EXCHANGE_PARAMS,
  );
}
