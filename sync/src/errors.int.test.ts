import { formatHlc } from '@mana/sync-protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from './server.ts';
import { createSyncTestEnv, jsonInit, type SyncTestEnv } from './test-support.ts';

let env: SyncTestEnv;
let server: SyncServer;
let alice: string;
beforeAll(async () => {
  env = await createSyncTestEnv('sync_errors');
  server = await env.server({
    env: { SYNC_MAX_BODY_BYTES: '20000', SYNC_MAX_CHANGES: '10', SYNC_MAX_FIELD_BYTES: '1000' },
  });
  alice = await env.token('alice');
});
afterAll(() => env.close());

const hlc = formatHlc({ wall: Date.now(), counter: 0, clientId: 'c1' });
const up = (fields: Record<string, unknown>, table = 'tasks') => ({
  op: 'upsert',
  table,
  id: 'r1',
  fields: Object.fromEntries(Object.entries(fields).map(([k, value]) => [k, { value, hlc }])),
});
const body = (changes: unknown[], extra: Record<string, unknown> = {}) => ({
  clientId: 'c1',
  cursor: 0,
  changes,
  ...extra,
});

interface Case {
  name: string;
  path?: string;
  body?: unknown;
  raw?: string;
  method?: string;
  token?: () => Promise<string | undefined>;
  status: number;
  errcode: string;
  at?: string;
}

