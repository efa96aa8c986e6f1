/**
 * Convergence property (fast-check): 3–5 user devices plus one bot (a server-side writer with a
 * token-exchange token) make random writes and deletes on overlapping rows and fields, with skewed
 * clocks, offline periods, lost responses, concurrent in-flight pushes, and one real restart of the
 * sync server (stopped and started again on the same database) at a random point. At the end every
 * replica equals the server, and the server equals a model computed from every write ever made, so
 * no acknowledged write was lost.
 *
 * Runs: SYNC_CONVERGENCE_RUNS (default 200); SYNC_CONVERGENCE_SEED replays a reported failure.
 * Transport: in-process `app.request`, so runs are fast. The long run: bench/src/sync-convergence.ts.
 */
import { createSyncClient, type SyncClient } from '@mana/sync-client';
import type { Change, ServerRow } from '@mana/sync-protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from './server.ts';
import { createSyncTestEnv, inProcessFetch, jsonInit, type SyncTestEnv } from './test-support.ts';

const RUNS = Number(process.env.SYNC_CONVERGENCE_RUNS ?? 200);
/** Replays a failure: fast-check prints the seed of a failing run. */
const SEED =
  process.env.SYNC_CONVERGENCE_SEED === undefined ? undefined : Number(process.env.SYNC_CONVERGENCE_SEED);

let env: SyncTestEnv;
let server: SyncServer;
beforeAll(async () => {
  env = await createSyncTestEnv('sync_convergence');
  server = await env.server();
});
afterAll(() => env.close());

const ROWS = ['r0', 'r1', 'r2', 'r3'];
const fieldValue = {
  title: fc.string({ minLength: 1, maxLength: 6 }),
  priority: fc.integer({ min: 1, max: 4 }),
  completed: fc.boolean(),
  notes: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
};
const fieldsArb = fc.record(fieldValue, { requiredKeys: [] }).filter((f) => Object.keys(f).length > 0);

type Op =
  | { kind: 'put'; c: number; row: number; fields: Record<string, unknown> }
  | { kind: 'del'; c: number; row: number }
  | { kind: 'sync'; c: number; wait: boolean }
  | { kind: 'offline' | 'online' | 'drop'; c: number };

const opArb = (clients: number): fc.Arbitrary<Op> => {
  const c = fc.nat(clients - 1);
  const row = fc.nat(ROWS.length - 1);
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), c, row, fields: fieldsArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('del' as const), c, row }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), c, wait: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('offline' as const, 'online' as const, 'drop' as const),
        c,
      }),
    },
  );
};

const scenario = fc.integer({ min: 3, max: 5 }).chain((users) =>
  fc.record({
    users: fc.constant(users),
    // One more writer than users: the last is the bot.
    ops: fc.array(opArb(users + 1), { minLength: 10, maxLength: 30 }),
    skews: fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: users + 1, maxLength: users + 1 }),
    restartAt: fc.nat(30),
  }),
);

interface Model {
  fields: Map<string, { value: unknown; hlc: string }>;
  deleted: string | null;
}

/** The expected end state, computed from the writes alone, independently of the merge code. */
function model(
  changes: Change[],
): Map<string, { fields: Record<string, { value: unknown; hlc: string }>; deleted: string | null }> {
  const rows = new Map<string, Model>();
  for (const ch of changes) {
    let m = rows.get(ch.id);
    if (!m) rows.set(ch.id, (m = { fields: new Map(), deleted: null }));
    if (ch.op === 'delete') {
      if (m.deleted === null || ch.hlc > m.deleted) m.deleted = ch.hlc;
    } else
      for (const [k, w] of Object.entries(ch.fields)) {
        const cur = m.fields.get(k);
        if (!cur || w.hlc > cur.hlc) m.fields.set(k, w);
      }
  }
  const out = new Map<
    string,
    { fields: Record<string, { value: unknown; hlc: string }>; deleted: string | null }
  >();
  for (const [id, m] of rows) {
    const fields = Object.fromEntries(
      [...m.fields].filter(([, w]) => m.deleted === null || w.hlc > m.deleted),
    );
    out.set(id, { fields, deleted: m.deleted });
  }
  return out;
}

