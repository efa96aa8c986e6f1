/**
 * Account pages: register, email verification (+ resend with a cooldown), password reset, and the
 * signed-in account page (change password, sign out). Answers about emails never reveal whether an
 * account exists.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Accounts } from '../accounts/accounts.ts';
import { RESERVED_USERNAMES, USERNAME_RE } from '../accounts/accounts.ts';
import {
  csrfField,
  field,
  html,
  layout,
  message,
  notePage,
  verifyEmailPage,
  type PageContext,
} from '../pages/html.ts';
import { t, type TextKey } from '../pages/i18n.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { loginForm } from './interaction.ts';
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
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function registerPage(
  ctx: PageContext,
  values: { email?: string; username?: string; name?: string } = {},
  notice: TextKey | null = null,
) {
  return layout(
    ctx,
    t(ctx.lang, 'register'),
    html`${message(ctx, notice)}<form method="post" action="/register">${csrfField(ctx)}${field(ctx, { name: 'email', label: 'email', type: 'email', autocomplete: 'email', value: values.email ?? '' })}${field(ctx, { name: 'username', label: 'username', autocomplete: 'username', value: values.username ?? '', hint: 'usernameHint' })}${field(ctx, { name: 'name', label: 'name', autocomplete: 'nickname', value: values.name ?? '', required: false })}${field(ctx, { name: 'password', label: 'password', type: 'password', autocomplete: 'new-password', minlength: 10 })}<button type="submit">${t(ctx.lang, 'register')}</button></form><p><a href="/account">${t(ctx.lang, 'signIn')}</a></p>`,
  );
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
) {
  return layout(
    ctx,
    t(ctx.lang, 'account'),
    html`<p>${t(ctx.lang, 'signedInAs', { username })}</p>${message(ctx, notice, kind)}<h2>${t(ctx.lang, 'changePassword')}</h2><form method="post" action="/account/password">${csrfField(ctx)}${field(ctx, { name: 'currentPassword', label: 'currentPassword', type: 'password', autocomplete: 'current-password' })}${field(ctx, { name: 'newPassword', label: 'newPassword', type: 'password', autocomplete: 'new-password', minlength: 10 })}<button type="submit">${t(ctx.lang, 'changePassword')}</button></form><form method="post" action="/account/logout">${csrfField(ctx)}<button type="submit">${t(ctx.lang, 'signOut')}</button></form>`,
  );
}

export function createAccountRoutes(options: AccountRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { accounts, limiter, limits } = options;

  app.get('/register', (c) => c.html(registerPage(pageContext(c, options))));
  app.post('/register', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(
      c,
      z.object({ email: f.email, username: f.text(64), password: f.password, name: f.text(100).optional() }),
    );
    const ip = await limiter.hit(
      'register-ip',
      clientIp(c, options.trustProxy),
      limits.registerPerIpPerHour,
      3600,
    );
    if (!ip.allowed) throw tooMany(ip);
    const username = form.username.trim().toLowerCase();
    const values = { email: form.email, username: form.username, name: form.name ?? '' };
    if (!EMAIL_RE.test(form.email)) return c.html(registerPage(ctx, values, 'emailInvalid'), 400);
    if (!USERNAME_RE.test(username)) return c.html(registerPage(ctx, values, 'usernameInvalid'), 400);
    if (RESERVED_USERNAMES.has(username)) return c.html(registerPage(ctx, values, 'usernameTaken'), 409);
    if (form.password.length < 10) return c.html(registerPage(ctx, values, 'weakPassword'), 400);
    const r = await accounts.register({
      email: form.email,
      username,
      password: form.password,
      ...(form.name ? { name: form.name } : {}),
      headers: c.req.raw.headers,
    });
    if (!r.ok) {
      return c.html(
        registerPage(ctx, values, r.reason === 'username_taken' ? 'usernameTaken' : 'weakPassword'),
        r.reason === 'username_taken' ? 409 : 400,
      );
    }
    options.onRegistered?.();
    return c.html(notePage(ctx, 'register', 'registered', { email: form.email.toLowerCase() }, false), 201);
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
    if (!account) return c.html(loginForm(ctx, { action: '/account/login' }));
    return c.html(passwordForm(ctx, account.username));
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
    return c.redirect('/account', 303);
  });
  app.post('/account/password', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ currentPassword: f.password, newPassword: f.password }));
    const account = await accounts.sessionAccount(c.req.raw.headers);
    if (!account) return c.html(loginForm(ctx, { action: '/account/login' }), 401);
    const acct = await limiter.peek('login-fail', account.email, limits.loginPerAccountPerMinute);
    if (!acct.allowed) throw tooMany(acct);
    if (form.newPassword.length < 10) return c.html(passwordForm(ctx, account.username, 'weakPassword'), 400);
    const r = await accounts.changePassword({
      headers: c.req.raw.headers,
      currentPassword: form.currentPassword,
      newPassword: form.newPassword,
    });
    forwardCookies(c, r.setCookies);
    if (r.result === 'ok') return c.html(passwordForm(ctx, account.username, 'passwordChanged', 'note'));
    if (r.result === 'wrong_password') {
      await limiter.hit('login-fail', account.email, limits.loginPerAccountPerMinute, 60);
      return c.html(passwordForm(ctx, account.username, 'wrongPassword'), 400);
    }
    if (r.result === 'weak_password') return c.html(passwordForm(ctx, account.username, 'weakPassword'), 400);
    return c.html(loginForm(ctx, { action: '/account/login' }), 401);
  });
  app.post('/account/logout', async (c) => {
    await formBody(c, z.object({}));
    forwardCookies(c, await accounts.signOut(c.req.raw.headers));
    // Ends the provider session too, which logs the user out of Synapse (back-channel logout).
    return c.redirect('/session/end', 303);
  });

  return app;
}
