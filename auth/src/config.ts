/**
 * Every variable auth reads, declared once (`AUTH_` prefix). Parsed once at start-up by `loadAuthConfig`;
 * production refuses the development defaults of secrets.
 */
import { ConfigError, defineConfig, loadConfig, vars, type ConfigOf } from '@mana/config';
import { z } from 'zod';
import { creditsConfigVars } from './credits/config.ts';

/** Development-only secrets; `loadAuthConfig` refuses them when `AUTH_NODE_ENV=production`. */
export const DEV_SECRETS = {
  secret: 'dev-only-auth-secret-change-me-0123456789abcdef',
  synapseClientSecret: 'dev-only-synapse-client-secret-0123456789',
  botsClientSecret: 'dev-only-bots-client-secret-0123456789abcd',
} as const;

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const seconds = (def: number, doc: string) =>
  ({ schema: z.coerce.number().int().min(1), default: String(def), doc }) as const;
const limit = (def: number, doc: string) =>
  ({ schema: z.coerce.number().int().min(1), default: String(def), doc }) as const;
const secret = (key: keyof typeof DEV_SECRETS, doc: string) =>
  ({ ...vars.secret(doc), default: DEV_SECRETS[key] }) as const;

export const authConfigSpec = defineConfig('AUTH_', {
  nodeEnv: vars.nodeEnv(),
  port: vars.port(3001),
  host: vars.host(),
  baseUrl: {
    ...vars.url('Public URL of auth; the OIDC issuer, exactly (no trailing slash)', 'http://localhost:3001'),
    schema: z.url().refine((u) => !u.endsWith('/'), 'must not end with a slash'),
  },
  logLevel: vars.logLevel(),
  drainTimeoutMs: vars.drainTimeoutMs(),
  databaseUrl: vars.databaseUrl(),
  redisUrl: vars.redisUrl(),
  redisPrefix: { schema: z.string(), default: 'mana:auth:', doc: 'Prefix of every Redis key auth writes' },
  secret: secret('secret', 'Signs cookies, CSRF tokens and better-auth sessions (32+ chars)'),
  trustProxy: {
    schema: z.stringbool(),
    default: 'false',
    doc: 'Trust X-Forwarded-For/-Proto from a reverse proxy (client IP for rate limits, https)',
  },
  matrixServerName: {
    schema: z.string().min(1),
    default: 'localhost',
    doc: 'Matrix server_name: @<username>:<this> is the Matrix ID of an account',
  },
  synapseBaseUrl: vars.url(
    "Synapse's public_baseurl (the synapse client's redirect URIs derive from it)",
    'http://localhost:8008',
  ),
  matrixMode: {
    schema: z.enum(['sso', 'delegated']),
    default: 'sso',
    doc: "sso = Synapse logs in through oidc_providers (HS_AUTH_MODE=sso); delegated = auth is Synapse's matrix_authentication_service (Element X): Matrix scopes, introspection, client registration, device grant",
  },
  matrixSharedSecret: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: 'Delegated mode: the secret shared with Synapse (its HS_MAS_SECRET), 32+ chars: Synapse introspects with it, auth calls /_synapse/mas/* with it',
  },
  synapseInternalUrl: {
    schema: z.union([z.literal(''), z.url()]),
    default: '',
    doc: "Delegated mode: where auth calls Synapse's /_synapse/mas/* API (e.g. http://synapse:8008, not exposed publicly); empty = AUTH_SYNAPSE_BASE_URL",
  },
  synapseClientSecret: secret('synapseClientSecret', 'Secret of the `synapse` OIDC client'),
  botsClientSecret: secret(
    'botsClientSecret',
    'Secret of the `bots` OIDC client (client_credentials, token exchange)',
  ),
  botsScope: {
    schema: z.string().min(1),
    default: 'sync credits',
    doc: 'Scopes the bots client may request and receive in exchanged tokens',
  },
  webRedirectUris: {
    schema: list,
    default: 'http://localhost:5173/auth/callback',
    doc: 'Comma-separated redirect URIs of the `web` public client',
  },
  webPostLogoutRedirectUris: {
    schema: list,
    default: 'http://localhost:5173/',
    doc: 'Comma-separated post-logout redirect URIs of the `web` client',
  },
  firstPartyClients: {
    schema: list,
    default: 'synapse,web,bots',
    doc: 'Clients that skip the consent page',
  },
  corsOrigins: {
    schema: list,
    default: 'http://localhost:5173',
    doc: 'Comma-separated origins allowed to call auth from a browser (CORS)',
  },
  cookieDomain: {
    schema: z.string(),
    default: '',
    doc: 'Set e.g. `.example.org` to share the session cookie across subdomains; empty = host only',
  },
  smtpUrl: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: 'smtp(s)://user:pass@host:port for outgoing mail; empty = local outbox table (development, tests)',
  },
  outboxDir: {
    schema: z.string(),
    default: '',
    doc: 'Without SMTP: also write each mail as a text file into this directory (development); the outbox table always gets it',
  },
  mailFrom: {
    schema: z.string().min(3),
    default: 'Mana <no-reply@localhost>',
    doc: 'From: of outgoing mail',
  },
  accessTokenTtl: seconds(900, 'Lifetime of access tokens (seconds)'),
  exchangeTokenTtl: {
    schema: z.coerce.number().int().min(1).max(900),
    default: '300',
    doc: 'Lifetime of token-exchange tokens (seconds, at most 900)',
  },
  refreshReuseGraceSec: {
    schema: z.coerce.number().int().min(0).max(120),
    default: '30',
    doc: 'A rotated refresh token may be used again for this many seconds (a response lost to a page navigation or a dropped connection must not sign the user out); later reuse revokes the grant. 0: never',
  },
  matrixRetrySeconds: seconds(
    60,
    'Delegated mode: how often a failed Synapse call of the account life cycle (provision_user, delete_user, reactivate_user) is retried; also at start',
  ),
  deviceCodeTtl: {
    schema: z.coerce.number().int().min(5).max(1800),
    default: '600',
    doc: 'Delegated mode: lifetime of a device-grant code (RFC 8628), seconds (5–1800); the client polls with it, the user types its user code on /device',
  },
  keysRefreshSeconds: seconds(60, 'How often the server reloads signing keys (picks up rotations)'),
  verifyResendCooldown: seconds(60, 'Seconds between two verification emails to one address'),
  loginPerAccountPerMinute: limit(10, 'Wrong passwords per account per minute before 429'),
  loginPerIpPerMinute: limit(60, 'Login attempts per IP per minute before 429'),
  registerPerIpPerHour: limit(20, 'Registrations per IP per hour before 429'),
  resetPerIpPerHour: limit(20, 'Password-reset requests per IP per hour before 429'),
  resetPerAccountPerHour: limit(5, 'Password-reset requests per email per hour before 429'),
  tokenPerIpPerMinute: limit(1200, 'Token endpoint requests per IP per minute before 429'),
  tokenPerClientPerMinute: limit(1200, 'Token endpoint requests per client per minute before 429'),
  // AUTH_CREDITS_*: the credits module's settings (auth/src/credits).
  ...creditsConfigVars,
});

