/**
 * The OpenID Provider: node-oidc-provider configured for Mana — EdDSA only, static clients from
 * config, resource indicators for sync and credits (JWT access tokens), PKCE for public clients,
 * client_credentials, token exchange, back-channel logout, and our own interaction pages.
 */
import { CREDITS_AUDIENCE, MATRIX_AUDIENCE, SYNC_AUDIENCE, TOKEN_EXCHANGE_GRANT } from '@mana/auth-client';
import Provider, {
  errors,
  interactionPolicy,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { JWK } from 'jose';
import type { Accounts } from '../accounts/accounts.ts';
import type { AuthConfig } from '../config.ts';
import { pickLang, t } from '../pages/i18n.ts';
import { html, layout, raw } from '../pages/html.ts';
import type { AdapterFactory } from './adapter.ts';
import { SIGNING_ALG } from './keys.ts';
import { ALL_SCOPES, EXCHANGE_GTY, RESOURCE_SCOPES } from './resources.ts';
import { multiAudienceTokens, registerTokenExchange } from './token-exchange.ts';
import { matrixRegistrationProblem } from '../matrix/registration.ts';
import {
  deviceIds,
  hasMatrixApi,
  MATRIX_API_SCOPES,
  matrixScopeProblem,
  matrixScopes,
} from '../matrix/scopes.ts';

/** MSC4191 account management actions the account page understands (stable and unstable names). */
export const ACCOUNT_MANAGEMENT_ACTIONS = [
  'org.matrix.profile',
  'org.matrix.devices_list',
  'org.matrix.device_view',
  'org.matrix.device_delete',
  'org.matrix.sessions_list',
  'org.matrix.session_view',
  'org.matrix.session_end',
  'org.matrix.cross_signing_reset',
];

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
  const delegated = config.matrixMode === 'delegated';
  // The clients from config; anything else was registered dynamically (a Matrix client).
  const configuredClients = options.clients ?? clientsFrom(config);
  const staticClients = new Set<string>(configuredClients.map((c) => c.client_id));
  const matrixResourceInfo = (ctx: KoaContextWithOIDC, client?: { clientId: string }) => {
    // Matrix tokens are for Matrix clients (registered dynamically), never for our own clients.
    if (!delegated || !client || staticClients.has(client.clientId))
      throw new errors.InvalidTarget('unknown resource indicator');
    const requested = typeof ctx.oidc.params?.scope === 'string' ? ctx.oidc.params.scope : undefined;
    const problem = matrixScopeProblem(requested);
    if (problem) throw new errors.InvalidScope(problem, requested ?? '');
    if (requested !== undefined && hasMatrixApi(requested) && deviceIds(requested).length === 0)
      throw new errors.InvalidScope(
        'a Matrix device scope (urn:matrix:client:device:<id>) is required',
        requested,
      );
    // At the token endpoint the request names no scope: the grant holds what was authorized.
    const granted = ctx.oidc.entities.Grant?.getResourceScope(MATRIX_AUDIENCE);
    const scope = [...new Set([...matrixScopes(requested), ...matrixScopes(granted)])];
    return {
      scope: (scope.length ? scope : MATRIX_API_SCOPES).join(' '),
      audience: MATRIX_AUDIENCE,
      // Opaque: Synapse introspects them, and revoking one takes effect at once.
      accessTokenFormat: 'opaque' as const,
      accessTokenTTL: config.accessTokenTtl,
    };
  };
  const resourceInfo = (indicator: string, client?: { clientId: string }) => {
    // Mana's own APIs (sync, credits) are for our clients only, never for registered Matrix clients.
    if (client && !staticClients.has(client.clientId))
      throw new errors.InvalidTarget('unknown resource indicator');
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
    clients: configuredClients,
    jwks: { keys: options.keys },
    scopes: ALL_SCOPES,
    ...(delegated
      ? {
          discovery: {
            account_management_uri: `${config.baseUrl}/account`,
            account_management_actions_supported: ACCOUNT_MANAGEMENT_ACTIONS,
            prompt_values_supported: ['none', 'login', 'consent', 'create'],
          },
          extraClientMetadata: {
            properties: ['client_uri'],
            validator(ctx, key, _value, metadata) {
              // Only what a client registers is checked: our own clients come from config.
              if (key !== 'client_uri' || ctx?.oidc?.route !== 'registration') return;
              const problem = matrixRegistrationProblem(metadata);
              if (problem) throw new errors.InvalidClientMetadata(problem);
            },
          },
        }
      : {}),
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
    // Registered clients get our one signing algorithm unless they ask (and they may ask only for it).
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: SIGNING_ALG,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
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
      // A client revokes only its own tokens.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      // RFC 8628 (QR / TV-style login of Matrix clients): the user enters or confirms the code here.
      deviceFlow: {
        enabled: delegated,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource(ctx, form, _out, err) {
          const lang = langOfCtx(ctx);
          const note = err
            ? (err as { userCode?: unknown }).userCode || err.name === 'NoCodeError'
              ? 'deviceWrongCode'
              : err.name === 'AbortedError'
                ? 'deviceAborted'
                : 'deviceError'
            : undefined;
          // A missing, wrong or expired code is the user's input error: 400 (oidc-provider says 200).
          if (err) ctx.status = 400;
          ctx.type = 'html';
          ctx.body = layout(
            { lang, path: ctx.originalUrl, csrf: '' },
            t(lang, 'deviceTitle'),
            html`${note ? html`<p class="error" role="alert">${t(lang, note)}</p>` : html`<p>${t(lang, 'deviceEnterCode')}</p>`}${raw(form.replace(/<input(?=[^>]*name="user_code")/, `<input aria-label="${t(lang, 'deviceCode')}"`))}<button type="submit" form="op.deviceInputForm">${t(lang, 'deviceContinue')}</button>`,
          );
        },
        userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          const lang = langOfCtx(ctx);
          ctx.type = 'html';
          ctx.body = layout(
            { lang, path: ctx.originalUrl, csrf: '' },
            t(lang, 'deviceTitle'),
            html`<p>${t(lang, 'deviceConfirm', { client: client.clientName ?? client.clientId })}</p><p><code class="user-code">${userCode}</code></p>${raw(form)}<button type="submit" form="op.deviceConfirmForm">${t(lang, 'deviceContinue')}</button> <button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">${t(lang, 'deviceAbort')}</button>`,
          );
        },
        successSource(ctx) {
          const lang = langOfCtx(ctx);
          const client = ctx.oidc.client;
          ctx.type = 'html';
          ctx.body = layout(
            { lang, path: ctx.originalUrl, csrf: '' },
            t(lang, 'deviceTitle'),
            html`<p class="note" role="status">${t(lang, 'deviceDone', { client: client?.clientName ?? client?.clientId ?? '' })}</p>`,
          );
        },
      },
      // RFC 7591 for Matrix clients (Element X registers itself on first use); see matrix/registration.ts.
      registration: { enabled: delegated, initialAccessToken: false },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only the bots get a default resource; others without `resource` get opaque userinfo tokens.
        // Matrix clients never send `resource`: a request with the Matrix API scope is for Synapse.
        defaultResource: (ctx): string =>
          ctx.oidc.client?.clientId === CLIENT_IDS.bots
            ? SYNC_AUDIENCE
            : delegated && hasMatrixApi(ctx.oidc.params?.scope as string | undefined)
              ? MATRIX_AUDIENCE
              : '',
        getResourceServerInfo: (ctx, indicator, client) =>
          indicator === MATRIX_AUDIENCE ? matrixResourceInfo(ctx, client) : resourceInfo(indicator, client),
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
            html`${raw(form)}<p>${t(lang, 'signOutQuestion')}</p><button type="submit" form="op.logoutForm" name="logout" value="yes">${t(lang, 'signOut')}</button> <button type="submit" form="op.logoutForm">${t(lang, 'stay')}</button>`,
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
    interactions: {
      // `prompt=create` (Matrix clients' "create account"): the registration page comes first.
      ...(delegated ? { policy: withCreatePrompt() } : {}),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId =
        (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
        session.grantIdFor(client.clientId);
      // A Matrix login is one session, one device: it never reuses an earlier grant of the client.
      if (delegated && hasMatrixApi(ctx.oidc.params?.scope as string | undefined)) {
        const decided = (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId;
        return decided ? await ctx.oidc.provider.Grant.find(decided) : undefined;
      }
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
    // Matrix clients get a refresh token without asking for offline_access (as from MAS).
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') ||
        client.clientId === CLIENT_IDS.web ||
        (delegated && hasMatrixApi(code.scopes))),
    // Revoking a Matrix access token ends the whole session (as at MAS): Element X signs out so.
    revokeGrantPolicy: (ctx) =>
      !(ctx.oidc.route === 'revocation' && ctx.oidc.entities.AccessToken) ||
      (delegated && hasMatrixApi(ctx.oidc.entities.AccessToken.scope)),
    // A Matrix session outlives the browser session at auth; it ends when revoked or signed out.
    expiresWithSession: async (_ctx, token) =>
      !token.scopes.has('offline_access') && !hasMatrixApi(token.scopes),
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
    // Browser-based Matrix clients (Element Web) call the token and revocation endpoints from their
    // own origin: the one their registered redirect URIs are on.
    clientBasedCORS: (_ctx, origin, client) =>
      config.corsOrigins.includes(origin) ||
      (delegated &&
        !staticClients.has(client.clientId) &&
        (client.redirectUris ?? []).some((u) => URL.parse(u)?.origin === origin)),
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
      DeviceCode: config.deviceCodeTtl,
    },
  };
}

