import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('fills the defaults from the origin and the issuer', () => {
    expect(
      parseConfig(
        { authIssuer: 'https://auth.example.org', syncUrl: 'https://sync.example.org/' },
        'https://app.example.org',
      ),
    ).toEqual({
      authIssuer: 'https://auth.example.org',
      syncUrl: 'https://sync.example.org',
      clientId: 'web',
      redirectUri: 'https://app.example.org/auth/callback',
      postLogoutRedirectUri: 'https://app.example.org/',
      creditsUrl: 'https://auth.example.org/api/v1/credits',
    });
  });

  it('resolves a relative sync URL against the page (sync behind the same origin)', () => {
    expect(
      parseConfig({ authIssuer: 'https://auth.example.org', syncUrl: '/' }, 'https://app.example.org')
        .syncUrl,
    ).toBe('https://app.example.org');
  });

  it('names the bad key', () => {
    expect(() => parseConfig({ authIssuer: 'not a url', syncUrl: '/' }, 'https://a.example')).toThrow(
      ConfigError,
    );
    expect(() => parseConfig({ authIssuer: 'not a url', syncUrl: '/' }, 'https://a.example')).toThrow(
      /authIssuer/,
    );
    expect(() =>
      parseConfig({ authIssuer: 'https://a.example', syncUrl: '/', extra: 1 }, 'https://a.example'),
    ).toThrow(/extra|unrecognized/i);
  });
});
