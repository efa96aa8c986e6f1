/**
 * Account pages: register, email verification (+ resend with a cooldown), password reset, and the
 * signed-in account page (change password, sign out). Answers about emails never reveal whether an
 * account exists.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Accounts } from '../accounts/accounts.ts';
import type { Lifecycle } from '../accounts/lifecycle.ts';
import { RESERVED_USERNAMES, USERNAME_RE } from '../accounts/accounts.ts';
import {
  csrfField,
  field,
  html,
  layout,
  message,
  notePage,
  verifyEmailPage,
  type Html,
  type PageContext,
} from '../pages/html.ts';
import { t, type TextKey } from '../pages/i18n.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { loginForm } from './interaction.ts';
import type { MatrixModule } from '../matrix/index.ts';
import { addMatrixAccountRoutes, isMatrixAction, matrixAccountPage } from './matrix-account.ts';
import {
  clientIp,
  f,
  formBody,
  forwardCookies,
  pageContext,
  tooMany,
  type AuthEnv,
  type FormOptions,
} from './forms.ts';

export interface AccountRoutesOptions extends FormOptions {
  accounts: Accounts;
  lifecycle: Lifecycle;
  limiter: RateLimiter;
  limits: {
    registerPerIpPerHour: number;
    resetPerIpPerHour: number;
    resetPerAccountPerHour: number;
    verifyResendCooldown: number;
    loginPerAccountPerMinute: number;
    loginPerIpPerMinute: number;
  };
  onRegistered?: () => void;
  /** Delegated mode: whether Synapse would take this localpart (`is_localpart_available`). */
  localpartFree?: (localpart: string) => Promise<boolean>;
  /** Delegated mode: the Matrix account management pages (MSC4191 `?action=`). */
  matrix?: { module: MatrixModule; serverName: string };
}

/** `?action=…&device_id=…` of MSC4191, kept across the sign-in; anything else is dropped. */
const NEXT_RE = /^\?action=[A-Za-z0-9._]+(?:&device_id=[A-Za-z0-9._~%-]{1,255})?$/;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function registerPage(
  ctx: PageContext,
  values: { email?: string; username?: string; name?: string } = {},
  notice: TextKey | null = null,
  action = '/register',
  footer: Html | null = null,
) {
  return layout(
    ctx,
    t(ctx.lang, 'register'),
    html`${message(ctx, notice)}<form method="post" action="${action}">${csrfField(ctx)}${field(ctx, { name: 'email', label: 'email', type: 'email', autocomplete: 'email', value: values.email ?? '' })}${field(ctx, { name: 'username', label: 'username', autocomplete: 'username', value: values.username ?? '', hint: 'usernameHint' })}${field(ctx, { name: 'name', label: 'name', autocomplete: 'nickname', value: values.name ?? '', required: false })}${field(ctx, { name: 'password', label: 'password', type: 'password', autocomplete: 'new-password', minlength: 10 })}<button type="submit">${t(ctx.lang, 'register')}</button></form>${footer ?? html`<p><a href="/account">${t(ctx.lang, 'signIn')}</a></p>`}`,
  );
}

export const registrationForm = z.object({
  email: f.email,
  username: f.text(64),
  password: f.password,
  name: f.text(100).optional(),
});

/**
 * Checks a sign-up and creates the account (unverified; the mail goes out). `localpartFree` asks
 * the homeserver too (delegated mode), so a name Synapse refuses is refused here first.
 */
export async function registerAccount(
  accounts: Accounts,
  form: z.output<typeof registrationForm>,
  headers: Headers,
  localpartFree?: (localpart: string) => Promise<boolean>,
): Promise<{ ok: true; email: string } | { ok: false; notice: TextKey; status: 400 | 409 }> {
  const username = form.username.trim().toLowerCase();
  if (!EMAIL_RE.test(form.email)) return { ok: false, notice: 'emailInvalid', status: 400 };
  if (!USERNAME_RE.test(username)) return { ok: false, notice: 'usernameInvalid', status: 400 };
  if (RESERVED_USERNAMES.has(username)) return { ok: false, notice: 'usernameTaken', status: 409 };
  if (form.password.length < 10) return { ok: false, notice: 'weakPassword', status: 400 };
  if (localpartFree && !(await localpartFree(username)))
    return { ok: false, notice: 'usernameTaken', status: 409 };
  const r = await accounts.register({
    email: form.email,
    username,
    password: form.password,
    ...(form.name ? { name: form.name } : {}),
    headers,
  });
  if (!r.ok)
    return r.reason === 'username_taken'
      ? { ok: false, notice: 'usernameTaken', status: 409 }
      : { ok: false, notice: 'weakPassword', status: 400 };
  return { ok: true, email: form.email.toLowerCase() };
}

