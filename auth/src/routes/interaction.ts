/**
 * The provider's interaction pages: login and consent (first-party clients never reach consent,
 * see `loadExistingGrant`). Pages need Node's request/response, as oidc-provider keeps the
 * interaction in its own cookies.
 */
import type Provider from 'oidc-provider';
import { Hono } from 'hono';
import { z } from 'zod';
import { HttpError } from '@mana/http';
import type { Metrics } from '@mana/metrics';
import type { Accounts } from '../accounts/accounts.ts';
import { AuthErrCode } from '../errors.ts';
import { csrfField, field, html, layout, message, type PageContext } from '../pages/html.ts';
import { isTextKey, t, type TextKey } from '../pages/i18n.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { registerAccount, registerPage, registrationForm } from './account.ts';
import {
  clientIp,
  f,
  formBody,
  forwardCookies,
  pageContext,
  tooMany,
  type AuthContext,
  type AuthEnv,
  type FormOptions,
} from './forms.ts';

export interface LoginLimits {
  perAccountPerMinute: number;
  perIpPerMinute: number;
  /** Sign-ups from the `prompt=create` page. */
  registerPerIpPerHour?: number;
}

export interface InteractionRoutesOptions extends FormOptions {
  provider: () => Provider;
  accounts: Accounts;
  limiter: RateLimiter;
  limits: LoginLimits;
  counters: { attempts: { inc(): void }; failures: { inc(): void }; registrations?: { inc(): void } };
  /** Delegated mode: whether Synapse would take this localpart (`is_localpart_available`). */
  localpartFree?: (localpart: string) => Promise<boolean>;
  metrics?: Metrics;
}

/** The login form; `notice` is a message key shown above it. */
export function loginForm(
  ctx: PageContext,
  opts: {
    action: string;
    clientName?: string;
    email?: string;
    notice?: TextKey | null;
    unverified?: boolean;
  },
) {
  const lang = ctx.lang;
  return layout(
    ctx,
    t(lang, 'signIn'),
    html`${opts.clientName ? html`<p>${t(lang, 'signInTo', { client: opts.clientName })}</p>` : ''}${message(ctx, opts.notice ?? null)}${
      opts.unverified
        ? html`<form method="post" action="/verify-email/resend">${csrfField(ctx)}<input type="hidden" name="email" value="${opts.email ?? ''}"><button type="submit">${t(lang, 'resend')}</button></form>`
        : ''
    }<form method="post" action="${opts.action}" novalidate>${csrfField(ctx)}${field(ctx, { name: 'email', label: 'email', type: 'email', autocomplete: 'username', value: opts.email ?? '' })}${field(ctx, { name: 'password', label: 'password', type: 'password', autocomplete: 'current-password' })}<button type="submit">${t(lang, 'signIn')}</button></form><p><a href="/reset">${t(lang, 'forgot')}</a></p><p>${t(lang, 'noAccount')} <a href="/register">${t(lang, 'register')}</a></p>`,
  );
}

/** The `prompt=create` page: sign up, or sign in with an existing account. */
function createPage(
  ctx: PageContext,
  uid: string,
  values: { email?: string; username?: string; name?: string } = {},
  notice: TextKey | null = null,
) {
  return registerPage(
    ctx,
    values,
    notice,
    `/interaction/${uid}/register`,
    html`<details><summary>${t(ctx.lang, 'haveAccount')}</summary><form method="post" action="/interaction/${uid}/login" novalidate>${csrfField(ctx)}${field(ctx, { name: 'email', label: 'email', type: 'email', autocomplete: 'username' })}${field(ctx, { name: 'password', label: 'password', type: 'password', autocomplete: 'current-password' })}<button type="submit">${t(ctx.lang, 'signIn')}</button></form></details>`,
  );
}

const clientIdOf = (params: Record<string, unknown>): string =>
  typeof params.client_id === 'string' ? params.client_id : '';

