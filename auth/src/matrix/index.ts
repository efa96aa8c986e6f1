/**
 * Delegated auth (`AUTH_MATRIX_MODE=delegated`): auth plays the Matrix Authentication Service's
 * part for Synapse. This module holds what oidc-provider does not do itself:
 *
 * - `POST /oauth2/introspect`, authenticated with the shared secret, in the shape Synapse reads
 *   (`synapse/api/auth/mas.py`): `active`, `scope`, `username` (localpart), `sub`, `device_id`,
 *   `expires_in`. Only opaque Matrix tokens (`aud` = `MATRIX_AUDIENCE`) are ever active.
 * - provisioning through `/_synapse/mas/*`: the user and the device exist in Synapse *before* the
 *   token response leaves (a token whose device Synapse does not know is refused there);
 * - Matrix sessions (one grant = one device): listing them, and ending one — by revocation, refresh
 *   token reuse, or the account page — deletes the device in Synapse, which also invalidates
 *   Synapse's introspection cache for its tokens.
 */
import { MATRIX_AUDIENCE } from '@mana/auth-client';
import { timingSafeEqual } from 'node:crypto';
import type { Sql } from '@mana/db';
import type { Logger } from '@mana/logging';
import { Hono } from 'hono';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../accounts/accounts.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { clientIp, type AuthEnv } from '../routes/forms.ts';
import { createSynapseAdmin, type SynapseAdmin } from './synapse-admin.ts';
import { deviceIds, hasMatrixApi, newDeviceId, MATRIX_DEVICE_PREFIXES } from './scopes.ts';

export interface MatrixSession {
  grantId: string;
  clientId: string;
  clientName: string;
  deviceId: string;
  createdAt: Date;
  lastActiveAt: Date;
}

export interface MatrixModuleOptions {
  sql: Sql;
  accounts: Accounts;
  provider: () => Provider;
  logger: Logger;
  limiter: RateLimiter;
  synapseBaseUrl: string;
  sharedSecret: string;
  trustProxy: boolean;
  /** Failed introspection authentications per IP per minute before 429. */
  introspectFailuresPerMinute?: number;
  /** Injected in tests. */
  admin?: SynapseAdmin;
}

export interface MatrixModule {
  admin: SynapseAdmin;
  /** `POST /oauth2/introspect`. */
  routes: Hono<AuthEnv>;
  /** Koa middleware for the provider: device scope default, provisioning, session clean-up. */
  providerMiddleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;
  /** Call from `provider.on('grant.revoked')`: remembers the grant so the middleware ends it. */
  onGrantRevoked(ctx: KoaContextWithOIDC, grantId: string): void;
  listSessions(accountId: string): Promise<MatrixSession[]>;
  findSession(accountId: string, deviceId: string): Promise<MatrixSession | undefined>;
  /** Revokes the grant (every token) and deletes the device in Synapse. */
  endSession(grantId: string): Promise<void>;
}

const REVOKED = Symbol('revokedGrants');
type WithRevoked = { [REVOKED]?: string[] };