function emailForm(
  ctx: PageContext,
  action: string,
  button: TextKey,
  notice: TextKey | null = null,
  kind: 'error' | 'note' = 'error',
) {
  return html`${message(ctx, notice, kind)}<form method="post" action="${action}">${csrfField(ctx)}${field(ctx, { name: 'email', label: 'email', type: 'email', autocomplete: 'email' })}<button type="submit">${t(ctx.lang, button)}</button></form>`;
}

function resetForm(ctx: PageContext, token: string, notice: TextKey | null = null) {
  return layout(
    ctx,
    t(ctx.lang, 'resetTitle'),
    html`${message(ctx, notice)}<form method="post" action="/reset-password">${csrfField(ctx)}<input type="hidden" name="token" value="${token}">${field(ctx, { name: 'password', label: 'newPassword', type: 'password', autocomplete: 'new-password', minlength: 10 })}<button type="submit">${t(ctx.lang, 'resetTitle')}</button></form>`,
  );
}

function passwordForm(
  ctx: PageContext,
  username: string,
  notice: TextKey | null = null,
  kind: 'error' | 'note' = 'error',
  matrixLinks = false,
) {
  return layout(
    ctx,
    t(ctx.lang, 'account'),
    html`<p>${t(ctx.lang, 'signedInAs', { username })}</p>${matrixLinks ? html`<p><a href="/account?action=org.matrix.profile">${t(ctx.lang, 'profileTitle')}</a> · <a href="/account?action=org.matrix.sessions_list">${t(ctx.lang, 'matrixSessions')}</a> · <a href="/account?action=org.matrix.cross_signing_reset">${t(ctx.lang, 'crossSigningTitle')}</a></p>` : ''}${message(ctx, notice, kind)}<h2>${t(ctx.lang, 'changePassword')}</h2><form method="post" action="/account/password">${csrfField(ctx)}${field(ctx, { name: 'currentPassword', label: 'currentPassword', type: 'password', autocomplete: 'current-password' })}${field(ctx, { name: 'newPassword', label: 'newPassword', type: 'password', autocomplete: 'new-password', minlength: 10 })}<button type="submit">${t(ctx.lang, 'changePassword')}</button></form><form method="post" action="/account/logout">${csrfField(ctx)}<button type="submit">${t(ctx.lang, 'signOut')}</button></form><h2>${t(ctx.lang, 'deleteAccount')}</h2><p>${t(ctx.lang, 'deleteAccountHint')}</p><form method="post" action="/account/delete">${csrfField(ctx)}${field(ctx, { name: 'password', label: 'currentPassword', type: 'password', autocomplete: 'current-password' })}<p><label><input type="checkbox" name="confirm" value="yes" required> ${t(ctx.lang, 'deleteAccountConfirm')}</label></p><button type="submit">${t(ctx.lang, 'deleteAccount')}</button></form>`,
  );
}

