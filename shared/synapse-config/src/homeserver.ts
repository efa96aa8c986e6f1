/**
 * `homeserver.yaml` for Synapse, from a small set of documented options. Tests, `npm start` and
 * production all render through here, so what the tests run is what we deploy.
 */
import { renderDelegatedAuth, type DelegatedAuthConfig, type DelegatedAuthOptions } from './delegated.ts';
import { renderOidcProvider, type OidcProviderConfig, type OidcProviderOptions } from './oidc.ts';
import { rateLimitConfig, type RateLimitProfile } from './rate-limits.ts';
import { toYaml } from './yaml.ts';

/** Synapse's own database (never the platform's `DATABASE_URL`). */
export type DatabaseOptions =
  | {
      kind: 'sqlite';
      /** Path of the SQLite file as Synapse sees it. Dev and tests only. */
      path: string;
    }
  | {
      kind: 'postgres';
      host: string;
      /** Default 5432. */
      port?: number;
      user: string;
      password?: string;
      /** Database name. It must be created with `LC_COLLATE='C' LC_CTYPE='C'` (Synapse checks). */
      database: string;
      /** Connection pool bounds (Synapse's `cp_min` / `cp_max`). Defaults 5 and 10. */
      cpMin?: number;
      cpMax?: number;
    };

/** The one HTTP listener, serving the client (and optionally federation) API. */
export interface ListenerOptions {
  /** TCP port. Synapse's conventional port is 8008. Port 0 is not supported by Synapse. */
  port: number;
  /** Interfaces to bind. Default `['127.0.0.1']`; containers use `['0.0.0.0']`. */
  bindAddresses?: string[];
  /** Trust `X-Forwarded-For`/`-Proto` from a reverse proxy in front. Default false. */
  xForwarded?: boolean;
  /** Resources served. Default `['client', 'federation']`; tests serve only `client`. */
  resources?: ('client' | 'federation')[];
}

export interface HomeserverOptions {
  /** The domain in user ids (`@alice:<serverName>`). Cannot change once users exist. */
  serverName: string;
  /** Public URL clients reach Synapse at, e.g. `https://matrix.example.org/`. A trailing `/` is added. */
  publicBaseUrl: string;
  listener: ListenerOptions;
  database: DatabaseOptions;
  /** Shared secret for the admin registration API (`/_synapse/admin/v1/register`). */
  registrationSharedSecret: string;
  /** Signs access tokens and other macaroons. Changing it logs every user out. */
  macaroonSecretKey: string;
  /** Signs forms Synapse serves (consent, SSO confirmation pages). */
  formSecret: string;
  /** Path of the server's Ed25519 signing key; Synapse generates it at first start if missing. */
  signingKeyPath: string;
  /** Path of the Python logging config (see `renderLogConfig`). */
  logConfigPath: string;
  /** Directory for uploaded and cached media. */
  mediaStorePath: string;
  /**
   * Rate limits: `'default'` keeps Synapse's own (production), `'dev'` makes login and registration
   * limits fit one developer's machine (the local stack), `'off'` raises every limit far out of
   * reach (tests, benchmarks). Default `'default'`.
   */
  rateLimits?: RateLimitProfile;
  /** Open registration on the client API. Default false: accounts come from SSO or the admin API. */
  enableRegistration?: boolean;
  /** Paths of appservice registration files (see `renderAppserviceRegistration`). Default none. */
  appserviceConfigFiles?: string[];
  /**
   * Synapse's experimental switches for appservices with `e2ee` registrations:
   * `msc2409_to_device_messages_enabled` and `msc3202_transaction_extensions`. Default false.
   */
  appserviceE2ee?: boolean;
  /** Delegate login to our auth server (SSO, `oidc_providers`). Omit to keep only password login. */
  oidc?: OidcProviderOptions;
  /**
   * Password login on the client API (`password_config.enabled`). Default: on without `oidc`; off
   * with it, so clients offer only "Continue with Mana". Admin registration with the shared
   * secret works either way; tests that log in with passwords set it.
   */
  passwordLogin?: boolean;
  /**
   * URL prefixes of our own Matrix clients (`sso.client_whitelist`): after an SSO login Synapse
   * sends the browser straight back to them instead of asking "Continue to your account?". Each
   * gets a trailing `/` (so `https://app.example.org` does not also match
   * `https://app.example.org.evil.test`). Default none.
   */
  ssoClientWhitelist?: string[];
  /**
   * Delegate all authentication to our auth server (`matrix_authentication_service`, what Element X
   * needs). Excludes `oidc` and `enableRegistration`; password login is then off (Synapse's default).
   */
  delegatedAuth?: DelegatedAuthOptions;
  /**
   * Extra top-level keys merged last (shallowly, so they replace a rendered key as a whole).
   * For the odd setting no option covers; prefer adding an option.
   */
  extra?: Record<string, unknown>;
}

interface ListenerConfig {
  port: number;
  bind_addresses: string[];
  type: 'http';
  tls: false;
  x_forwarded: boolean;
  resources: { names: string[]; compress: boolean }[];
}

