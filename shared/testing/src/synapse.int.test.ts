import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, type TestClient } from './matrix-client.ts';
import { RATE_LIMITS_DEV, userIdRegex } from '@mana/synapse-config';
import { registerWithSharedSecret, SynapseError, startSynapse, type SynapseHandle } from './synapse.ts';

describe('startSynapse + createTestClient', () => {
  let synapse: SynapseHandle;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    synapse = await startSynapse();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await synapse?.stop();
  });

  it('runs a real Synapse that answers the client API', async () => {
    const res = await fetch(`${synapse.baseUrl}/_matrix/client/versions`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { versions?: unknown };
    expect(body.versions).toEqual(expect.arrayContaining(['v1.1']));
    // The server header is Synapse's own; a stub would not send it.
    expect(res.headers.get('server') ?? '').toMatch(/Synapse/);
  });

  it('registers users through the shared secret and rejects a wrong secret', async () => {
    const carol = await synapse.registerUser({ username: 'carol', admin: true });
    expect(carol.userId).toBe('@carol:mana.test');
    const whoami = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { authorization: `Bearer ${carol.accessToken}` },
    });
    expect(await whoami.json()).toMatchObject({ user_id: carol.userId, device_id: carol.deviceId });

    await expect(
      registerWithSharedSecret({ baseUrl: synapse.baseUrl, sharedSecret: 'wrong', username: 'mallory' }),
    ).rejects.toBeInstanceOf(SynapseError);
  });

  it('delivers a DM message from one user to the other', async () => {
    const alice = await synapse.registerUser({ username: 'alice' });
    const bob = await synapse.registerUser({ username: 'bob' });
    const a = await createTestClient({ baseUrl: synapse.baseUrl, ...alice });
    const b = await createTestClient({ baseUrl: synapse.baseUrl, ...bob });
    clients.push(a, b);
    expect(await a.client.whoami()).toMatchObject({ user_id: '@alice:mana.test' });

    const roomId = await a.createDm(bob.userId);
    const invite = await b.waitForInvite({ from: alice.userId });
    expect(invite).toEqual({ roomId, inviter: alice.userId });
    await b.joinRoom(roomId);

    const body = `hello bob ${Date.now()}`;
    const eventId = await a.sendText(roomId, body);
    const received = await b.waitForEvent((e) => e.getRoomId() === roomId && e.getContent().body === body, {
      timeoutMs: 10_000,
    });
    expect(received.getId()).toBe(eventId);
    expect(received.getSender()).toBe(alice.userId);
    expect(received.getContent()).toEqual({ msgtype: 'm.text', body });

    // Already buffered: a second wait for the same event resolves without a new message.
    const again = await b.waitForEvent((e) => e.getId() === eventId, { timeoutMs: 100 });
    expect(again).toBe(received);
  });

  it('times out waiting for an event that never comes', async () => {
    const dave = await synapse.registerUser({ username: 'dave' });
    const d = await createTestClient({ baseUrl: synapse.baseUrl, ...dave });
    clients.push(d);
    await expect(d.waitForEvent(() => false, { timeoutMs: 200 })).rejects.toThrow(/timed out after 200 ms/);
  });
});

describe('startSynapse with the production templates for SSO and the bots appservice', () => {
  let synapse: SynapseHandle;
  const asToken = 'as-token-for-tests-0123456789abcdef';

  beforeAll(async () => {
    synapse = await startSynapse({
      // Nothing listens there: Synapse only loads the discovery document in the background.
      oidcProvider: { issuer: 'http://127.0.0.1:9/', clientSecret: 'client-secret-for-tests' },
      appservices: [
        {
          id: 'mana-bots',
          url: null,
          asToken,
          hsToken: 'hs-token-for-tests-0123456789abcdef',
          senderLocalpart: 'mana',
          users: [{ regex: userIdRegex(['mana', 'todo'], 'mana.test') }],
          pushEphemeral: true,
        },
      ],
    });
  });

  afterAll(async () => {
    await synapse?.stop();
  });

  it('offers SSO through oidc-mana', async () => {
    const flows = (await (await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`)).json()) as {
      flows: { type: string; identity_providers?: { id: string; name: string }[] }[];
    };
    const sso = flows.flows.find((f) => f.type === 'm.login.sso');
    expect(sso?.identity_providers).toEqual([{ id: 'oidc-mana', name: 'Mana' }]);
    // Tests keep password login next to SSO (production turns it off).
    expect(flows.flows.map((f) => f.type)).toContain('m.login.password');
  });

  it('accepts the appservice registration and lets it register its namespaced bots', async () => {
    const auth = { authorization: `Bearer ${asToken}`, 'content-type': 'application/json' };
    const whoami = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, { headers: auth });
    expect(await whoami.json()).toMatchObject({ user_id: '@mana:mana.test' });

    const register = (username: string) =>
      fetch(`${synapse.baseUrl}/_matrix/client/v3/register`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'm.login.application_service', username, inhibit_login: true }),
      });
    expect((await register('todo')).status).toBe(200);
    // Outside the exclusive namespace, the appservice has no say.
    expect(await (await register('alice')).json()).toMatchObject({ errcode: 'M_EXCLUSIVE' });
  });
});

describe('the production login settings on a real Synapse', () => {
  let synapse: SynapseHandle;

  beforeAll(async () => {
    synapse = await startSynapse({
      oidcProvider: { issuer: 'http://127.0.0.1:9/', clientSecret: 'client-secret-for-tests' },
      // As production renders it: SSO only, our own client skips the confirmation page.
      passwordLogin: false,
      config: { sso: { client_whitelist: ['https://app.mana.test/'] } },
    });
  });

  afterAll(async () => {
    await synapse?.stop();
  });

  it('offers only SSO (no password), and shared-secret registration still works', async () => {
    const flows = (await (await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`)).json()) as {
      flows: { type: string }[];
    };
    const types = flows.flows.map((f) => f.type);
    expect(types).toContain('m.login.sso');
    expect(types).not.toContain('m.login.password');
    const bob = await synapse.registerUser({ username: 'bob', password: 'a password for bob' });
    const whoami = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { authorization: `Bearer ${bob.accessToken}` },
    });
    expect(await whoami.json()).toMatchObject({ user_id: '@bob:mana.test' });
    const login = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'bob' },
        password: bob.password,
      }),
    });
    expect(login.status).toBe(400);
  });
});

