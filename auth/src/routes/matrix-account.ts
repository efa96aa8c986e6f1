/**
 * Account management for Matrix clients (delegated mode, MSC4191): Element X opens
 * `account_management_uri?action=<action>&device_id=<id>`; these pages answer those actions —
 * profile, the list of Matrix sessions (one per signed-in app and device), one session's details,
 * signing one out (which deletes the device in Synapse), and allowing a cross-signing reset.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Account, Accounts } from '../accounts/accounts.ts';
import type { MatrixModule, MatrixSession } from '../matrix/index.ts';
import { csrfField, html, layout, message, type Html, type PageContext } from '../pages/html.ts';
import { t } from '../pages/i18n.ts';
import { loginForm } from './interaction.ts';
import { f, formBody, pageContext, type AuthContext, type AuthEnv, type FormOptions } from './forms.ts';

/** MSC4191 actions (stable and unstable names) → our pages. */
const ACTIONS: Record<string, 'profile' | 'list' | 'view' | 'end' | 'cross-signing'> = {
  'org.matrix.profile': 'profile',
  'org.matrix.devices_list': 'list',
  'org.matrix.sessions_list': 'list',
  'org.matrix.device_view': 'view',
  'org.matrix.session_view': 'view',
  'org.matrix.device_delete': 'end',
  'org.matrix.session_end': 'end',
  'org.matrix.cross_signing_reset': 'cross-signing',
};

export const isMatrixAction = (action: string | undefined): boolean =>
  action !== undefined && action in ACTIONS;

const time = (ctx: PageContext, d: Date) =>
  d.toLocaleString(ctx.lang === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });

const back = (ctx: PageContext) => html`<p><a href="/account">${t(ctx.lang, 'backToAccount')}</a></p>`;

function endForm(ctx: PageContext, s: MatrixSession): Html {
  return html`<form method="post" action="/account/matrix/sessions/end">${csrfField(ctx)}<input type="hidden" name="device_id" value="${s.deviceId}"><button type="submit">${t(ctx.lang, 'sessionEnd')}</button></form>`;
}

