import { describe, expect, it } from 'vitest';
import { matrixRegistrationProblem } from './registration.ts';

const native = {
  client_uri: 'https://element.io',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
};
const web = {
  client_uri: 'https://app.element.io',
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://app.element.io/'],
};

describe('Matrix client registration rules', () => {
  it('accepts what Element X and Element Web register', () => {
    expect(
      matrixRegistrationProblem({
        ...native,
        redirect_uris: ['io.element.elementx:/callback', 'io.element:/cb', 'http://127.0.0.1/callback'],
        logo_uri: 'https://element.io/mobile-icon.png',
        tos_uri: 'https://element.io/acceptable-use-policy-terms',
      }),
    ).toBeUndefined();
    expect(matrixRegistrationProblem({ ...native, redirect_uris: ['http://[::1]:8123/'] })).toBeUndefined();
    expect(matrixRegistrationProblem(web)).toBeUndefined();
    expect(
      matrixRegistrationProblem({ ...web, redirect_uris: ['https://element.app.element.io/x'] }),
    ).toBeUndefined();
  });

  it('requires a public https client_uri', () => {
    expect(matrixRegistrationProblem({ ...native, client_uri: undefined })).toMatch(/client_uri is required/);
    expect(matrixRegistrationProblem({ ...native, client_uri: 'http://element.io' })).toMatch(/https/);
    expect(matrixRegistrationProblem({ ...native, client_uri: 'https://localhost' })).toMatch(/https/);
  });

  it('refuses non-loopback http and foreign schemes for native clients', () => {
    expect(matrixRegistrationProblem({ ...native, redirect_uris: ['http://evil.example/cb'] })).toMatch(
      /loopback/,
    );
    expect(matrixRegistrationProblem({ ...native, redirect_uris: ['com.evil:/cb'] })).toMatch(
      /reverse domain/,
    );
    expect(matrixRegistrationProblem({ ...native, redirect_uris: ['io.elementevil:/cb'] })).toMatch(
      /reverse domain/,
    );
    expect(matrixRegistrationProblem({ ...native, redirect_uris: ['https://evil.example/cb'] })).toMatch(
      /host/,
    );
  });

  it('refuses web redirects on another host or over http', () => {
    expect(matrixRegistrationProblem({ ...web, redirect_uris: ['https://evil.example/'] })).toMatch(
      /same host|host of/,
    );
    expect(
      matrixRegistrationProblem({ ...web, redirect_uris: ['https://notapp.element.io.evil.example/'] }),
    ).toMatch(/host of/);
    expect(matrixRegistrationProblem({ ...web, redirect_uris: ['http://app.element.io/'] })).toMatch(/https/);
    expect(matrixRegistrationProblem({ ...web, logo_uri: 'https://evil.example/logo.png' })).toMatch(
      /logo_uri/,
    );
  });

  it('refuses grants a Matrix client has no business with', () => {
    expect(
      matrixRegistrationProblem({
        ...native,
        redirect_uris: ['http://127.0.0.1/'],
        grant_types: ['client_credentials'],
      }),
    ).toMatch(/client_credentials/);
    expect(
      matrixRegistrationProblem({
        ...native,
        redirect_uris: ['http://127.0.0.1/'],
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      }),
    ).toMatch(/token-exchange/);
    expect(
      matrixRegistrationProblem({
        ...native,
        redirect_uris: ['http://127.0.0.1/'],
        response_types: ['code id_token'],
      }),
    ).toMatch(/code response type/);
    expect(
      matrixRegistrationProblem({
        ...native,
        redirect_uris: ['http://127.0.0.1/'],
        token_endpoint_auth_method: 'private_key_jwt',
      }),
    ).toMatch(/token_endpoint_auth_method/);
    expect(matrixRegistrationProblem({ ...native, redirect_uris: [] })).toMatch(/redirect_uris are required/);
  });
});