describe('the local stack’s login rate limits on a real Synapse', () => {
  let synapse: SynapseHandle;

  beforeAll(async () => {
    // The test harness turns every limit off; put back the local stack's login limits on top.
    synapse = await startSynapse({ config: { ...RATE_LIMITS_DEV } });
  });

  afterAll(async () => {
    await synapse?.stop();
  });

  it('seven sign-ins in a row from one machine and one account all succeed (Synapse’s default: 429 after 5)', async () => {
    const carol = await synapse.registerUser({ username: 'carol', password: 'a password for carol' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`, {
        method: 'POST',
        body: JSON.stringify({
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'carol' },
          password: carol.password,
        }),
      });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(7).fill(200));
  });
});

describe('startSynapse failures', () => {
  it('rejects with the end of Synapse’s log when Synapse exits, and leaves nothing behind', async () => {
    const error: unknown = await startSynapse({
      config: { database: { name: 'no-such-engine', args: {} } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SynapseError);
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(/Synapse exited with code \d+[\s\S]*no-such-engine/);
    const logFile = /Last lines of (\S+synapse\.log)/.exec(message)?.[1];
    expect(logFile).toBeDefined();
    expect(existsSync(dirname(logFile ?? '/'))).toBe(false);
  });
});

describe('startSynapse in delegated mode (matrix_authentication_service)', () => {
  let synapse: SynapseHandle;
  const secret = 'mas-shared-secret-for-tests-0123456789abcdef';
  const asToken = 'as-token-for-tests-0123456789abcdef';

  beforeAll(async () => {
    synapse = await startSynapse({
      // Nothing listens there: Synapse loads the discovery document on first use only.
      delegatedAuth: { endpoint: 'http://127.0.0.1:9/', secret },
      appservices: [
        {
          id: 'mana-bots',
          url: null,
          asToken,
          hsToken: 'hs-token-for-tests-0123456789abcdef',
          senderLocalpart: 'mana',
          users: [{ regex: userIdRegex(['mana', 'todo'], 'mana.test') }],
        },
      ],
    });
  });

  afterAll(async () => {
    await synapse?.stop();
  });

  it('starts, offers no password login, and lets only the shared secret provision users', async () => {
    const flows = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`);
    const types = ((await flows.json()) as { flows?: { type: string }[] }).flows?.map((f) => f.type) ?? [];
    expect(types).not.toContain('m.login.password');
    const provision = (token: string) =>
      fetch(`${synapse.baseUrl}/_synapse/mas/provision_user`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ localpart: 'alice', set_displayname: 'Alice' }),
      });
    expect((await provision('wrong-secret')).status).toBe(403);
    expect([200, 201]).toContain((await provision(secret)).status);
    const query = await fetch(`${synapse.baseUrl}/_synapse/mas/query_user?localpart=alice`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await query.json()).toMatchObject({ user_id: '@alice:mana.test', display_name: 'Alice' });
  });

  it('still lets the bots appservice register its users with inhibit_login', async () => {
    const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${asToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.application_service', username: 'todo', inhibit_login: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).not.toHaveProperty('access_token');
    const whoami = await fetch(
      `${synapse.baseUrl}/_matrix/client/v3/account/whoami?user_id=@todo:mana.test`,
      {
        headers: { authorization: `Bearer ${asToken}` },
      },
    );
    expect(await whoami.json()).toMatchObject({ user_id: '@todo:mana.test' });
  });
});
