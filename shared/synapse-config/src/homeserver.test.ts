import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  postgresOptionsFromUrl,
  renderHomeserver,
  renderHomeserverYaml,
  type HomeserverOptions,
} from './homeserver.ts';
import { renderDelegatedAuth } from './delegated.ts';
import { renderWellKnownClient } from './well-known.ts';

const base: HomeserverOptions = {
  serverName: 'mana.test',
  publicBaseUrl: 'http://127.0.0.1:8008',
  listener: { port: 8008 },
  database: { kind: 'sqlite', path: '/data/homeserver.db' },
  registrationSharedSecret: 'reg-secret',
  macaroonSecretKey: 'macaroon-secret',
  formSecret: 'form-secret',
  signingKeyPath: '/data/signing.key',
  logConfigPath: '/config/log.config',
  mediaStorePath: '/data/media_store',
};

const rateLimitKeys = (config: object) => Object.keys(config).filter((k) => k.startsWith('rc_'));

describe('renderHomeserver', () => {
  it('renders safe defaults: closed registration, no stats, no key servers, no SSO, no appservices', () => {
    const config = renderHomeserver(base);
    expect(config).toMatchObject({
      server_name: 'mana.test',
      public_baseurl: 'http://127.0.0.1:8008/',
      enable_registration: false,
      report_stats: false,
      suppress_key_server_warning: true,
      trusted_key_servers: [],
      app_service_config_files: [],
      registration_shared_secret: 'reg-secret',
      macaroon_secret_key: 'macaroon-secret',
      form_secret: 'form-secret',
      signing_key_path: '/data/signing.key',
      log_config: '/config/log.config',
      media_store_path: '/data/media_store',
      database: { name: 'sqlite3', args: { database: '/data/homeserver.db' } },
    });
    expect(config.listeners).toEqual([
      {
        port: 8008,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client', 'federation'], compress: false }],
      },
    ]);
    expect(config).not.toHaveProperty('oidc_providers');
    expect(rateLimitKeys(config)).toEqual([]);
  });

  it('adds the OIDC provider only when configured, with the documented block', () => {
    const config = renderHomeserver({
      ...base,
      oidc: { issuer: 'https://auth.example.org', clientSecret: 'client-secret' },
    });
    expect(config.oidc_providers).toEqual([
      {
        idp_id: 'mana',
        idp_name: 'Mana',
        discover: true,
        issuer: 'https://auth.example.org',
        client_id: 'synapse',
        client_secret: 'client-secret',
        client_auth_method: 'client_secret_basic',
        scopes: ['openid', 'profile', 'email'],
        user_profile_method: 'userinfo_endpoint',
        allow_existing_users: true,
        backchannel_logout_enabled: true,
        user_mapping_provider: {
          config: {
            localpart_template: '{{ user.preferred_username }}',
            display_name_template: '{{ user.name }}',
            email_template: '{{ user.email }}',
          },
        },
      },
    ]);
  });

  it('sets skip_verification only when asked (http issuers in tests)', () => {
    const config = renderHomeserver({
      ...base,
      oidc: {
        issuer: 'http://127.0.0.1:3001',
        clientSecret: 's',
        clientId: 'synapse-test',
        skipVerification: true,
      },
    });
    expect(config.oidc_providers?.[0]).toMatchObject({ client_id: 'synapse-test', skip_verification: true });
  });

  it('raises every rate limit far out of reach in test mode', () => {
    const config = renderHomeserver({ ...base, rateLimits: 'off' });
    const keys = rateLimitKeys(config);
    expect(keys).toEqual(
      expect.arrayContaining([
        'rc_message',
        'rc_login',
        'rc_registration',
        'rc_joins',
        'rc_invites',
        'rc_3pid_validation',
      ]),
    );
    type Bucket = { per_second: number; burst_count: number };
    const buckets = keys.flatMap((key) => {
      const value = config[key] as Bucket | Record<string, Bucket>;
      return 'per_second' in value ? [value as Bucket] : Object.values(value);
    });
    expect(buckets.length).toBeGreaterThan(keys.length);
    for (const bucket of buckets) {
      expect(Object.keys(bucket).sort()).toEqual(['burst_count', 'per_second']);
      const { per_second, burst_count } = bucket;
      expect(per_second).toBeGreaterThanOrEqual(10_000);
      expect(burst_count).toBeGreaterThanOrEqual(10_000);
    }
  });

  it('keeps Synapse’s own rate limits by default (production)', () => {
    expect(rateLimitKeys(renderHomeserver(base))).toEqual([]);
    expect(rateLimitKeys(renderHomeserver({ ...base, rateLimits: 'default' }))).toEqual([]);
  });

  it('dev: login and registration limits fit one developer’s machine, the rest stays Synapse’s', () => {
    const config = renderHomeserver({ ...base, rateLimits: 'dev' });
    expect(rateLimitKeys(config).sort()).toEqual(['rc_login', 'rc_registration']);
    const login = config.rc_login as Record<string, { per_second: number; burst_count: number }>;
    expect(Object.keys(login).sort()).toEqual(['account', 'address', 'failed_attempts']);
    // Synapse's defaults: burst 5 (3 failed), refilled at 0.003/s — minutes of 429 after a few sign-ins.
    for (const bucket of [
      ...Object.values(login),
      config.rc_registration as { per_second: number; burst_count: number },
    ]) {
      expect(bucket.burst_count).toBeGreaterThanOrEqual(50);
      expect(bucket.per_second).toBeGreaterThanOrEqual(1);
      // Generous, not unlimited: that is what 'off' is for.
      expect(bucket.burst_count).toBeLessThan(10_000);
    }
  });

  it('SSO turns password login off (clients show only “Continue with Mana”) unless asked to keep it', () => {
    const oidc = { issuer: 'https://auth.example.org', clientSecret: 'x' };
    expect(renderHomeserver({ ...base, oidc })).toMatchObject({ password_config: { enabled: false } });
    expect(renderHomeserver({ ...base, oidc, passwordLogin: true })).not.toHaveProperty('password_config');
    // Without SSO passwords are the only way in.
    expect(renderHomeserver(base)).not.toHaveProperty('password_config');
    expect(renderHomeserver({ ...base, passwordLogin: false })).toMatchObject({
      password_config: { enabled: false },
    });
    // The shared secret for admin registration is there either way.
    expect(renderHomeserver({ ...base, oidc })).toMatchObject({ registration_shared_secret: 'reg-secret' });
  });

  it('lists our own clients in sso.client_whitelist, each with a trailing slash', () => {
    expect(renderHomeserver(base)).not.toHaveProperty('sso');
    expect(renderHomeserver({ ...base, ssoClientWhitelist: [] })).not.toHaveProperty('sso');
    expect(
      renderHomeserver({
        ...base,
        ssoClientWhitelist: ['https://app.example.org', 'https://element.example.org/'],
      }).sso,
    ).toEqual({ client_whitelist: ['https://app.example.org/', 'https://element.example.org/'] });
  });

  it('renders psycopg2 args for Postgres', () => {
    const config = renderHomeserver({
      ...base,
      database: { kind: 'postgres', host: 'db', user: 'synapse', password: 'pw', database: 'synapse' },
    });
    expect(config.database).toEqual({
      name: 'psycopg2',
      args: {
        host: 'db',
        port: 5432,
        user: 'synapse',
        password: 'pw',
        dbname: 'synapse',
        cp_min: 5,
        cp_max: 10,
      },
    });
  });

  it('lists appservice files, listener options and lets extra keys win', () => {
    const config = renderHomeserver({
      ...base,
      listener: { port: 9000, bindAddresses: ['0.0.0.0'], xForwarded: true, resources: ['client'] },
      appserviceConfigFiles: ['/config/appservice-mana-bots.yaml'],
      rateLimits: 'off',
      extra: { rc_message: { per_second: 1, burst_count: 1 }, presence: { enabled: false } },
    });
    expect(config.app_service_config_files).toEqual(['/config/appservice-mana-bots.yaml']);
    expect(config.listeners[0]).toMatchObject({
      port: 9000,
      bind_addresses: ['0.0.0.0'],
      x_forwarded: true,
      resources: [{ names: ['client'], compress: false }],
    });
    expect(config.rc_message).toEqual({ per_second: 1, burst_count: 1 });
    expect(config.presence).toEqual({ enabled: false });
  });

  it('turns on the appservice E2EE extensions (MSC2409 to-device, MSC3202) only when asked', () => {
    expect(renderHomeserver({ ...base, appserviceE2ee: true }).experimental_features).toEqual({
      msc2409_to_device_messages_enabled: true,
      msc3202_transaction_extensions: true,
    });
    expect(renderHomeserver(base)).not.toHaveProperty('experimental_features');
  });

  it('rejects port 0, which Synapse cannot bind', () => {
    expect(() => renderHomeserver({ ...base, listener: { port: 0 } })).toThrow(/port/);
  });

  it('round-trips through YAML', () => {
    const options: HomeserverOptions = {
      ...base,
      oidc: { issuer: 'https://auth.example.org', clientSecret: 'x' },
    };
    const text = renderHomeserverYaml(options);
    expect(text.startsWith('# Generated by @mana/synapse-config')).toBe(true);
    expect(parse(text)).toEqual(renderHomeserver(options));
  });
});

