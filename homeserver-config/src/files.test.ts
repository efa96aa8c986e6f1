import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '@mana/config';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { homeserverEnv, renderHomeserverFiles } from './files.ts';

const secret = (c: string) => c.repeat(40);
const minimal = {
  HS_SERVER_NAME: 'example.org',
  HS_PUBLIC_BASEURL: 'https://matrix.example.org/',
  HS_REGISTRATION_SHARED_SECRET: secret('r'),
  HS_MACAROON_SECRET_KEY: secret('m'),
  HS_FORM_SECRET: secret('f'),
};

const render = (env: Record<string, string>) => renderHomeserverFiles(loadConfig(homeserverEnv, env));
const file = (files: ReturnType<typeof render>, path: string) => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`${path} not rendered`);
  return found;
};

describe('renderHomeserverFiles', () => {
  it('renders homeserver.yaml, log config and .well-known from the minimal variables', () => {
    const files = render({ ...minimal, HS_CONFIG_DIR: '/config' });
    expect(files.map((f) => f.path)).toEqual(['homeserver.yaml', 'log.config', '.well-known/matrix/client']);
    const hs = parse(file(files, 'homeserver.yaml').contents) as Record<string, unknown>;
    expect(hs).toMatchObject({
      server_name: 'example.org',
      public_baseurl: 'https://matrix.example.org/',
      database: { name: 'sqlite3', args: { database: '/data/homeserver.db' } },
      signing_key_path: '/data/signing.key',
      media_store_path: '/data/media_store',
      log_config: '/config/log.config',
      enable_registration: false,
      app_service_config_files: [],
    });
    expect(hs).not.toHaveProperty('oidc_providers');
    expect(file(files, 'homeserver.yaml').mode).toBe(0o640);
    expect(JSON.parse(file(files, '.well-known/matrix/client').contents)).toEqual({
      'm.homeserver': { base_url: 'https://matrix.example.org' },
    });
  });

  it('adds Postgres, SSO, the bots appservice and the e2ee default when their variables are set', () => {
    const files = render({
      ...minimal,
      HS_CONFIG_DIR: '/config',
      HS_DATABASE_URL: 'postgres://synapse:pw@db:5432/synapse',
      HS_OIDC_ISSUER: 'https://auth.example.org',
      HS_OIDC_CLIENT_SECRET: secret('o'),
      HS_APPSERVICE_URL: 'http://bots:3300',
      HS_APPSERVICE_AS_TOKEN: secret('a'),
      HS_APPSERVICE_HS_TOKEN: secret('h'),
      HS_APPSERVICE_USERS: 'mana,todo',
      HS_DISABLE_E2EE_BY_DEFAULT: 'true',
    });
    const hs = parse(file(files, 'homeserver.yaml').contents) as Record<string, unknown>;
    expect(hs).toMatchObject({
      database: {
        name: 'psycopg2',
        args: { host: 'db', user: 'synapse', password: 'pw', dbname: 'synapse' },
      },
      oidc_providers: [{ idp_id: 'mana', issuer: 'https://auth.example.org', client_secret: secret('o') }],
      app_service_config_files: ['/config/appservice-mana-bots.yaml'],
      experimental_features: {
        msc2409_to_device_messages_enabled: true,
        msc3202_transaction_extensions: true,
      },
    });
    const registration = parse(file(files, 'appservice-mana-bots.yaml').contents) as Record<string, unknown>;
    expect(registration).toMatchObject({
      url: 'http://bots:3300',
      sender_localpart: 'mana',
      namespaces: { users: [{ regex: '^@(mana|todo):example\\.org$', exclusive: true }] },
      'de.sorunome.msc2409.push_ephemeral': true,
      'org.matrix.msc3202': true,
      'io.element.msc4190': true,
    });
    expect(JSON.parse(file(files, '.well-known/matrix/client').contents)).toHaveProperty('io.element.e2ee', {
      default: false,
    });
  });

  it('HS_APPSERVICE_E2EE=false leaves out the E2EE extensions, and without an appservice there are none', () => {
    const appservice = {
      HS_APPSERVICE_URL: 'http://bots:3300',
      HS_APPSERVICE_AS_TOKEN: secret('a'),
      HS_APPSERVICE_HS_TOKEN: secret('h'),
    };
    const off = render({ ...minimal, ...appservice, HS_APPSERVICE_E2EE: 'false' });
    expect(parse(file(off, 'homeserver.yaml').contents)).not.toHaveProperty('experimental_features');
    expect(parse(file(off, 'appservice-mana-bots.yaml').contents)).not.toHaveProperty('org.matrix.msc3202');
    expect(parse(file(render(minimal), 'homeserver.yaml').contents)).not.toHaveProperty(
      'experimental_features',
    );
  });

  it('HS_RATE_LIMITS: default keeps Synapse’s limits, dev raises login/registration, off all', () => {
    const hs = (env: Record<string, string>) =>
      parse(file(render({ ...minimal, ...env }), 'homeserver.yaml').contents) as Record<string, unknown>;
    const rc = (config: Record<string, unknown>) => Object.keys(config).filter((k) => k.startsWith('rc_'));
    expect(rc(hs({}))).toEqual([]);
    const dev = hs({ HS_RATE_LIMITS: 'dev' });
    expect(rc(dev).sort()).toEqual(['rc_login', 'rc_registration']);
    expect(dev.rc_login).toMatchObject({
      address: { burst_count: 100 },
      account: { burst_count: 100 },
      failed_attempts: { burst_count: 100 },
    });
    expect(rc(hs({ HS_RATE_LIMITS: 'off' }))).toContain('rc_message');
    expect(() => render({ ...minimal, HS_RATE_LIMITS: 'lots' })).toThrow(/HS_RATE_LIMITS/);
  });

  it('with SSO: no password login unless HS_PASSWORD_LOGIN=true; HS_SSO_CLIENT_WHITELIST', () => {
    const sso = { HS_OIDC_ISSUER: 'https://auth.example.org', HS_OIDC_CLIENT_SECRET: secret('o') };
    const hs = (env: Record<string, string>) =>
      parse(file(render({ ...minimal, ...env }), 'homeserver.yaml').contents) as Record<string, unknown>;
    expect(hs(sso)).toMatchObject({ password_config: { enabled: false } });
    expect(hs(sso)).not.toHaveProperty('sso');
    expect(hs({ ...sso, HS_PASSWORD_LOGIN: 'true' })).not.toHaveProperty('password_config');
    expect(hs({})).not.toHaveProperty('password_config');
    expect(hs({ HS_PASSWORD_LOGIN: 'false' })).toMatchObject({ password_config: { enabled: false } });
    expect(
      hs({ ...sso, HS_SSO_CLIENT_WHITELIST: 'https://app.example.org, https://chat.example.org/element/' }),
    ).toMatchObject({
      sso: { client_whitelist: ['https://app.example.org/', 'https://chat.example.org/element/'] },
    });
    expect(() => render({ ...minimal, HS_SSO_CLIENT_WHITELIST: 'app.example.org' })).toThrow(
      /HS_SSO_CLIENT_WHITELIST/,
    );
    expect(() => render({ ...minimal, HS_PASSWORD_LOGIN: 'yes' })).toThrow(/HS_PASSWORD_LOGIN/);
  });

  it('names the missing variables', () => {
    expect(() => loadConfig(homeserverEnv, { HS_SERVER_NAME: 'x' })).toThrow(
      /HS_PUBLIC_BASEURL[\s\S]*HS_FORM_SECRET/,
    );
    const err = (() => {
      try {
        render({
          ...minimal,
          HS_APPSERVICE_URL: 'http://bots:3300',
          HS_OIDC_ISSUER: 'https://auth.example.org',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err instanceof ConfigError ? err.issues.map((i) => i.variable) : []).toEqual([
      'HS_OIDC_CLIENT_SECRET',
      'HS_APPSERVICE_AS_TOKEN',
      'HS_APPSERVICE_HS_TOKEN',
    ]);
  });
});

describe('cli.ts', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the files, secrets not world-readable, and prints no secret', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hs-cli-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, 'cli.ts'), dir],
      { env: { ...process.env, ...minimal } },
    );
    expect(stdout).toContain(join(dir, 'homeserver.yaml'));
    expect(stdout).not.toContain(secret('r'));
    const hs = parse(await readFile(join(dir, 'homeserver.yaml'), 'utf8')) as Record<string, unknown>;
    expect(hs.log_config).toBe(join(dir, 'log.config'));
    expect((await stat(join(dir, 'homeserver.yaml'))).mode & 0o777).toBe(0o640);
    expect(await readFile(join(dir, '.well-known/matrix/client'), 'utf8')).toContain('m.homeserver');
  });

  it('fails with the names of bad variables', async () => {
    const run = promisify(execFile)(process.execPath, [join(import.meta.dirname, 'cli.ts'), '/nonexistent'], {
      env: { PATH: process.env.PATH ?? '' },
    });
    // execFile's error message carries the child's stderr.
    await expect(run).rejects.toThrow(/HS_SERVER_NAME: is required/);
  });
});