const cases: Case[] = [
  // Authentication and authorization.
  { name: 'no token', token: async () => undefined, body: body([]), status: 401, errcode: 'M_MISSING_TOKEN' },
  {
    name: 'garbage token',
    token: async () => 'abc.def.ghi',
    body: body([]),
    status: 401,
    errcode: 'M_UNKNOWN_TOKEN',
  },
  {
    name: 'wrong audience',
    token: () => env.token('alice', { aud: 'urn:mana:other' }),
    body: body([]),
    status: 401,
    errcode: 'M_UNKNOWN_TOKEN',
  },
  {
    name: 'expired token',
    token: () => env.token('alice', { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
    body: body([]),
    status: 401,
    errcode: 'M_UNKNOWN_TOKEN',
  },
  {
    name: 'token without sync scope',
    token: () => env.token('alice', { scope: 'openid credits' }),
    body: body([]),
    status: 403,
    errcode: 'SYNC_FORBIDDEN',
  },
  {
    name: 'bot limited to todo pushing calendar',
    path: '/sync/calendar',
    token: () => env.token('alice', { scope: 'sync:todo', act: 'bot-todo' }),
    body: body([]),
    status: 403,
    errcode: 'SYNC_FORBIDDEN',
  },
  {
    name: 'bot limited to todo pulling calendar',
    path: '/sync/calendar/pull',
    method: 'GET',
    token: () => env.token('alice', { scope: 'sync:todo', act: 'bot-todo' }),
    status: 403,
    errcode: 'SYNC_FORBIDDEN',
  },
  // Registry.
  {
    name: 'unknown app',
    path: '/sync/nope',
    body: body([]),
    status: 400,
    errcode: 'SYNC_UNKNOWN_APP',
    at: 'appId',
  },
  {
    name: 'unknown app on pull',
    path: '/sync/__proto__/pull',
    method: 'GET',
    status: 400,
    errcode: 'SYNC_UNKNOWN_APP',
  },
  {
    name: 'unknown table',
    body: body([up({ title: 'x' }, 'events')]),
    status: 400,
    errcode: 'SYNC_UNKNOWN_TABLE',
    at: 'changes.0.table',
  },
  {
    name: 'prototype table name',
    body: body([up({ title: 'x' }, 'constructor')]),
    status: 400,
    errcode: 'SYNC_UNKNOWN_TABLE',
  },
  {
    name: 'unknown field',
    body: body([up({ title: 'x' }), up({ colour: 'red' })]),
    status: 400,
    errcode: 'SYNC_UNKNOWN_FIELD',
    at: 'changes.1.fields.colour',
  },
  {
    name: 'wrong field type',
    body: body([up({ priority: 'high' })]),
    status: 400,
    errcode: 'SYNC_INVALID_FIELD',
    at: 'changes.0.fields.priority.value',
  },
  {
    name: 'bad ISO date',
    body: body([up({ dueDate: '2025-13-45' })]),
    status: 400,
    errcode: 'SYNC_INVALID_FIELD',
  },
  {
    name: 'clock far in the future',
    body: body([
      {
        ...up({ title: 'x' }),
        fields: {
          title: {
            value: 'x',
            hlc: formatHlc({ wall: Date.now() + 10 * 86400_000, counter: 0, clientId: 'c1' }),
          },
        },
      },
    ]),
    status: 400,
    errcode: 'SYNC_INVALID_HLC',
  },
  // Envelope.
  { name: 'not JSON', raw: '{"clientId":', status: 400, errcode: 'M_NOT_JSON' },
  { name: 'JSON array', body: [], status: 400, errcode: 'SYNC_BAD_REQUEST' },
  { name: 'JSON null', raw: 'null', status: 400, errcode: 'SYNC_BAD_REQUEST' },
  {
    name: 'missing clientId',
    body: { cursor: 0, changes: [] },
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
    at: 'clientId',
  },
  { name: 'bad clientId', body: body([], { clientId: 'a b' }), status: 400, errcode: 'SYNC_BAD_REQUEST' },
  { name: 'negative cursor', body: body([], { cursor: -1 }), status: 400, errcode: 'SYNC_BAD_REQUEST' },
  { name: 'fractional cursor', body: body([], { cursor: 1.5 }), status: 400, errcode: 'SYNC_BAD_REQUEST' },
  { name: 'cursor as string', body: body([], { cursor: '0' }), status: 400, errcode: 'SYNC_BAD_REQUEST' },
  {
    name: 'unsupported protocol',
    body: body([], { protocolVersion: 99 }),
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
  },
  { name: 'changes not an array', body: body([], { changes: {} }), status: 400, errcode: 'SYNC_BAD_REQUEST' },
  {
    name: 'unknown op',
    body: body([{ op: 'merge', table: 'tasks', id: 'x', fields: {} }]),
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
    at: 'changes.0.op',
  },
  { name: 'change not an object', body: body([42]), status: 400, errcode: 'SYNC_BAD_REQUEST' },
  {
    name: 'missing hlc',
    body: body([{ op: 'upsert', table: 'tasks', id: 'x', fields: { title: { value: 'x' } } }]),
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
    at: 'changes.0.fields.title.hlc',
  },
  {
    name: 'malformed hlc',
    body: body([{ op: 'delete', table: 'tasks', id: 'x', hlc: '2025-01-01' }]),
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
  },
  {
    name: 'empty row id',
    body: body([{ op: 'delete', table: 'tasks', id: '', hlc }]),
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
  },
  {
    name: 'row id too long',
    body: body([{ op: 'delete', table: 'tasks', id: 'x'.repeat(200), hlc }]),
    status: 400,
    errcode: 'SYNC_BAD_REQUEST',
  },
  {
    name: 'pull cursor not a number',
    path: '/sync/todo/pull?cursor=abc',
    method: 'GET',
    status: 400,
    errcode: 'M_INVALID_PARAM',
  },
  {
    name: 'pull limit too large',
    path: '/sync/todo/pull?limit=999999',
    method: 'GET',
    status: 400,
    errcode: 'M_INVALID_PARAM',
  },
  {
    name: 'pull cursor ahead of the stream',
    path: '/sync/todo/pull?cursor=5000',
    method: 'GET',
    status: 410,
    errcode: 'SYNC_CURSOR_EXPIRED',
  },
  // Limits.
  {
    name: 'too many changes',
    body: body(Array.from({ length: 11 }, () => up({ title: 'x' }))),
    status: 413,
    errcode: 'SYNC_TOO_MANY_CHANGES',
  },
  {
    name: 'field too large',
    body: body([up({ notes: 'x'.repeat(2000) })]),
    status: 413,
    errcode: 'SYNC_FIELD_TOO_LARGE',
    at: 'changes.0.fields.notes',
  },
  {
    name: 'body too large',
    body: body([up({ notes: 'x'.repeat(30_000) })]),
    status: 413,
    errcode: 'SYNC_PAYLOAD_TOO_LARGE',
  },
];

describe('refusals (table-driven): documented status and errcode, never 5xx', () => {
  it.each(cases)('$name → $status $errcode', async (c) => {
    const token = c.token ? await c.token() : alice;
    const init = jsonInit(
      token,
      c.raw ?? c.body,
      (c.method ?? (c.raw ?? c.body) === undefined) ? 'GET' : 'POST',
    );
    if (c.method === 'GET') delete init.body;
    const res = await server.app.request(c.path ?? '/sync/todo', { ...init, method: c.method ?? 'POST' });
    const json = (await res.json()) as { errcode: string; error: string; path?: string };
    expect({ status: res.status, errcode: json.errcode }).toEqual({ status: c.status, errcode: c.errcode });
    expect(typeof json.error).toBe('string');
    if (c.at) expect(json.path ?? json.error).toContain(c.at);
  });

  it('nothing from a refused batch is applied (atomic)', async () => {
    const res = await server.app.request(
      '/sync/todo',
      jsonInit(alice, body([up({ title: 'ok', priority: 1, completed: false }), up({ colour: 'x' })])),
    );
    expect(res.status).toBe(400);
    const pull = await server.app.request('/sync/todo/pull?cursor=0', jsonInit(alice));
    expect(((await pull.json()) as { changes: unknown[] }).changes).toEqual([]);
  });

  it('random JSON bodies never cause a 5xx', async () => {
    const anyChange = fc.record(
      {
        op: fc.oneof(fc.constantFrom('upsert', 'delete'), fc.string()),
        table: fc.oneof(fc.constantFrom('tasks', 'labels'), fc.string()),
        id: fc.oneof(fc.string(), fc.integer()),
        fields: fc.oneof(
          fc.jsonValue(),
          fc.dictionary(
            fc.constantFrom('title', 'priority', 'x'),
            fc.record({ value: fc.jsonValue(), hlc: fc.oneof(fc.constant(hlc), fc.string()) }),
          ),
        ),
        hlc: fc.oneof(fc.constant(hlc), fc.string()),
      },
      { requiredKeys: [] },
    );
    const anyBody = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          clientId: fc.oneof(fc.constant('c1'), fc.jsonValue()),
          cursor: fc.oneof(fc.nat(3), fc.jsonValue()),
          changes: fc.array(anyChange, { maxLength: 4 }),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(anyBody, async (b) => {
        const res = await server.app.request('/sync/todo', jsonInit(alice, JSON.stringify(b) ?? 'null'));
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('isolation between users', () => {
  it('the user is the token subject: no body field or header reaches another stream', async () => {
    const bob = await env.token('bob');
    const mallory = await env.token('mallory');
    const write = { ...up({ title: 'secret', priority: 1, completed: false }), id: 'bob-secret' };
    expect((await server.app.request('/sync/todo', jsonInit(bob, body([write])))).status).toBe(200);
    // Mallory tries to name bob everywhere she can.
    const res = await server.app.request('/sync/todo/pull?cursor=0&userId=bob&user=bob', {
      headers: { authorization: `Bearer ${mallory}`, 'x-user-id': 'bob' },
    });
    expect(((await res.json()) as { changes: unknown[] }).changes).toEqual([]);
    const overwrite = await server.app.request(
      '/sync/todo',
      jsonInit(mallory, {
        ...body([
          {
            ...write,
            fields: {
              title: { value: 'pwned', hlc: formatHlc({ wall: Date.now(), counter: 9, clientId: 'm' }) },
            },
          },
        ]),
        userId: 'bob',
      }),
    );
    // The stray `userId` is ignored: the write lands in mallory's own stream, bob's row is untouched.
    expect(overwrite.status).toBe(200);
    const bobs = await server.app.request('/sync/todo/pull?cursor=0', jsonInit(bob));
    const rows = (
      (await bobs.json()) as { changes: { id: string; fields: { title?: { value: unknown } } }[] }
    ).changes;
    expect(rows.map((r) => [r.id, r.fields.title?.value])).toEqual([['bob-secret', 'secret']]);
    const mine = await server.app.request('/sync/todo/pull?cursor=0', jsonInit(mallory));
    expect(((await mine.json()) as { changes: { id: string }[] }).changes.map((r) => r.id)).toEqual([
      'bob-secret',
    ]);
  });

  it("a bot token (act, sync:todo) reads and writes that user's todo stream, as the user", async () => {
    const bot = await env.token('bob', { scope: 'sync:todo', act: 'bot-todo' });
    const res = await server.app.request('/sync/todo/pull?cursor=0', jsonInit(bot));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { changes: { id: string }[] }).changes.map((r) => r.id)).toEqual([
      'bob-secret',
    ]);
  });
});