describe('postgresOptionsFromUrl', () => {
  it('decodes every part of the URL', () => {
    expect(postgresOptionsFromUrl('postgresql://syn%40apse:p%2Fw@db.internal:6543/synapse')).toEqual({
      kind: 'postgres',
      host: 'db.internal',
      port: 6543,
      user: 'syn@apse',
      password: 'p/w',
      database: 'synapse',
    });
  });

  it('leaves the port to the default and requires a database name', () => {
    expect(postgresOptionsFromUrl('postgres://u@h/db')).toEqual({
      kind: 'postgres',
      host: 'h',
      user: 'u',
      database: 'db',
    });
    expect(() => postgresOptionsFromUrl('postgres://u@h')).toThrow(/no database/);
    expect(() => postgresOptionsFromUrl('mysql://u@h/db')).toThrow(/postgres/);
  });
});

describe('delegated auth (matrix_authentication_service)', () => {
  it('renders the section with an inline secret or a secret file, never both', () => {
    expect(renderDelegatedAuth({ endpoint: 'http://auth:3001/', secret: 's' })).toEqual({
      enabled: true,
      endpoint: 'http://auth:3001',
      secret: 's',
    });
    expect(renderDelegatedAuth({ endpoint: 'http://auth:3001', secretPath: '/run/secret' })).toEqual({
      enabled: true,
      endpoint: 'http://auth:3001',
      secret_path: '/run/secret',
    });
    expect(() =>
      renderDelegatedAuth({ endpoint: 'http://auth:3001', secret: 's', secretPath: '/x' }),
    ).toThrow(/exactly one/);
    expect(() => renderDelegatedAuth({ endpoint: 'http://auth:3001' })).toThrow(/exactly one/);
  });

  it('goes into homeserver.yaml and excludes SSO and open registration', () => {
    const config = renderHomeserver({ ...base, delegatedAuth: { endpoint: 'http://auth', secret: 's' } });
    expect(config.matrix_authentication_service).toEqual({
      enabled: true,
      endpoint: 'http://auth',
      secret: 's',
    });
    expect(config).not.toHaveProperty('oidc_providers');
    expect(() =>
      renderHomeserver({
        ...base,
        delegatedAuth: { endpoint: 'http://auth', secret: 's' },
        oidc: { issuer: 'http://auth', clientSecret: 'x' },
      }),
    ).toThrow(/exclude/);
    expect(() =>
      renderHomeserver({
        ...base,
        delegatedAuth: { endpoint: 'http://auth', secret: 's' },
        enableRegistration: true,
      }),
    ).toThrow(/exclude/);
  });

  it('puts the issuer and account page into .well-known/matrix/client', () => {
    expect(
      renderWellKnownClient({
        homeserverBaseUrl: 'https://matrix.example.org/',
        authentication: { issuer: 'https://auth.example.org', account: 'https://auth.example.org/account' },
      }),
    ).toEqual({
      'm.homeserver': { base_url: 'https://matrix.example.org' },
      'org.matrix.msc2965.authentication': {
        issuer: 'https://auth.example.org',
        account: 'https://auth.example.org/account',
      },
    });
  });
});