export function createMatrixModule(options: MatrixModuleOptions): MatrixModule {
  const { sql, accounts, logger } = options;
  const admin =
    options.admin ??
    createSynapseAdmin({ baseUrl: options.synapseBaseUrl, sharedSecret: options.sharedSecret });
  const secret = Buffer.from(options.sharedSecret);
  const failLimit = options.introspectFailuresPerMinute ?? 30;

  const bearerOk = (header: string | undefined): boolean => {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m?.[1]) return false;
    const sent = Buffer.from(m[1]);
    return sent.length === secret.length && timingSafeEqual(sent, secret);
  };

  const rowToSession = (r: Record<string, unknown>): MatrixSession => ({
    grantId: String(r.grant_id),
    clientId: String(r.client_id),
    clientName: String(r.client_name),
    deviceId: String(r.device_id),
    createdAt: r.created_at as Date,
    lastActiveAt: r.last_active_at as Date,
  });

  /** Deletes the device and forgets the session; the grant is already gone or going. */
  const sessionGone = async (grantId: string): Promise<void> => {
    const rows = await sql`
      delete from matrix_sessions where grant_id = ${grantId}
      returning account_id, device_id`;
    for (const row of rows) {
      const account = await accounts.findById(String(row.account_id));
      if (!account) continue;
      await admin.deleteDevice({ localpart: account.username, deviceId: String(row.device_id) });
    }
  };

  const revokeGrant = async (provider: Provider, grantId: string): Promise<void> => {
    const grant = await provider.Grant.find(grantId);
    await grant?.destroy();
    // One table holds every model: this removes the grant's codes and tokens.
    await provider.AccessToken.revokeByGrantId(grantId);
  };

  /** After a Matrix token response: the user and the device must exist in Synapse. */
  const provision = async (provider: Provider, accessToken: string): Promise<void> => {
    const at = await provider.AccessToken.find(accessToken);
    if (!at?.accountId || !at.grantId) throw new Error('issued token not found');
    const account = await accounts.findById(at.accountId);
    if (!account) throw new Error('account of the token not found');
    const [deviceId] = deviceIds(at.scope);
    if (!deviceId) throw new Error('Matrix token without a device');
    const client = await provider.Client.find(at.clientId ?? '');
    const clientName = client?.clientName ?? at.clientId ?? '';
    await admin.provisionUser({
      localpart: account.username,
      ...(account.name ? { displayName: account.name } : {}),
      emails: account.emailVerified ? [account.email] : [],
    });
    // A device id already used by another session of the account: that session ends first.
    const previous = await sql`
      select grant_id from matrix_sessions
      where account_id = ${account.id} and device_id = ${deviceId} and grant_id <> ${at.grantId}`;
    for (const row of previous) {
      await revokeGrant(provider, String(row.grant_id));
      await sql`delete from matrix_sessions where grant_id = ${String(row.grant_id)}`;
    }
    await admin.upsertDevice({ localpart: account.username, deviceId, displayName: clientName });
    await sql`
      insert into matrix_sessions (grant_id, account_id, client_id, client_name, device_id)
      values (${at.grantId}, ${account.id}, ${at.clientId ?? ''}, ${clientName}, ${deviceId})
      on conflict (grant_id) do update set last_active_at = now()`;
  };

  const lastTouched = new Map<string, number>();
  const routes = new Hono<AuthEnv>();
  routes.post('/oauth2/introspect', async (c) => {
    const ip = clientIp(c, options.trustProxy);
    if (!bearerOk(c.req.header('authorization'))) {
      const hit = await options.limiter.hit('introspect-fail', ip, failLimit, 60);
      if (!hit.allowed) {
        c.header('Retry-After', String(hit.retryAfter));
        return c.json({ error: 'slow_down', error_description: 'too many requests, retry later' }, 429);
      }
      c.header('WWW-Authenticate', 'Bearer');
      return c.json({ error: 'invalid_client', error_description: 'wrong or missing shared secret' }, 401);
    }
    let token = '';
    try {
      const body = await c.req.parseBody();
      token = typeof body.token === 'string' ? body.token : '';
    } catch {
      return c.json({ error: 'invalid_request', error_description: 'expected a form body' }, 400);
    }
    const inactive = () => c.json({ active: false });
    if (!token || token.length > 512) return inactive();
    const provider = options.provider();
    const at = await provider.AccessToken.find(token);
    if (!at || at.isExpired || !at.accountId || !at.grantId) return inactive();
    // Only tokens minted for Synapse (never the web app's or the bots').
    if (at.aud !== MATRIX_AUDIENCE || !hasMatrixApi(at.scope)) return inactive();
    const [grant, account] = await Promise.all([
      provider.Grant.find(at.grantId),
      accounts.findById(at.accountId),
    ]);
    if (!grant || !account) return inactive();
    const [deviceId] = deviceIds(at.scope);
    // "Last active" has minute resolution: one write per session per minute, not per request
    // (Synapse introspects each new token and again whenever its cache entry expires).
    const nowMs = Date.now();
    if ((lastTouched.get(at.grantId) ?? 0) < nowMs - 60_000) {
      if (lastTouched.size > 10_000) lastTouched.clear();
      lastTouched.set(at.grantId, nowMs);
      void sql`
        update matrix_sessions set last_active_at = now()
        where grant_id = ${at.grantId} and last_active_at < now() - interval '1 minute'`.catch(
        (err: unknown) => logger.warn({ err }, 'matrix session activity update failed'),
      );
    }
    const now = Math.floor(Date.now() / 1000);
    return c.json({
      active: true,
      scope: at.scope ?? '',
      client_id: at.clientId,
      username: account.username,
      sub: account.id,
      token_type: 'access_token',
      iat: at.iat,
      exp: at.exp,
      expires_in: Math.max(0, (at.exp ?? now) - now),
      ...(deviceId ? { device_id: deviceId } : {}),
    });
  });

  const providerMiddleware: MatrixModule['providerMiddleware'] = async (ctx, next) => {
    // Matrix clients that ask for the API without naming a device get a fresh one (as from MAS).
    if (ctx.method === 'GET' && ctx.path === '/auth') {
      const scope = typeof ctx.query.scope === 'string' ? ctx.query.scope : '';
      const names = scope.split(' ');
      if (hasMatrixApi(scope) && !names.some((s) => MATRIX_DEVICE_PREFIXES.some((p) => s.startsWith(p)))) {
        const stable = names.includes('urn:matrix:client:api:*');
        const device = `${stable ? MATRIX_DEVICE_PREFIXES[0] : MATRIX_DEVICE_PREFIXES[1]}${newDeviceId()}`;
        ctx.query = { ...ctx.query, scope: `${scope} ${device}` };
      }
    }
    await next();
    const state = ctx as unknown as WithRevoked;
    for (const grantId of state[REVOKED] ?? []) {
      try {
        await sessionGone(grantId);
      } catch (err) {
        logger.error({ err, grantId }, 'deleting the Matrix device of a revoked session failed');
      }
    }
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { access_token?: unknown; scope?: unknown } | undefined;
    const grantType = ctx.oidc?.params?.grant_type;
    if (typeof body?.access_token !== 'string' || typeof body.scope !== 'string' || !hasMatrixApi(body.scope))
      return;
    if (grantType !== 'authorization_code' && grantType !== 'urn:ietf:params:oauth:grant-type:device_code')
      return;
    try {
      await provision(ctx.oidc.provider, body.access_token);
    } catch (err) {
      logger.error({ err }, 'provisioning the Matrix user or device failed; token withdrawn');
      const at = await ctx.oidc.provider.AccessToken.find(body.access_token).catch(() => undefined);
      if (at?.grantId) await revokeGrant(ctx.oidc.provider, at.grantId).catch(() => undefined);
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description: 'the homeserver could not set up this session; try again',
      };
    }
  };

  return {
    admin,
    routes,
    providerMiddleware,
    onGrantRevoked(ctx, grantId) {
      const state = ctx as unknown as WithRevoked;
      (state[REVOKED] ??= []).push(grantId);
    },
    async listSessions(accountId) {
      const rows = await sql`
        select * from matrix_sessions where account_id = ${accountId} order by created_at desc`;
      return rows.map(rowToSession);
    },
    async findSession(accountId, deviceId) {
      const [row] = await sql`
        select * from matrix_sessions where account_id = ${accountId} and device_id = ${deviceId}`;
      return row ? rowToSession(row) : undefined;
    },
    async endSession(grantId) {
      await revokeGrant(options.provider(), grantId);
      await sessionGone(grantId);
    },
  };
}
