import { SYNC_AUDIENCE } from '@mana/auth-client';
import { createLogger } from '@mana/logging';
import { SYNC_PROTOCOL_VERSION } from '@mana/sync-protocol';
import { describe, expect, it } from 'vitest';
import { syncStores, tokenExchangeIdentity } from './adapters.ts';
import { NotLinkedError } from './errors.ts';
import type { Identity } from './ports.ts';
import type { WebSocketConstructor, WebSocketLike } from '@mana/sync-client';

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

/** A sync server's WebSocket as the client sees it: `ready` on auth, pokes when told. */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 0);
  }
  send(data: string) {
    if ((JSON.parse(data) as { type?: string }).type === 'auth') this.emit({ type: 'ready' });
  }
  emit(message: unknown) {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(message) }), 0);
  }
  close(code = 1000, reason = '') {
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 0);
  }
}

describe('syncStores', () => {
  function setup(live: { WebSocket: WebSocketConstructor | null } = { WebSocket: null }) {
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
      ...live,
    });
    return { stores, pulls, cursor: () => cursor };
  }

  it('live replicas: no pull per read once caught up; a poke makes the next read wait for its pull', async () => {
    const { stores, pulls, cursor } = setup({ WebSocket: FakeSocket });
    const store = await stores.forUser(alice, 'todo', { readAfter: performance.now() });
    await store.list('tasks'); // a new replica pulls
    const socket = FakeSocket.last;
    for (let i = 0; i < 20 && pulls.length < 2; i++) await tick(); // `ready` → the catch-up pull
    expect(pulls).toHaveLength(2);
    for (let i = 0; i < 5; i++) await tick(); // that pull lands
    for (let i = 0; i < 5; i++) {
      const next = await stores.forUser(alice, 'todo', { readAfter: performance.now() });
      await next.list('tasks');
    }
    expect(pulls).toHaveLength(2); // five commands, served from the live replica
    socket?.emit({ type: 'poke', appId: 'todo', cursor: cursor() + 1 });
    await tick();
    const afterPoke = await stores.forUser(alice, 'todo', { readAfter: performance.now() });
    await afterPoke.list('tasks');
    expect(pulls).toHaveLength(3);
    // The socket drops: reads pull again until it is back and caught up.
    socket?.close(1006);
    await tick();
    const offline = await stores.forUser(alice, 'todo', { readAfter: performance.now() });
    await offline.list('tasks');
    expect(pulls.length).toBeGreaterThanOrEqual(4);
    await stores.close();
  });

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
