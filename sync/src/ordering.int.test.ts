import { formatHlc, type PullResponse, type PushResponse } from '@mana/sync-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from './server.ts';
import type { StreamKey } from './store.ts';
import { createSyncTestEnv, jsonInit, type SyncTestEnv } from './test-support.ts';

// Commits are held inside the push transaction (after versions are assigned) by this hook, so the
// test controls exactly when each transaction commits.
type Hold = (key: StreamKey & { head: number }) => Promise<void>;
let hold: Hold | undefined;

let env: SyncTestEnv;
let server: SyncServer;
beforeAll(async () => {
  env = await createSyncTestEnv('sync_ordering');
  server = await env.server({ hooks: { beforeCommit: (k) => hold?.(k) ?? Promise.resolve() } });
});
afterAll(() => env.close());

const change = (id: string, clientId: string) => ({
  op: 'upsert',
  table: 'tasks',
  id,
  fields: { title: { value: id, hlc: formatHlc({ wall: Date.now(), counter: 0, clientId }) } },
});

async function push(token: string, id: string): Promise<PushResponse> {
  const res = await server.app.request(
    '/sync/todo',
    jsonInit(token, { clientId: `c-${id}`, cursor: 0, changes: [change(id, `c-${id}`)] }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as PushResponse;
}
async function pull(token: string, cursor: number): Promise<PullResponse> {
  const res = await server.app.request(`/sync/todo/pull?cursor=${cursor}&limit=1000`, jsonInit(token));
  expect(res.status).toBe(200);
  return (await res.json()) as PullResponse;
}

/** A latch: `wait()` resolves after `open()`. */
function latch() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { open, wait: () => p };
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('out-of-order commits', () => {
  it('a pull between two overlapping pushes never skips the one that commits later', async () => {
    const token = await env.token('ooo');
    const reached: Record<string, ReturnType<typeof latch>> = { first: latch(), second: latch() };
    const release: Record<string, ReturnType<typeof latch>> = { first: latch(), second: latch() };
    let calls = 0;
    hold = async (k) => {
      if (k.userId !== 'ooo') return;
      const which = calls++ === 0 ? 'first' : 'second';
      reached[which]!.open();
      await release[which]!.wait();
    };
    try {
      const base = (await pull(token, 0)).cursor;
      // A assigns its version and stays uncommitted.
      const a = push(token, 'A');
      await reached.first!.wait();
      // B starts while A is open: it must wait for A's lock, not take a version of its own yet.
      const b = push(token, 'B');
      await waitUntil(async () => {
        const rows = await server.db.sql`
          select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
        return rows.length > 0;
      }, 'B to block on the stream lock');

      const p1 = await pull(token, base);
      expect(p1.changes).toEqual([]);
      expect(p1.cursor).toBe(base); // the cursor does not move past A's uncommitted version

      release.first!.open();
      const ra = await a;
      await reached.second!.wait(); // B now holds the lock and has its version, still uncommitted
      const p2 = await pull(token, p1.cursor);
      expect(p2.changes.map((c) => c.id)).toEqual(['A']);

      release.second!.open();
      const rb = await b;
      const p3 = await pull(token, p2.cursor);
      expect(p3.changes.map((c) => c.id)).toEqual(['B']);
      expect(p3.changes[0]!.version).toBeGreaterThan(p2.changes[0]!.version);
      expect(rb.cursor).toBeGreaterThan(ra.cursor);
    } finally {
      hold = undefined;
      for (const l of Object.values(release)) l.open();
    }
  });

  it('under concurrent pushes with random commit delays, a polling reader sees every write', async () => {
    const token = await env.token('storm');
    hold = async (k) => {
      if (k.userId === 'storm') await new Promise((r) => setTimeout(r, Math.random() * 4));
    };
    try {
      const writers = 12;
      const perWriter = 8;
      let done = false;
      const seen = new Set<string>();
      const reader = (async () => {
        let cursor = 0;
        while (!done) {
          const p = await pull(token, cursor);
          expect(p.cursor).toBeGreaterThanOrEqual(cursor);
          for (const c of p.changes) seen.add(c.id);
          cursor = p.cursor;
        }
        return cursor;
      })();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) await push(token, `w${w}-${i}`);
        }),
      );
      done = true;
      const cursor = await reader;
      // Everything committed before `done` is either seen already or after the reader's cursor.
      for (const c of (await pull(token, cursor)).changes) seen.add(c.id);
      expect(seen.size).toBe(writers * perWriter);
      const all = await pull(token, 0);
      const versions = all.changes.map((c) => c.version);
      expect(versions).toEqual(Array.from({ length: writers * perWriter }, (_, i) => i + 1));
    } finally {
      hold = undefined;
    }
  });
});
