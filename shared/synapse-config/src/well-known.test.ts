import { describe, expect, it } from 'vitest';
import { renderWellKnownClient, renderWellKnownClientJson } from './well-known.ts';

describe('renderWellKnownClient', () => {
  it('points clients at the homeserver and leaves encryption defaults to the client', () => {
    expect(renderWellKnownClient({ homeserverBaseUrl: 'https://matrix.example.org/' })).toEqual({
      'm.homeserver': { base_url: 'https://matrix.example.org' },
    });
  });

  it('can ask Element not to encrypt new rooms by default', () => {
    const json: unknown = JSON.parse(
      renderWellKnownClientJson({
        homeserverBaseUrl: 'https://matrix.example.org',
        disableE2eeByDefault: true,
      }),
    );
    expect(json).toEqual({
      'm.homeserver': { base_url: 'https://matrix.example.org' },
      'io.element.e2ee': { default: false },
    });
  });
});
