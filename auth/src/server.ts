/**
 * The auth service: a Hono app (`createServiceApp`) with the pages, the credits API and the
 * OpenID Provider (Koa, mounted by path), plus its life cycle (key reload, expiry clean-up).
 */
import { createCachedVerifier, createTokenVerifier, CREDITS_AUDIENCE } from '@mana/auth-client';
import type { HttpBindings } from '@hono/node-server';
import { connect, loadMigrations, migrate, type Database } from '@mana/db';
import { createServiceApp, listen, type RunningServer, type Service } from '@mana/http';
import { createLogger, type Logger } from '@mana/logging';
import { createMetrics, type Metrics } from '@mana/metrics';
import type { Hono } from 'hono';
import { cors } from 'hono/cors';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import type Provider from 'oidc-provider';
import { createAccounts, type Accounts } from './accounts/accounts.ts';
import { createActivity, type Activity } from './accounts/activity.ts';
import { createLifecycle, type Lifecycle } from './accounts/lifecycle.ts';
import { createSynapseAdmin } from './matrix/synapse-admin.ts';
import type { AuthConfig } from './config.ts';
import { createCreditsModule, creditsConfigFrom, type CreditsModule } from './credits/index.ts';
import { createMailer } from './mail.ts';
import { createMatrixModule, type MatrixModule } from './matrix/index.ts';
import { createPostgresAdapter, deleteExpired } from './oidc/adapter.ts';
import { ensureKeys, keysFingerprint, loadKeys } from './oidc/keys.ts';
import { createProvider } from './oidc/provider.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { createAccountRoutes } from './routes/account.ts';
import { clientIp, type AuthContext, type AuthEnv } from './routes/forms.ts';
import { createInteractionRoutes } from './routes/interaction.ts';

export const AUTH_SCHEMA = 'auth';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Paths served by oidc-provider (relative to the issuer, which is mounted at the root). */
const PROVIDER_PATH =
  /^\/(?:\.well-known\/openid-configuration|jwks|auth(?:\/[^/]+)?|token(?:\/introspection|\/revocation)?|me|session\/end(?:\/confirm|\/success)?|request|backchannel|reg(?:\/[^/]+)?|device(?:\/[^/]+)?)$/;

export interface AuthService {
  config: AuthConfig;
  app: Hono<AuthEnv>;
  /** Dispatches to the provider or the Hono app; hand this to `listen`. */
  fetch(req: Request, env: HttpBindings): Promise<Response>;
  provider(): Provider;
  accounts: Accounts;
  /** Deactivate, reactivate, delete; in delegated mode also in Synapse (with retries). */
  lifecycle: Lifecycle;
  db: Database;
  redis: Redis;
  limiter: RateLimiter;
  metrics: Metrics;
  /** Who used the platform lately (`auth_active_users`). */
  activity: Activity;
  credits: CreditsModule;
  /** Delegated auth for Synapse; only with `AUTH_MATRIX_MODE=delegated`. */
  matrix: MatrixModule | undefined;
  /** Reloads the signing keys; rebuilds the provider when the published set or its order changed. */
  refreshKeys(now?: Date): Promise<boolean>;
  /** Starts the timers (key reload, expiry clean-up, credits sweeper). */
  start(): void;
  close(): Promise<void>;
}

export interface AuthServiceOptions {
  config: AuthConfig;
  logger?: Logger;
  metrics?: Metrics;
}

export async function createAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ service: 'auth', level: config.logLevel });
  const metrics = options.metrics ?? createMetrics({ service: 'auth' });
  const production = config.nodeEnv === 'production';

  const db = connect({ url: config.databaseUrl, schema: AUTH_SCHEMA, appName: 'mana-auth' });
  // The credits ledger's writes commit asynchronously and answer after a flush (see connect()).
  const ledgerDb = connect({
    url: config.databaseUrl,
    schema: AUTH_SCHEMA,
    appName: 'mana-auth-ledger',
    asyncCommit: true,
  });
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    return await assemble({ ...options, logger, metrics, production, db, ledgerDb, redis });
  } catch (err) {
    redis.disconnect();
    await Promise.all([db.close(), ledgerDb.close()]);
    throw err;
  }
}

