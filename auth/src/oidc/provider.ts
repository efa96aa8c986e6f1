/**
 * The OpenID Provider: node-oidc-provider configured for Mana — EdDSA only, static clients from
 * config, resource indicators for sync and credits (JWT access tokens), PKCE for public clients,
 * client_credentials, token exchange, back-channel logout, and our own interaction pages.
 */
import Provider, {
  errors,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { JWK } from 'jose';
import type { Accounts } from '../accounts/accounts.ts';
import type { AuthConfig } from '../config.ts';
import { pickLang, t } from '../pages/i18n.ts';
import { Html, html, layout } from '../pages/html.ts';
import type { AdapterFactory } from './adapter.ts';
import { SIGNING_ALG } from './keys.ts';
import {
  ALL_SCOPES,
  CREDITS_AUDIENCE,
  EXCHANGE_GTY,
  RESOURCE_SCOPES,
  SYNC_AUDIENCE,
  TOKEN_EXCHANGE_GRANT,
} from './resources.ts';
import { multiAudienceTokens, registerTokenExchange } from './token-exchange.ts';

export const CLIENT_IDS = { synapse: 'synapse', web: 'web', bots: 'bots' } as const;

export function synapseUrls(synapseBaseUrl: string): { redirectUri: string; backchannelLogoutUri: string } {
  const base = synapseBaseUrl.replace(/\/+$/, '');
  return {
    redirectUri: `${base}/_synapse/client/oidc/callback`,
    backchannelLogoutUri: `${base}/_synapse/client/oidc/backchannel_logout`,
  };
}

/** The three clients, from config. */
export function clientsFrom(config: AuthConfig): ClientMetadata[] {
  const synapse = synapseUrls(config.synapseBaseUrl);
  const common = { id_token_signed_response_alg: SIGNING_ALG } as const;
  return [
    {
      ...common,
      client_id: CLIENT_IDS.synapse,
      client_secret: config.synapseClientSecret,
      client_name: 'Matrix (Synapse)',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [synapse.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid profile email',
      backchannel_logout_uri: synapse.backchannelLogoutUri,
      backchannel_logout_session_required: true,
    },
    {
      ...common,
      client_id: CLIENT_IDS.web,
      client_name: 'Mana',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      redirect_uris: config.webRedirectUris,
      post_logout_redirect_uris: config.webPostLogoutRedirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: ['openid', 'offline_access', 'profile', 'email', RESOURCE_SCOPES[SYNC_AUDIENCE], 'credits'].join(
        ' ',
      ),
    },
    {
      ...common,
      client_id: CLIENT_IDS.bots,
      client_secret: config.botsClientSecret,
      client_name: 'Mana bots',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      response_types: [],
      grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT],
      scope: config.botsScope,
    },
  ];
}

export interface ProviderOptions {
  config: AuthConfig;
  keys: JWK[];
  adapter: AdapterFactory;
  accounts: Accounts;
  /** Clients to register instead of `clientsFrom(config)` (bench). */
  clients?: ClientMetadata[];
}

function langOfCtx(ctx: KoaContextWithOIDC) {
  return pickLang({
    query: typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined,
    cookie: ctx.cookies.get('mana_lang') ?? undefined,
    acceptLanguage: ctx.get('accept-language'),
  });
}

/** Configuration shared by the real provider and the in-memory baseline of the benchmark. */
const EDDSA = 'EdDSA' as const;

export function providerConfiguration(
  options: Omit<ProviderOptions, 'adapter'> & { adapter?: AdapterFactory },
): Configuration {
  const { config, accounts } = options;
  const firstParty = new Set(config.firstPartyClients);
  const resourceInfo = (indicator: string, client?: { clientId: string }) => {
    const scope = RESOURCE_SCOPES[indicator];
    if (!scope) throw new errors.InvalidTarget('unknown resource indicator');
    return {
      scope,
      audience: indicator,
      accessTokenFormat: 'jwt' as const,
      accessTokenTTL:
        client?.clientId === CLIENT_IDS.bots ? Math.min(config.accessTokenTtl, 900) : config.accessTokenTtl,
      jwt: { sign: { alg: EDDSA } },
    };
  };
  const cookieDomain = config.cookieDomain ? { domain: config.cookieDomain } : {};
  const secure = config.baseUrl.startsWith('https://');

  return {
    ...(options.adapter ? { adapter: options.adapter } : {}),
    clients: options.clients ?? clientsFrom(config),
    jwks: { keys: options.keys },
    scopes: ALL_SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email', 'email_verified'],
    },
    // Scope claims also go into the id_token (Synapse reads userinfo, others may read the id_token).
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const account = await accounts.findById(id);
      if (!account) return undefined;
      return {
        accountId: account.id,
        claims: () => ({
          sub: account.id,
          preferred_username: account.username,
          name: account.name,
          email: account.email,
          email_verified: account.emailVerified,
        }),
      };
    },
    clientAuthMethods: ['client_secret_basic', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: [SIGNING_ALG],
      userinfoSigningAlgValues: [SIGNING_ALG],
      introspectionSigningAlgValues: [SIGNING_ALG],
      authorizationSigningAlgValues: [SIGNING_ALG],
      requestObjectSigningAlgValues: [SIGNING_ALG],
      clientAuthSigningAlgValues: [SIGNING_ALG],
    },
    pkce: { required: (_ctx, client) => client.tokenEndpointAuthMethod === 'none' },
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only the bots get a default resource; others without `resource` get opaque userinfo tokens.
        defaultResource: (ctx): string =>
          ctx.oidc.client?.clientId === CLIENT_IDS.bots ? SYNC_AUDIENCE : '',
        getResourceServerInfo: (_ctx, indicator, client) => resourceInfo(indicator, client),
        // At the token endpoint without `resource`: use the resource the authorization asked for, if
        // it asked for one (else the token is opaque and good for userinfo only).
        useGrantedResource: (_ctx, model) => Boolean((model as { resource?: unknown }).resource),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          const lang = langOfCtx(ctx);
          const pctx = { lang, path: ctx.originalUrl, csrf: '' };
          ctx.type = 'html';
          ctx.body = layout(
            pctx,
            t(lang, 'signOutTitle'),
            html`${new Html(form)}<p>${t(lang, 'signOutQuestion')}</p><button type="submit" form="op.logoutForm" name="logout" value="yes">${t(lang, 'signOut')}</button> <button type="submit" form="op.logoutForm">${t(lang, 'stay')}</button>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          const lang = langOfCtx(ctx);
          ctx.type = 'html';
          ctx.body = layout(
            { lang, path: ctx.originalUrl, csrf: '' },
            t(lang, 'signedOut'),
            html`<p><a href="/account">${t(lang, 'backToSignIn')}</a></p>`,
          );
        },
      },
    },
    async renderError(ctx, out) {
      const lang = langOfCtx(ctx);
      ctx.type = 'html';
      ctx.body = layout(
        { lang, path: ctx.originalUrl, csrf: '' },
        t(lang, 'errorTitle'),
        html`<p class="error" role="alert"><code>${String(out.error)}</code>: ${String(out.error_description ?? '')}</p>`,
      );
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId =
        (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
        session.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!firstParty.has(client.clientId)) return existing;
      // First-party clients never see a consent page: grant what they asked for (their own metadata
      // already limits what they can ask for).
      const grant =
        existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const requested = [...(ctx.oidc.requestParamScopes ?? new Set<string>())];
      // Every requested scope the provider knows counts as an OIDC scope to oidc-provider (resource
      // scopes too, as they are listed in `scopes`), and again per resource below.
      if (requested.length) grant.addOIDCScope(requested.join(' '));
      const claims = ctx.oidc.requestParamClaims ? [...ctx.oidc.requestParamClaims] : [];
      if (claims.length) grant.addOIDCClaims(claims);
      const resourceParam = ctx.oidc.params?.resource as string | string[] | undefined;
      const indicators = new Set([
        ...Object.keys(ctx.oidc.resourceServers ?? {}),
        ...(Array.isArray(resourceParam) ? resourceParam : resourceParam ? [resourceParam] : []),
      ]);
      for (const indicator of indicators) {
        const available = new Set((RESOURCE_SCOPES[indicator] ?? '').split(' '));
        const scopes = requested.filter((s) => available.has(s));
        if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
      }
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || client.clientId === CLIENT_IDS.web),
    async extraTokenClaims(_ctx, token) {
      if ('gty' in token && token.gty === EXCHANGE_GTY && 'clientId' in token)
        return { act: { sub: String(token.clientId) } };
      return undefined;
    },
    formats: {
      customizers: {
        jwt(_ctx, token, jwt) {
          if (multiAudienceTokens.has(token)) jwt.payload.aud = [SYNC_AUDIENCE, CREDITS_AUDIENCE];
        },
      },
    },
    clientBasedCORS: (_ctx, origin) => config.corsOrigins.includes(origin),
    // oidc-provider refuses outgoing requests to private and loopback addresses (SSRF protection).
    // Our Synapse usually is one (same host, a container network): requests to its configured origin
    // — the back-channel logout — skip that check; every other URL keeps it.
    fetch: (url, init) => {
      const trusted =
        new URL(url instanceof URL ? url.href : typeof url === 'string' ? url : url.url).origin ===
        new URL(config.synapseBaseUrl).origin;
      if (trusted) delete (init as { dispatcher?: unknown }).dispatcher;
      return fetch(url, init);
    },
    cookies: {
      keys: [config.secret],
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure, ...cookieDomain },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure, ...cookieDomain },
    },
    ttl: {
      AccessToken: config.accessTokenTtl,
      ClientCredentials: Math.min(config.accessTokenTtl, 900),
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 30 * 24 * 3600,
      Session: 14 * 24 * 3600,
      // Grants made by token exchange live as long as their token.
      Grant: (_ctx, grant) => (grant.clientId === CLIENT_IDS.bots ? config.exchangeTokenTtl : 14 * 24 * 3600),
      BackchannelAuthenticationRequest: 600,
      DeviceCode: 600,
    },
  };
}

export function createProvider(options: ProviderOptions): Provider {
  const { config } = options;
  const provider = new Provider(config.baseUrl, providerConfiguration(options));
  provider.proxy = config.trustProxy;
  registerTokenExchange(provider, {
    accounts: options.accounts,
    matrixServerName: config.matrixServerName,
    allowedClients: [CLIENT_IDS.bots],
    ttlSeconds: config.exchangeTokenTtl,
  });
  return provider;
}