export function createInteractionRoutes(options: InteractionRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { accounts, limiter, limits } = options;

  const details = async (c: AuthContext) => {
    const uid = c.req.param('uid') ?? '';
    try {
      const d = await options.provider().interactionDetails(c.env.incoming, c.env.outgoing);
      if (d.uid !== uid) throw new Error('interaction mismatch');
      return d;
    } catch (cause) {
      throw new HttpError(
        400,
        AuthErrCode.InteractionExpired,
        'This sign-in has expired; start again from the app',
        {
          cause,
        },
      );
    }
  };

  app.get('/:uid', async (c) => {
    const ctx = pageContext(c, options);
    const d = await details(c);
    const client = await options.provider().Client.find(clientIdOf(d.params));
    const clientName = client?.clientName ?? clientIdOf(d.params);
    if (d.prompt.name === 'login')
      return c.html(loginForm(ctx, { action: `/interaction/${d.uid}/login`, clientName }));
    if (d.prompt.name === 'create') return c.html(createPage(ctx, d.uid));
    const missing = [
      ...((d.prompt.details.missingOIDCScope as string[] | undefined) ?? []),
      ...Object.values(
        (d.prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {},
      ).flat(),
    ];
    const items = [
      ...new Set(missing.map((s) => (s.startsWith('urn:matrix:') ? 'matrix' : (s.split(':')[0] ?? s)))),
    ].map((s) => {
      const key = `scope.${s}`;
      return html`<li>${isTextKey(key) ? t(ctx.lang, key) : s}</li>`;
    });
    return c.html(
      layout(
        ctx,
        t(ctx.lang, 'consentTitle', { client: clientName }),
        html`<p>${t(ctx.lang, 'consentScopes')}</p><ul>${items}</ul><form method="post" action="/interaction/${d.uid}/consent">${csrfField(ctx)}<button type="submit" name="decision" value="allow">${t(ctx.lang, 'allow')}</button> <button type="submit" name="decision" value="deny">${t(ctx.lang, 'deny')}</button></form>`,
      ),
    );
  });

  app.post('/:uid/login', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ email: f.email, password: f.password }));
    const d = await details(c);
    if (d.prompt.name !== 'login' && d.prompt.name !== 'create')
      throw new HttpError(400, AuthErrCode.InteractionExpired, 'Not a login step');
    options.counters.attempts.inc();
    const ip = clientIp(c, options.trustProxy);
    const ipLimit = await limiter.hit('login-ip', ip, limits.perIpPerMinute, 60);
    if (!ipLimit.allowed) throw tooMany(ipLimit);
    const email = form.email.toLowerCase();
    // Failures per account (known or not, so the limit reveals nothing): the 11th wrong password
    // within a minute gets 429 whatever it is.
    const acct = await limiter.peek('login-fail', email, limits.perAccountPerMinute);
    if (!acct.allowed) {
      options.counters.failures.inc();
      throw tooMany(acct);
    }
    const action = `/interaction/${d.uid}/login`;
    const result = await accounts.signIn({ email, password: form.password, headers: c.req.raw.headers });
    if (!result.ok) {
      options.counters.failures.inc();
      if (result.reason === 'invalid') {
        await limiter.hit('login-fail', email, limits.perAccountPerMinute, 60);
        return c.html(loginForm(ctx, { action, email: form.email, notice: 'invalidLogin' }), 401);
      }
      return c.html(
        loginForm(ctx, { action, email: form.email, notice: 'unverified', unverified: true }),
        403,
      );
    }
    await limiter.reset('login-fail', email);
    forwardCookies(c, result.setCookies);
    const to = await options.provider().interactionResult(
      c.env.incoming,
      c.env.outgoing,
      // Signing in on the `prompt=create` page (new account confirmed, or one that existed) settles both.
      { login: { accountId: result.account.id }, ...(d.prompt.name === 'create' ? { create: {} } : {}) },
      { mergeWithLastSubmission: false },
    );
    return c.redirect(to, 303);
  });

  // `prompt=create`: the sign-up form inside the authorization; after the emailed confirmation the
  // same page signs in (accounts sign in only once verified) and the client's flow goes on.
  app.post('/:uid/register', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, registrationForm);
    const d = await details(c);
    if (d.prompt.name !== 'create')
      throw new HttpError(400, AuthErrCode.InteractionExpired, 'Not a sign-up step');
    const ip = await limiter.hit(
      'register-ip',
      clientIp(c, options.trustProxy),
      limits.registerPerIpPerHour ?? 20,
      3600,
    );
    if (!ip.allowed) throw tooMany(ip);
    const values = { email: form.email, username: form.username, name: form.name ?? '' };
    const r = await registerAccount(accounts, form, c.req.raw.headers, options.localpartFree);
    if (!r.ok) return c.html(createPage(ctx, d.uid, values, r.notice), r.status);
    options.counters.registrations?.inc();
    return c.html(
      loginForm(ctx, { action: `/interaction/${d.uid}/login`, email: r.email, notice: 'registeredSignIn' }),
      201,
    );
  });

  app.post('/:uid/consent', async (c) => {
    const form = await formBody(c, z.object({ decision: z.enum(['allow', 'deny']) }));
    const d = await details(c);
    if (d.prompt.name !== 'consent')
      throw new HttpError(400, AuthErrCode.InteractionExpired, 'Not a consent step');
    const provider = options.provider();
    if (form.decision === 'deny') {
      const to = await provider.interactionResult(c.env.incoming, c.env.outgoing, {
        error: 'access_denied',
        error_description: 'The user denied access',
      });
      return c.redirect(to, 303);
    }
    const accountId = d.session?.accountId;
    const clientId = clientIdOf(d.params);
    if (!accountId) throw new HttpError(400, AuthErrCode.InteractionExpired, 'Not signed in');
    const grant = d.grantId
      ? ((await provider.Grant.find(d.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const det = d.prompt.details;
    const scope = det.missingOIDCScope as string[] | undefined;
    if (scope) grant.addOIDCScope(scope.join(' '));
    const claims = det.missingOIDCClaims as string[] | undefined;
    if (claims) grant.addOIDCClaims(claims);
    for (const [indicator, scopes] of Object.entries(
      (det.missingResourceScopes as Record<string, string[]> | undefined) ?? {},
    ))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const to = await provider.interactionResult(c.env.incoming, c.env.outgoing, { consent: { grantId } });
    return c.redirect(to, 303);
  });

  return app;
}