type DatabaseConfig =
  | { name: 'sqlite3'; args: { database: string } }
  | {
      name: 'psycopg2';
      args: {
        host: string;
        port: number;
        user: string;
        password?: string;
        dbname: string;
        cp_min: number;
        cp_max: number;
      };
    };

/** The rendered `homeserver.yaml`, typed for the keys we set. */
export interface HomeserverConfig {
  server_name: string;
  public_baseurl: string;
  listeners: ListenerConfig[];
  database: DatabaseConfig;
  registration_shared_secret: string;
  macaroon_secret_key: string;
  form_secret: string;
  signing_key_path: string;
  log_config: string;
  media_store_path: string;
  enable_registration: boolean;
  report_stats: false;
  suppress_key_server_warning: true;
  trusted_key_servers: never[];
  app_service_config_files: string[];
  oidc_providers?: OidcProviderConfig[];
  password_config?: { enabled: false };
  sso?: { client_whitelist: string[] };
  matrix_authentication_service?: DelegatedAuthConfig;
  [key: string]: unknown;
}

export function renderHomeserver(options: HomeserverOptions): HomeserverConfig {
  if (!options.serverName) throw new Error('serverName is required');
  if (
    !Number.isInteger(options.listener.port) ||
    options.listener.port <= 0 ||
    options.listener.port > 65535
  ) {
    throw new Error(
      `listener.port must be 1..65535 (Synapse cannot bind port 0), got ${options.listener.port}`,
    );
  }
  if (options.delegatedAuth && options.oidc)
    throw new Error('delegatedAuth and oidc exclude each other (Synapse refuses SSO with delegated auth)');
  if (options.delegatedAuth && options.enableRegistration)
    throw new Error('delegatedAuth and enableRegistration exclude each other (registration is at auth)');
  return {
    server_name: options.serverName,
    // Synapse builds URLs by appending to this, so it must end with a slash.
    public_baseurl: options.publicBaseUrl.endsWith('/') ? options.publicBaseUrl : `${options.publicBaseUrl}/`,
    listeners: [renderListener(options.listener)],
    database: renderDatabase(options.database),
    registration_shared_secret: options.registrationSharedSecret,
    macaroon_secret_key: options.macaroonSecretKey,
    form_secret: options.formSecret,
    signing_key_path: options.signingKeyPath,
    log_config: options.logConfigPath,
    media_store_path: options.mediaStorePath,
    enable_registration: options.enableRegistration ?? false,
    report_stats: false,
    // We do not fetch other servers' keys through matrix.org: no federation in tests, and in
    // production the operator opts in by overriding `trusted_key_servers` explicitly.
    suppress_key_server_warning: true,
    trusted_key_servers: [],
    app_service_config_files: options.appserviceConfigFiles ?? [],
    ...(options.appserviceE2ee
      ? {
          experimental_features: {
            msc2409_to_device_messages_enabled: true,
            msc3202_transaction_extensions: true,
          },
        }
      : {}),
    ...(options.oidc ? { oidc_providers: [renderOidcProvider(options.oidc)] } : {}),
    ...(options.delegatedAuth
      ? { matrix_authentication_service: renderDelegatedAuth(options.delegatedAuth) }
      : {}),
    ...((options.passwordLogin ?? (!options.oidc && !options.delegatedAuth))
      ? {}
      : { password_config: { enabled: false } }),
    ...(options.ssoClientWhitelist && options.ssoClientWhitelist.length > 0
      ? { sso: { client_whitelist: options.ssoClientWhitelist.map(withTrailingSlash) } }
      : {}),
    ...rateLimitConfig(options.rateLimits),
    ...options.extra,
  };
}

export function renderHomeserverYaml(options: HomeserverOptions): string {
  return toYaml(renderHomeserver(options), 'homeserver.yaml');
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function renderListener(listener: ListenerOptions): ListenerConfig {
  return {
    port: listener.port,
    bind_addresses: listener.bindAddresses ?? ['127.0.0.1'],
    type: 'http',
    // TLS terminates at the reverse proxy (or does not exist, in tests).
    tls: false,
    x_forwarded: listener.xForwarded ?? false,
    resources: [{ names: listener.resources ?? ['client', 'federation'], compress: false }],
  };
}

function renderDatabase(db: DatabaseOptions): DatabaseConfig {
  if (db.kind === 'sqlite') return { name: 'sqlite3', args: { database: db.path } };
  return {
    name: 'psycopg2',
    args: {
      host: db.host,
      port: db.port ?? 5432,
      user: db.user,
      ...(db.password === undefined ? {} : { password: db.password }),
      dbname: db.database,
      cp_min: db.cpMin ?? 5,
      cp_max: db.cpMax ?? 10,
    },
  };
}

/**
 * `postgres://user:pass@host:5432/synapse` → Synapse's psycopg2 options, so deploy can hand over
 * one URL like every other service.
 */
export function postgresOptionsFromUrl(url: string): Extract<DatabaseOptions, { kind: 'postgres' }> {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`not a postgres:// URL: ${u.protocol}//…`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new Error('the postgres URL names no database');
  return {
    kind: 'postgres',
    host: decodeURIComponent(u.hostname),
    ...(u.port ? { port: Number(u.port) } : {}),
    user: decodeURIComponent(u.username) || 'postgres',
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    database,
  };
}