function sessionsList(ctx: PageContext, sessions: MatrixSession[]): Html {
  if (sessions.length === 0) return html`<p>${t(ctx.lang, 'matrixSessionsNone')}</p>`;
  const rows = sessions.map(
    (s) =>
      html`<tr data-device-id="${s.deviceId}"><td>${s.clientName || s.clientId}</td><td><code>${s.deviceId}</code></td><td>${time(ctx, s.createdAt)}</td><td>${time(ctx, s.lastActiveAt)}</td><td><a href="/account?action=org.matrix.session_view&amp;device_id=${encodeURIComponent(s.deviceId)}">${t(ctx.lang, 'sessionView')}</a>${endForm(ctx, s)}</td></tr>`,
  );
  return html`<table><thead><tr><th>${t(ctx.lang, 'sessionClient')}</th><th>${t(ctx.lang, 'sessionDevice')}</th><th>${t(ctx.lang, 'sessionCreated')}</th><th>${t(ctx.lang, 'sessionLastActive')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

export interface MatrixAccountOptions extends FormOptions {
  accounts: Accounts;
  matrix: MatrixModule;
  matrixServerName: string;
}

/** The page for `?action=…` of a signed-in account. */
export async function matrixAccountPage(
  c: AuthContext,
  options: MatrixAccountOptions,
  account: Account,
): Promise<Response> {
  const ctx = pageContext(c, options);
  const kind = ACTIONS[c.req.query('action') ?? ''] ?? 'profile';
  const deviceId = c.req.query('device_id') ?? '';
  const { matrix } = options;
  const userId = `@${account.username}:${options.matrixServerName}`;
  switch (kind) {
    case 'profile':
      return c.html(
        layout(
          ctx,
          t(ctx.lang, 'profileTitle'),
          html`<dl><dt>${t(ctx.lang, 'matrixId')}</dt><dd><code>${userId}</code></dd><dt>${t(ctx.lang, 'username')}</dt><dd>${account.username}</dd><dt>${t(ctx.lang, 'name')}</dt><dd>${account.name}</dd><dt>${t(ctx.lang, 'email')}</dt><dd>${account.email}</dd></dl><p><a href="/account?action=org.matrix.sessions_list">${t(ctx.lang, 'matrixSessions')}</a></p>${back(ctx)}`,
        ),
      );
    case 'list':
      return c.html(
        layout(
          ctx,
          t(ctx.lang, 'matrixSessions'),
          html`${sessionsList(ctx, await matrix.listSessions(account.id))}${back(ctx)}`,
        ),
      );
    case 'view':
    case 'end': {
      const s = deviceId ? await matrix.findSession(account.id, deviceId) : undefined;
      if (!s)
        return c.html(
          layout(ctx, t(ctx.lang, 'matrixSessions'), html`${message(ctx, 'sessionUnknown')}${back(ctx)}`),
          404,
        );
      const client = s.clientName || s.clientId;
      const body =
        kind === 'view'
          ? html`<dl><dt>${t(ctx.lang, 'sessionClient')}</dt><dd>${client}</dd><dt>${t(ctx.lang, 'sessionDevice')}</dt><dd><code>${s.deviceId}</code></dd><dt>${t(ctx.lang, 'sessionCreated')}</dt><dd>${time(ctx, s.createdAt)}</dd><dt>${t(ctx.lang, 'sessionLastActive')}</dt><dd>${time(ctx, s.lastActiveAt)}</dd></dl>${endForm(ctx, s)}`
          : html`<p>${t(ctx.lang, 'sessionEndQuestion', { client, device: s.deviceId })}</p>${endForm(ctx, s)}`;
      return c.html(layout(ctx, t(ctx.lang, 'matrixSessions'), html`${body}${back(ctx)}`));
    }
    case 'cross-signing':
      return c.html(
        layout(
          ctx,
          t(ctx.lang, 'crossSigningTitle'),
          html`<p>${t(ctx.lang, 'crossSigningExplain')}</p><form method="post" action="/account/matrix/cross-signing-reset">${csrfField(ctx)}<button type="submit">${t(ctx.lang, 'crossSigningAllow')}</button></form>${back(ctx)}`,
        ),
      );
  }
}

/** The form posts of those pages. */
export function addMatrixAccountRoutes(app: Hono<AuthEnv>, options: MatrixAccountOptions): void {
  const signedIn = async (c: AuthContext) => options.accounts.sessionAccount(c.req.raw.headers);

  app.post('/account/matrix/sessions/end', async (c) => {
    const ctx = pageContext(c, options);
    const form = await formBody(c, z.object({ device_id: f.text(255) }));
    const account = await signedIn(c);
    if (!account) return c.html(loginForm(ctx, { action: '/account/login' }), 401);
    const s = await options.matrix.findSession(account.id, form.device_id);
    if (!s)
      return c.html(
        layout(ctx, t(ctx.lang, 'matrixSessions'), html`${message(ctx, 'sessionUnknown')}${back(ctx)}`),
        404,
      );
    await options.matrix.endSession(s.grantId);
    return c.html(
      layout(
        ctx,
        t(ctx.lang, 'matrixSessions'),
        html`${message(ctx, 'sessionEnded', 'note', { client: s.clientName || s.clientId, device: s.deviceId })}${sessionsList(ctx, await options.matrix.listSessions(account.id))}${back(ctx)}`,
      ),
    );
  });

  app.post('/account/matrix/cross-signing-reset', async (c) => {
    const ctx = pageContext(c, options);
    await formBody(c, z.object({}));
    const account = await signedIn(c);
    if (!account) return c.html(loginForm(ctx, { action: '/account/login' }), 401);
    await options.matrix.admin.allowCrossSigningReset(account.username);
    return c.html(
      layout(
        ctx,
        t(ctx.lang, 'crossSigningTitle'),
        html`${message(ctx, 'crossSigningAllowed', 'note')}${back(ctx)}`,
      ),
    );
  });
}
