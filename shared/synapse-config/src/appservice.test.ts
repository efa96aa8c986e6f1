import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAppserviceRegistration, renderAppserviceRegistrationYaml, userIdRegex } from './appservice.ts';

const options = {
  id: 'mana-bots',
  url: 'http://127.0.0.1:3300',
  asToken: 'as-token',
  hsToken: 'hs-token',
  senderLocalpart: 'mana',
  users: [{ regex: userIdRegex(['mana', 'todo', 'clock'], 'mana.test') }],
};

describe('renderAppserviceRegistrationYaml', () => {
  it('round-trips through the YAML parser with an exclusive, anchored user regex', () => {
    const parsed: unknown = parse(renderAppserviceRegistrationYaml(options));
    expect(parsed).toEqual({
      id: 'mana-bots',
      url: 'http://127.0.0.1:3300',
      as_token: 'as-token',
      hs_token: 'hs-token',
      sender_localpart: 'mana',
      namespaces: {
        users: [{ regex: '^@(mana|todo|clock):mana\\.test$', exclusive: true }],
        aliases: [],
        rooms: [],
      },
      rate_limited: false,
    });

    const regex = new RegExp(renderAppserviceRegistration(options).namespaces.users[0]?.regex ?? '(?!)');
    expect(regex.test('@todo:mana.test')).toBe(true);
    expect(regex.test('@clock:mana.test')).toBe(true);
    expect(regex.test('@todox:mana.test')).toBe(false);
    expect(regex.test('@todo:manaxtest')).toBe(false);
    expect(regex.test('@alice:mana.test')).toBe(false);
  });

  it('asks for ephemeral events under both the stable and the MSC2409 key only when enabled', () => {
    expect(renderAppserviceRegistration({ ...options, pushEphemeral: true })).toMatchObject({
      receive_ephemeral: true,
      'de.sorunome.msc2409.push_ephemeral': true,
    });
    expect(renderAppserviceRegistration(options)).not.toHaveProperty('de.sorunome.msc2409.push_ephemeral');
  });

  it('e2ee: asks for to-device events, device lists and key counts, and device management', () => {
    expect(renderAppserviceRegistration({ ...options, e2ee: true })).toMatchObject({
      receive_ephemeral: true,
      'de.sorunome.msc2409.push_ephemeral': true,
      'org.matrix.msc3202': true,
      'io.element.msc4190': true,
    });
    expect(renderAppserviceRegistration(options)).not.toHaveProperty('org.matrix.msc3202');
    expect(renderAppserviceRegistration(options)).not.toHaveProperty('io.element.msc4190');
  });

  it('keeps an explicit null url (Synapse requires the key) and non-exclusive entries', () => {
    const parsed = parse(
      renderAppserviceRegistrationYaml({
        ...options,
        url: null,
        rooms: [{ regex: '!.*:mana\\.test', exclusive: false }],
      }),
    ) as Record<string, unknown>;
    expect(parsed).toHaveProperty('url', null);
    expect(parsed.namespaces).toMatchObject({ rooms: [{ regex: '!.*:mana\\.test', exclusive: false }] });
  });
});

describe('userIdRegex', () => {
  it('escapes regex metacharacters in localparts and server names', () => {
    expect(userIdRegex(['a.b'], 'localhost:8448')).toBe('^@(a\\.b):localhost:8448$');
    expect(() => userIdRegex([], 'x')).toThrow();
  });
});
