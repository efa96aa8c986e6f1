import { ConfigError, loadConfig } from '@mana/config';
import { describe, expect, it } from 'vitest';
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
const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.variable);
    throw e;
  }
  return [];
};

describe('delegated auth from HS_* variables', () => {
  it('HS_AUTH_MODE=delegated renders MAS instead of oidc_providers, plus the .well-known block', () => {
    const files = render({
      ...minimal,
      HS_AUTH_MODE: 'delegated',
      HS_OIDC_ISSUER: 'https://auth.example.org',
      HS_OIDC_CLIENT_SECRET: secret('o'),
      HS_MAS_ENDPOINT: 'http://auth:3001',
      HS_MAS_SECRET: secret('s'),
    });
    const hs = parse(files.find((f) => f.path === 'homeserver.yaml')?.contents ?? '') as Record<
      string,
      unknown
    >;
    expect(hs.matrix_authentication_service).toEqual({
      enabled: true,
      endpoint: 'http://auth:3001',
      secret: secret('s'),
    });
    expect(hs).not.toHaveProperty('oidc_providers');
    const wk = JSON.parse(
      files.find((f) => f.path === '.well-known/matrix/client')?.contents ?? '{}',
    ) as unknown;
    expect(wk).toEqual({
      'm.homeserver': { base_url: 'https://matrix.example.org' },
      'org.matrix.msc2965.authentication': {
        issuer: 'https://auth.example.org',
        account: 'https://auth.example.org/account',
      },
    });

    const withFile = render({
      ...minimal,
      HS_AUTH_MODE: 'delegated',
      HS_OIDC_ISSUER: 'https://auth.example.org',
      HS_MAS_SECRET_PATH: '/run/secrets/mas',
    });
    const hs2 = parse(withFile.find((f) => f.path === 'homeserver.yaml')?.contents ?? '') as Record<
      string,
      unknown
    >;
    expect(hs2.matrix_authentication_service).toEqual({
      enabled: true,
      endpoint: 'https://auth.example.org',
      secret_path: '/run/secrets/mas',
    });
  });

  it('names what delegated mode is missing or forbids', () => {
    expect(issuesOf(() => render({ ...minimal, HS_AUTH_MODE: 'delegated' }))).toEqual([
      'HS_OIDC_ISSUER',
      'HS_MAS_SECRET',
    ]);
    expect(
      issuesOf(() =>
        render({
          ...minimal,
          HS_AUTH_MODE: 'delegated',
          HS_OIDC_ISSUER: 'https://auth.example.org',
          HS_MAS_SECRET: secret('s'),
          HS_MAS_SECRET_PATH: '/x',
          HS_ENABLE_REGISTRATION: 'true',
        }),
      ),
    ).toEqual(['HS_MAS_SECRET_PATH', 'HS_ENABLE_REGISTRATION']);
    // sso stays the default: no MAS section, even with a secret around.
    const sso = render({ ...minimal, HS_MAS_SECRET: secret('s') });
    expect(sso.find((f) => f.path === 'homeserver.yaml')?.contents).not.toContain(
      'matrix_authentication_service',
    );
  });
});