function withCreatePrompt(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);
  return policy;
}

export function createProvider(options: ProviderOptions): Provider {
  const { config } = options;
  const provider = new Provider(config.baseUrl, providerConfiguration(options));
  provider.proxy = config.trustProxy;
  provider.use(staleDeviceForm);
  registerTokenExchange(provider, {
    accounts: options.accounts,
    matrixServerName: config.matrixServerName,
    allowedClients: [CLIENT_IDS.bots],
    ttlSeconds: config.exchangeTokenTtl,
  });
  return provider;
}

/**
 * oidc-provider 9 answers 500 when a `/device` form (or `/device/<uid>`) arrives without a live
 * provider session (no cookie, or an expired one): its error page stores a session it never created
 * ("persist can only be called on previously persisted Sessions"). Such a form is stale; say so
 * with a 400 and a fresh start.
 */
async function staleDeviceForm(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  try {
    await next();
  } catch (err) {
    if (
      !ctx.path.startsWith('/device') ||
      !(err instanceof TypeError) ||
      !/previously persisted/.test(err.message)
    )
      throw err;
    const lang = langOfCtx(ctx);
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = layout(
      { lang, path: ctx.originalUrl, csrf: '' },
      t(lang, 'deviceTitle'),
      html`<p class="error" role="alert">${t(lang, 'deviceStale')}</p><p><a href="/device">${t(lang, 'deviceStartAgain')}</a></p>`,
    );
  }
}
