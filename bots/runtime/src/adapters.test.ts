import { SYNC_AUDIENCE } from '@mana/auth-client';
import { createLogger } from '@mana/logging';
import { SYNC_PROTOCOL_VERSION } from '@mana/sync-protocol';
import { describe, expect, it } from 'vitest';
import { syncStores, tokenExchangeIdentity } from './adapters.ts';
import { NotLinkedError } from './errors.ts';
import type { Identity } from './ports.ts';

const alice = '@alice:mana.test';
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('tokenExchangeIdentity', () => {
  function setup() {
    let issued = 0;
    let offsetMs = 0;
    const calls: string[] = [];
    const fetch = (async (_url: string, init?: RequestInit) => {
      const body = init?.body;
      const subject =
        (body instanceof URLSearchParams ? body : new URLSearchParams()).get('subject_token') ?? '';
      calls.push(subject);
      if (subject !== alice) return json({ error: 'invalid_grant' }, 400);
      return json({ access_token: `t${++issued}`, expires_in: 300 });
    }) as typeof globalThis.fetch;
    const identity = tokenExchangeIdentity({
      tokenEndpoint: 'http://auth.test/token',
      clientId: 'bots',
      clientSecret: 's',
      audiences: [SYNC_AUDIENCE],
      fetch,
      now: () => Date.now() + offsetMs,
    });
    return { identity, calls, later: (ms: number) => void (offsetMs = ms) };
  }

  it('exchanges once for concurrent first reads and caches the token', async () => {
    const { identity, calls } = setup();
    const [a, b] = await Promise.all([
      identity.tokenFor(alice, SYNC_AUDIENCE),
      identity.tokenFor(alice, SYNC_AUDIENCE),
    ]);
    expect([a, b]).toEqual(['t1', 't1']);
    expect(await identity.tokenFor(alice, SYNC_AUDIENCE)).toBe('t1');
    expect(calls).toEqual([alice]);
  });

  it('renews ahead of expiry in the background, and waits only when the token is nearly gone', async () => {
    const { identity, calls, later } = setup();
    expect(await identity.tokenFor(alice, SYNC_AUDIENCE)).toBe('t1');
    later(250_000); // 50 s left: still served from the cache, renewal starts behind it
    expect(await identity.tokenFor(alice, SYNC_AUDIENCE)).toBe('t1');
    await tick();
    expect(calls).toHaveLength(2);
    expect(await identity.tokenFor(alice, SYNC_AUDIENCE)).toBe('t2');
    later(250_000 + 295_000); // t2 has 5 s left: too close, this read waits for t3
    expect(await identity.tokenFor(alice, SYNC_AUDIENCE)).toBe('t3');
  });

  it('a refused exchange means no linked account', async () => {
    const { identity } = setup();
    await expect(identity.tokenFor('@bob:mana.test', SYNC_AUDIENCE)).rejects.toBeInstanceOf(NotLinkedError);
  });
});

describe('syncStores', () => {
  function setup() {
    const pulls: string[] = [];
    let cursor = 0;
    const fetch = (async (url: string) => {
      const path = new URL(url).pathname;
      pulls.push(path);
      await tick();
      return json({ protocolVersion: SYNC_PROTOCOL_VERSION, cursor: ++cursor, changes: [], hasMore: false });
    }) as typeof globalThis.fetch;
    const identity: Identity = {
      tokenFor: async (u) => {
        if (u !== alice) throw new NotLinkedError(u);
        return 'token';
      },
    };
    const stores = syncStores({
      baseUrl: 'http://sync.test',
      clientId: 'bots',
      identity,
      audience: SYNC_AUDIENCE,
      log: createLogger({ service: 'test', level: 'silent' }),
      fetch,
    });
    return { stores, pulls };
  }

  it('pulls before every read without readAfter', async () => {
    const { stores, pulls } = setup();
    const store = await stores.forUser(alice, 'todo');
    await store.list('tasks');
    await store.list('projects');
    expect(pulls).toEqual(['/sync/todo/pull', '/sync/todo/pull']);
    await stores.close();
  });

  it('a command shares one pull (the prefetch) for all its reads', async () => {
    const { stores, pulls } = setup();
    const readAfter = performance.now();
    stores.prefetch?.(alice, 'todo');
    const store = await stores.forUser(alice, 'todo', { readAfter });
    await Promise.all([store.list('tasks'), store.get('tasks', 'x')]);
    await store.list('projects');
    expect(pulls).toEqual(['/sync/todo/pull']);
    // The next command arrives after that pull started: it pulls again.
    const next = await stores.forUser(alice, 'todo', { readAfter: performance.now() });
    await next.list('tasks');
    expect(pulls).toEqual(['/sync/todo/pull', '/sync/todo/pull']);
    await stores.close();
  });

  it('a prefetch for a stranger fails quietly; the read reports it', async () => {
    const { stores, pulls } = setup();
    stores.prefetch?.('@bob:mana.test', 'todo');
    await tick();
    await expect(stores.forUser('@bob:mana.test', 'todo')).rejects.toBeInstanceOf(NotLinkedError);
    expect(pulls).toEqual([]);
    await stores.close();
  });
});