export type AuthConfig = ConfigOf<typeof authConfigSpec>;

/** Parses `env` and applies the production rules (no development secrets). */
export function loadAuthConfig(env: Readonly<Record<string, string | undefined>> = process.env): AuthConfig {
  const config = loadConfig(authConfigSpec, env);
  if (config.matrixMode === 'delegated' && config.matrixSharedSecret.length < 32)
    throw new ConfigError([
      {
        variable: 'AUTH_MATRIX_SHARED_SECRET',
        message: 'must be at least 32 characters when AUTH_MATRIX_MODE=delegated',
      },
    ]);
  if (config.nodeEnv === 'production') {
    const issues = (Object.keys(DEV_SECRETS) as (keyof typeof DEV_SECRETS)[])
      .filter((k) => config[k] === DEV_SECRETS[k])
      .map((k) => ({
        variable: `AUTH_${k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`,
        message: 'uses the development default; set a real secret in production',
      }));
    if (!config.baseUrl.startsWith('https://'))
      issues.push({ variable: 'AUTH_BASE_URL', message: 'must be https:// in production' });
    if (issues.length > 0) throw new ConfigError(issues);
  }
  return config;
}

/** Test helper: a config from overrides on top of the defaults. */
export function authConfigFor(overrides: Partial<Record<string, string>>): AuthConfig {
  return loadAuthConfig({ ...overrides });
}