async function assemble(
  options: AuthServiceOptions & {
    logger: Logger;
    metrics: Metrics;
    production: boolean;
    db: Database;
    ledgerDb: Database;
    redis: Redis;
  },
): Promise<AuthService> {
  const { config, logger, metrics, production, db, ledgerDb, redis } = options;
  await migrate(db.sql, { schema: AUTH_SCHEMA, migrations: await loadMigrations(MIGRATIONS_DIR) });
  // Before anything else: production without signing keys stops here.
  let keys = await ensureKeys(db.db, { production });
  await redis.connect();
  const limiter = createRateLimiter(redis, config.redisPrefix);

  const c = metrics.client;
  const counters = {
    attempts: new c.Counter({
      name: 'auth_login_attempts_total',
      help: 'Password sign-in attempts',
      registers: [metrics.registry],
    }),
    failures: new c.Counter({
      name: 'auth_login_failures_total',
      help: 'Failed password sign-ins (wrong password, unverified, rate-limited)',
      registers: [metrics.registry],
    }),
    tokens: new c.Counter({
      name: 'auth_tokens_issued_total',
      help: 'Tokens issued at the token endpoint by grant type',
      labelNames: ['grant'] as const,
      registers: [metrics.registry],
    }),
    registrations: new c.Counter({
      name: 'auth_registrations_total',
      help: 'Accounts registered',
      registers: [metrics.registry],
    }),
  };

  const activity = createActivity({ sql: db.sql, logger, metrics });

  const credits = createCreditsModule({
    sql: db.sql,
    ledgerSql: ledgerDb.sql,
    // Each bot or client repeats its token on every request: one Ed25519 verify per token.
    verifier: createCachedVerifier(
      createTokenVerifier({
        issuer: config.baseUrl,
        audience: CREDITS_AUDIENCE,
        jwksUri: `${config.baseUrl}/jwks`,
      }),
    ),
    logger,
    metrics,
    config: creditsConfigFrom(config),
    limiter,
    clientIp: (c) => clientIp(c as AuthContext, config.trustProxy),
  });
  await credits.migrate();

  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    outboxDir: config.outboxDir,
    db: db.db,
    logger,
  });
  // Delegated mode: Synapse's API for its auth server, shared by the life cycle and the Matrix module.
  const synapseAdmin =
    config.matrixMode === 'delegated'
      ? createSynapseAdmin({
          baseUrl: config.synapseInternalUrl || config.synapseBaseUrl,
          sharedSecret: config.matrixSharedSecret,
        })
      : undefined;
  const lifecycle = createLifecycle({
    sql: db.sql,
    logger,
    ...(synapseAdmin ? { admin: synapseAdmin } : {}),
  });
  const accounts = createAccounts({
    db: db.db,
    baseUrl: config.baseUrl,
    secret: config.secret,
    mailer,
    logger,
    trustedOrigins: [config.baseUrl, ...config.corsOrigins],
    cookieDomain: config.cookieDomain,
    // The one place new accounts get their starting credits.
    // Delegated mode: the Matrix user exists from sign-up on (a failed call is retried later).
    onAccountCreated: async (account) => {
      await credits.grantStartingBalance(account.id);
      await lifecycle.provision(account);
    },
  });

  const adapter = createPostgresAdapter(db.db, { refreshReuseGraceSec: config.refreshReuseGraceSec });
  let fingerprint = keysFingerprint(keys);
  // Assigned right below; the provider is rebuilt on key rotation, the module reads the current one.
  let current: { provider: Provider; callback: ReturnType<Provider['callback']> };
  const matrix =
    config.matrixMode === 'delegated'
      ? createMatrixModule({
          sql: db.sql,
          accounts,
          provider: () => current.provider,
          logger,
          limiter,
          synapseBaseUrl: config.synapseInternalUrl || config.synapseBaseUrl,
          sharedSecret: config.matrixSharedSecret,
          trustProxy: config.trustProxy,
          ...(synapseAdmin ? { admin: synapseAdmin } : {}),
        })
      : undefined;

  const build = (): { provider: Provider; callback: ReturnType<Provider['callback']> } => {
    const provider = createProvider({ config, keys: keys.map((k) => k.privateJwk), adapter, accounts });
    provider.on('grant.success', (ctx) => {
      counters.tokens.inc({
        grant: typeof ctx.oidc.params?.grant_type === 'string' ? ctx.oidc.params.grant_type : 'unknown',
      });
      // A token for an account (not client_credentials): that account is using Mana.
      const accountId = ctx.oidc.entities.AccessToken?.accountId;
      if (accountId) void activity.touch(accountId);
    });
    provider.on('server_error', (_ctx, err) => logger.error({ err }, 'oidc-provider server error'));
    provider.on('backchannel.error', (_ctx, err, client) =>
      logger.warn({ err, client: client.clientId }, 'back-channel logout failed'),
    );
    // Rate limits on the token endpoint, per IP and per client (from the Basic header).
    provider.use(async (ctx, next) => {
      // Delegated mode, per IP: client registration like sign-ups, device authorization like the
      // token endpoint, and user-code entry (guessing codes) like sign-in attempts.
      const perIp: Record<string, [bucket: string, limit: number, windowSec: number]> = {
        '/reg': ['client-register-ip', config.registerPerIpPerHour, 3600],
        '/device/auth': ['device-auth-ip', config.tokenPerIpPerMinute, 60],
        '/device': ['device-code-ip', config.loginPerIpPerMinute, 60],
      };
      const rule = ctx.method === 'POST' ? perIp[ctx.path] : undefined;
      if (rule) {
        const [bucket, limit, windowSec] = rule;
        const hit = await limiter.hit(bucket, ctx.ip || 'unknown', limit, windowSec);
        if (!hit.allowed) {
          ctx.status = 429;
          ctx.set('Retry-After', String(hit.retryAfter));
          ctx.body = { error: 'slow_down', error_description: 'too many requests, retry later' };
          return;
        }
      }
      if (ctx.method === 'POST' && ctx.path === '/token') {
        const ip = ctx.ip || 'unknown';
        const hits = [{ bucket: 'token-ip', key: ip, limit: config.tokenPerIpPerMinute, windowSec: 60 }];
        const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(ctx.get('authorization'));
        if (basic?.[1]) {
          const raw = Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] ?? '';
          let clientId = raw;
          try {
            clientId = decodeURIComponent(raw);
          } catch {
            // Malformed escapes: count it under the raw text; client authentication rejects it later.
          }
          if (clientId)
            hits.push({
              bucket: 'token-client',
              key: clientId.slice(0, 100),
              limit: config.tokenPerClientPerMinute,
              windowSec: 60,
            });
        }
        const over = await limiter.hitAll(hits);
        if (over) {
          ctx.status = 429;
          ctx.set('Retry-After', String(over.retryAfter));
          ctx.body = { error: 'slow_down', error_description: 'too many requests, retry later' };
          return;
        }
      }
      await next();
    });
    if (matrix) {
      provider.use(matrix.providerMiddleware);
      provider.on('grant.revoked', (ctx, grantId) => matrix.onGrantRevoked(ctx, grantId));
    }
    return { provider, callback: provider.callback() };
  };
  current = build();

  // Delegated mode: a username Synapse would refuse (taken, an appservice's namespace) is refused
  // at sign-up already.
  const localpartFree = matrix
    ? (localpart: string) => matrix.admin.isLocalpartAvailable(localpart)
    : undefined;
  const formOptions = { secure: config.baseUrl.startsWith('https://'), trustProxy: config.trustProxy };
  const app = createServiceApp<AuthEnv>({
    name: 'auth',
    logger,
    metrics,
    readiness: {
      postgres: () => db.sql`select 1`,
      redis: () => redis.ping(),
    },
    maxBodyBytes: 64 * 1024,
  });
  app.use('/api/*', cors({ origin: config.corsOrigins, credentials: true }));
  app.get('/', (ctx) => ctx.redirect('/account', 302));
  app.route(
    '/interaction',
    createInteractionRoutes({
      ...formOptions,
      provider: () => current.provider,
      accounts,
      limiter,
      limits: {
        perAccountPerMinute: config.loginPerAccountPerMinute,
        perIpPerMinute: config.loginPerIpPerMinute,
        registerPerIpPerHour: config.registerPerIpPerHour,
      },
      counters,
      ...(localpartFree ? { localpartFree } : {}),
    }),
  );
  app.route(
    '/',
    createAccountRoutes({
      ...formOptions,
      accounts,
      lifecycle,
      limiter,
      limits: config,
      onRegistered: () => counters.registrations.inc(),
      ...(localpartFree ? { localpartFree } : {}),
      ...(matrix ? { matrix: { module: matrix, serverName: config.matrixServerName } } : {}),
    }),
  );
  app.route('/api/v1/credits', credits.routes as unknown as Hono<AuthEnv>);
  if (matrix) app.route('/', matrix.routes);

  const providerFetch = async (req: Request, env: HttpBindings): Promise<Response> => {
    const started = performance.now();
    const { incoming, outgoing } = env;
    const route = new URL(req.url).pathname.replace(/^\/auth\/[^/]+$/, '/auth/:uid');
    await new Promise<void>((resolve) => {
      outgoing.once('finish', resolve);
      outgoing.once('close', resolve);
      void current.callback(incoming, outgoing);
    });
    const labels = { method: req.method, route, status: String(outgoing.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
  };

  const timers: NodeJS.Timeout[] = [];
  const service: AuthService = {
    config,
    app,
    async fetch(req, env) {
      if (env?.incoming && PROVIDER_PATH.test(new URL(req.url).pathname)) return providerFetch(req, env);
      return app.fetch(req, env);
    },
    provider: () => current.provider,
    accounts,
    lifecycle,
    db,
    redis,
    limiter,
    metrics,
    activity,
    credits,
    matrix,
    async refreshKeys(now = new Date()) {
      const next = await loadKeys(db.db, now);
      if (next.length === 0 || keysFingerprint(next) === fingerprint) return false;
      keys = next;
      fingerprint = keysFingerprint(next);
      current = build();
      logger.info({ kids: next.map((k) => k.kid) }, 'signing keys reloaded');
      return true;
    },
    start() {
      credits.start();
      const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
        const t = setInterval(() => {
          fn().catch((err: unknown) => logger.error({ err }, `${what} failed`));
        }, ms);
        t.unref();
        timers.push(t);
      };
      every(config.keysRefreshSeconds * 1000, () => service.refreshKeys(), 'key reload');
      if (synapseAdmin) {
        // Life-cycle calls Synapse missed (it was down): at start, then periodically.
        const retry = () => lifecycle.retryPending();
        void retry().catch((err: unknown) => logger.error({ err }, 'Synapse life-cycle retry failed'));
        every(config.matrixRetrySeconds * 1000, retry, 'Synapse life-cycle retry');
      }
      every(
        10 * 60 * 1000,
        async () => {
          await deleteExpired(db.db);
          await db.sql`delete from sessions where expires_at < now()`;
          await db.sql`delete from verifications where expires_at < now()`;
        },
        'expired-token clean-up',
      );
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await credits.stop();
      redis.disconnect();
      await Promise.all([db.close(), ledgerDb.close()]);
    },
  };
  return service;
}

/** A listening auth server, in the shape the shared life cycle (`runService`) drives. */
export interface AuthServer extends Service {
  service: AuthService;
  server: RunningServer;
  /** Closes the HTTP server, then the service (timers, Redis, Postgres). */
  stop(): Promise<void>;
}

/** Creates the service and listens on `config.port` (0 = any free port). */
export async function startAuthServer(options: AuthServiceOptions): Promise<AuthServer> {
  const service = await createAuthService(options);
  const server = await listen(
    { fetch: (req: Request, env?: unknown) => service.fetch(req, env as HttpBindings) },
    {
      port: options.config.port,
      host: options.config.host,
    },
  );
  service.start();
  return {
    service,
    server,
    async stop() {
      await server.close();
      await service.close();
    },
  };
}