export function createAccountRoutes(options: AccountRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { accounts, limiter, limits } = options;
  const matrixOptions = options.matrix
    ? {
        ...options,
        matrix: options.matrix.module,
        matrixServerName: options.matrix.serverName,
      }
    : undefined;
  if (matrixOptions) addMatrixAccountRoutes(app, matrixOptions);
  const accountPage = (
    ctx: PageContext,
    username: string,
    notice: TextKey | null = null,
    kind: 'error' | 'note' = 'error',
  ) => passwordForm(ctx, username, notice, kind, Boolean(matrixOptions));

  app.get('/register', (c) => c.html(registerPage(pageContext(c, options))));
  app.post('/register', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, registrationForm);
    const ip = await limiter.hit(
      'register-ip',
      clientIp(c, options.trustProxy),
      limits.registerPerIpPerHour,
      3600,
    );
    if (!ip.allowed) throw tooMany(ip);
    const values = { email: form.email, username: form.username, name: form.name ?? '' };
    const r = await registerAccount(accounts, form, c.req.raw.headers, options.localpartFree);
    if (!r.ok) return c.html(registerPage(ctx, values, r.notice), r.status);
    options.onRegistered?.();
    return c.html(notePage(ctx, 'register', 'registered', { email: r.email }, false), 201);
  });

  app.get('/verify-email', async (c) => {
    const ctx = pageContext(c, options);
    const token = c.req.query('token') ?? '';
    const ok = token.length > 0 && token.length < 4096 && (await accounts.verifyEmail(token));
    return c.html(verifyEmailPage(ctx, ok), ok ? 200 : 400);
  });

  app.get('/verify-email/resend', (c) => {
    const ctx = pageContext(c, options);
    return c.html(layout(ctx, t(ctx.lang, 'resend'), emailForm(ctx, '/verify-email/resend', 'resend')));
  });
  app.post('/verify-email/resend', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ email: f.email }));
    const email = form.email.toLowerCase();
    const ip = await limiter.hit(
      'resend-ip',
      clientIp(c, options.trustProxy),
      limits.resetPerIpPerHour,
      3600,
    );
    if (!ip.allowed) throw tooMany(ip);
    // Cooldown per address: one mail per window, answered the same either way.
    const cool = await limiter.hit('resend', email, 1, limits.verifyResendCooldown);
    if (cool.allowed && EMAIL_RE.test(email)) await accounts.resendVerification(email, c.req.raw.headers);
    if (!cool.allowed) throw tooMany(cool);
    return c.html(notePage(ctx, 'resend', 'resent'));
  });

  app.get('/reset', (c) => {
    const ctx = pageContext(c, options);
    return c.html(layout(ctx, t(ctx.lang, 'resetTitle'), emailForm(ctx, '/reset', 'resetSend')));
  });
  app.post('/reset', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ email: f.email }));
    const email = form.email.toLowerCase();
    const ip = await limiter.hit('reset-ip', clientIp(c, options.trustProxy), limits.resetPerIpPerHour, 3600);
    if (!ip.allowed) throw tooMany(ip);
    const acct = await limiter.hit('reset-account', email, limits.resetPerAccountPerHour, 3600);
    if (!acct.allowed) throw tooMany(acct);
    if (EMAIL_RE.test(email)) await accounts.requestReset(email, c.req.raw.headers);
    return c.html(notePage(ctx, 'resetTitle', 'resetSent'));
  });

  app.get('/reset-password', (c) => {
    const ctx = pageContext(c, options);
    return c.html(resetForm(ctx, c.req.query('token') ?? ''));
  });
  app.post('/reset-password', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ token: f.text(4096), password: f.password }));
    const ip = await limiter.hit('reset-ip', clientIp(c, options.trustProxy), limits.resetPerIpPerHour, 3600);
    if (!ip.allowed) throw tooMany(ip);
    if (form.password.length < 10) return c.html(resetForm(ctx, form.token, 'weakPassword'), 400);
    const r = await accounts.resetPassword(form.token, form.password);
    if (r === 'ok') return c.html(notePage(ctx, 'resetTitle', 'resetDone'));
    if (r === 'weak_password') return c.html(resetForm(ctx, form.token, 'weakPassword'), 400);
    return c.html(notePage(ctx, 'errorTitle', 'resetInvalid'), 400);
  });

  app.get('/account', async (c) => {
    const ctx = pageContext(c, options);
    const account = await accounts.sessionAccount(c.req.raw.headers);
    const action = c.req.query('action');
    const next = new URL(c.req.url).search;
    if (!account) {
      const keep = matrixOptions && isMatrixAction(action) && NEXT_RE.test(next);
      return c.html(
        loginForm(ctx, {
          action: keep ? `/account/login?next=${encodeURIComponent(next)}` : '/account/login',
        }),
      );
    }
    if (matrixOptions && isMatrixAction(action)) return matrixAccountPage(c, matrixOptions, account);
    return c.html(accountPage(ctx, account.username));
  });
  app.post('/account/login', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ email: f.email, password: f.password }));
    const ip = await limiter.hit('login-ip', clientIp(c, options.trustProxy), limits.loginPerIpPerMinute, 60);
    if (!ip.allowed) throw tooMany(ip);
    const email = form.email.toLowerCase();
    const acct = await limiter.peek('login-fail', email, limits.loginPerAccountPerMinute);
    if (!acct.allowed) throw tooMany(acct);
    const r = await accounts.signIn({ email, password: form.password, headers: c.req.raw.headers });
    if (!r.ok) {
      if (r.reason === 'invalid') await limiter.hit('login-fail', email, limits.loginPerAccountPerMinute, 60);
      return c.html(
        loginForm(ctx, {
          action: '/account/login',
          email: form.email,
          notice: r.reason === 'invalid' ? 'invalidLogin' : 'unverified',
          unverified: r.reason === 'unverified',
        }),
        r.reason === 'invalid' ? 401 : 403,
      );
    }
    await limiter.reset('login-fail', email);
    forwardCookies(c, r.setCookies);
    const next = c.req.query('next') ?? '';
    return c.redirect(matrixOptions && NEXT_RE.test(next) ? `/account${next}` : '/account', 303);
  });
  app.post('/account/password', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ currentPassword: f.password, newPassword: f.password }));
    const account = await accounts.sessionAccount(c.req.raw.headers);
    if (!account) return c.html(loginForm(ctx, { action: '/account/login' }), 401);
    const acct = await limiter.peek('login-fail', account.email, limits.loginPerAccountPerMinute);
    if (!acct.allowed) throw tooMany(acct);
    if (form.newPassword.length < 10) return c.html(accountPage(ctx, account.username, 'weakPassword'), 400);
    const r = await accounts.changePassword({
      headers: c.req.raw.headers,
      currentPassword: form.currentPassword,
      newPassword: form.newPassword,
    });
    forwardCookies(c, r.setCookies);
    if (r.result === 'ok') return c.html(accountPage(ctx, account.username, 'passwordChanged', 'note'));
    if (r.result === 'wrong_password') {
      await limiter.hit('login-fail', account.email, limits.loginPerAccountPerMinute, 60);
      return c.html(accountPage(ctx, account.username, 'wrongPassword'), 400);
    }
    if (r.result === 'weak_password') return c.html(accountPage(ctx, account.username, 'weakPassword'), 400);
    return c.html(loginForm(ctx, { action: '/account/login' }), 401);
  });
  // Signed in, CSRF-checked, the password typed again and the box ticked: the account is deleted
  // (deactivated for good, personal data scrubbed; Synapse erases the Matrix user, retried if down).
  app.post('/account/delete', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ password: f.password, confirm: f.text(10).optional() }));
    const account = await accounts.sessionAccount(c.req.raw.headers);
    if (!account) return c.html(loginForm(ctx, { action: '/account/login' }), 401);
    const acct = await limiter.peek('login-fail', account.email, limits.loginPerAccountPerMinute);
    if (!acct.allowed) throw tooMany(acct);
    if (form.confirm !== 'yes')
      return c.html(accountPage(ctx, account.username, 'deleteAccountConfirm'), 400);
    const check = await accounts.signIn({
      email: account.email,
      password: form.password,
      headers: c.req.raw.headers,
    });
    if (!check.ok) {
      await limiter.hit('login-fail', account.email, limits.loginPerAccountPerMinute, 60);
      return c.html(accountPage(ctx, account.username, 'wrongPassword'), 400);
    }
    // Clear the session cookie first (the session itself goes with the account's).
    forwardCookies(c, await accounts.signOut(c.req.raw.headers));
    await options.lifecycle.delete(account);
    return c.html(notePage(ctx, 'deleteAccount', 'accountDeleted'));
  });
  app.post('/account/logout', async (c) => {
    await formBody(c, z.object({}));
    forwardCookies(c, await accounts.signOut(c.req.raw.headers));
    // Ends the provider session too, which logs the user out of Synapse (back-channel logout).
    return c.redirect('/session/end', 303);
  });

  return app;
}