let runNo = 0;

describe('convergence', () => {
  it(`every replica equals the server and no write is lost (${RUNS} runs, one server restart each)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ users, ops, skews, restartAt }) => {
        const user = `conv-${++runNo}-${Math.random().toString(36).slice(2, 8)}`;
        const userToken = await env.token(user);
        const botToken = await env.token(user, { scope: 'sync:todo', act: 'bot-todo' });
        const n = users + 1;
        const offline = Array.from({ length: n }, () => false);
        const drop = Array.from({ length: n }, () => false);
        const serve = inProcessFetch(() => server.app);
        const transport =
          (i: number): typeof fetch =>
          async (input, init) => {
            if (offline[i]) throw new TypeError('fetch failed: offline');
            const res = await serve(input, init);
            expect(res.status, `HTTP ${res.status}: ${await res.clone().text()}`).toBeLessThan(500);
            if (drop[i]) {
              drop[i] = false; // the server committed, the client never hears back
              throw new TypeError('fetch failed: connection reset');
            }
            return res;
          };
        const clients: SyncClient<'todo'>[] = Array.from({ length: n }, (_, i) =>
          createSyncClient({
            baseUrl: 'http://sync.test',
            apps: ['todo'],
            clientId: i === users ? 'bot-todo' : `dev${i}`,
            getToken: () => (i === users ? botToken : userToken),
            fetch: transport(i),
            WebSocket: null,
            pushDebounceMs: null,
            pullIntervalMs: null,
            batchSize: 7, // small pages exercise hasMore
            now: () => Date.now() + (skews[i] ?? 0),
          }),
        );
        const written: Change[] = [];
        const inFlight: Promise<unknown>[] = [];
        const settle = async () => void (await Promise.allSettled(inFlight.splice(0)));
        try {
          for (const [step, op] of ops.entries()) {
            if (step === Math.min(restartAt, ops.length - 1)) {
              await settle();
              await server.stop();
              server = await env.server();
            }
            const c = clients[op.c]!;
            const id = ROWS[(op as { row?: number }).row ?? 0]!;
            if (op.kind === 'put') written.push(await c.put('todo', 'tasks', id, op.fields));
            else if (op.kind === 'del') written.push(await c.delete('todo', 'tasks', id));
            else if (op.kind === 'sync') {
              const p = c.sync().catch(() => undefined);
              if (op.wait) await p;
              else inFlight.push(p);
            } else if (op.kind === 'offline') offline[op.c] = true;
            else if (op.kind === 'online') offline[op.c] = false;
            else drop[op.c] = true;
          }
          await settle();
          offline.fill(false);
          drop.fill(false);
          for (let round = 0; round < 2; round++) for (const c of clients) await c.sync();

          const serverRows: ServerRow[] = [];
          let cursor = 0;
          for (;;) {
            const res = await server.app.request(
              `/sync/todo/pull?cursor=${cursor}&limit=3`,
              jsonInit(userToken),
            );
            const page = (await res.json()) as { changes: ServerRow[]; cursor: number; hasMore: boolean };
            serverRows.push(...page.changes);
            cursor = page.cursor;
            if (!page.hasMore) break;
          }
          const serverState = new Map(
            serverRows.map((r) => [r.id, { fields: r.fields, deleted: r.deleted }]),
          );
          expect(serverState).toEqual(model(written));
          for (const c of clients) {
            expect(c.pending).toBe(0);
            expect(c.cursor('todo')).toBe(cursor);
            const replica = new Map((await c.snapshot('todo')).map((r) => [r.id, r.state]));
            expect(replica).toEqual(serverState);
          }
        } finally {
          await Promise.all(clients.map((c) => c.stop()));
        }
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 600_000);
});
