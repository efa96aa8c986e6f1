import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from './check.ts';
import { startCreditsFixture, type CreditsFixture } from './fixture.ts';

// Whatever a client sends, the answer is a 4xx with { errcode, error }, never a 500.
let f: CreditsFixture;
let user: string;
let admin: string;
let heldId: string;
beforeAll(async () => {
  f = await startCreditsFixture({ label: 'credits_malformed' });
  await f.credits.grantStartingBalance('mal');
  user = await f.userToken('mal');
  admin = await f.adminToken();
  const r = await f.call('POST', '/reserve', {
    token: user,
    body: { operation: 'ai_chat_remote', idempotencyKey: 'held' },
  });
  heldId = String(r.body.reservationId);
});
afterAll(() => f.close());

type Case = [name: string, path: string, body: string, status: number, errcode?: string];
const json = (v: unknown) => JSON.stringify(v);
const long = 'x'.repeat(300);

const cases: Case[] = [
  ['not JSON', '/reserve', '{oops', 400, 'M_NOT_JSON'],
  ['empty body', '/reserve', '', 400, 'M_NOT_JSON'],
  ['JSON null', '/reserve', 'null', 400, 'M_BAD_JSON'],
  ['JSON array', '/reserve', '[]', 400, 'M_BAD_JSON'],
  ['JSON string', '/reserve', '"reserve"', 400, 'M_BAD_JSON'],
  ['JSON number', '/reserve', '42', 400, 'M_BAD_JSON'],
  ['missing operation', '/reserve', json({ idempotencyKey: 'a' }), 400, 'M_BAD_JSON'],
  ['operation not a string', '/reserve', json({ operation: 7, idempotencyKey: 'a' }), 400, 'M_BAD_JSON'],
  ['operation empty', '/reserve', json({ operation: '', idempotencyKey: 'a' }), 400, 'M_BAD_JSON'],
  ['operation object', '/reserve', json({ operation: { $ne: 1 }, idempotencyKey: 'a' }), 400, 'M_BAD_JSON'],
  ['operation huge', '/reserve', json({ operation: long, idempotencyKey: 'a' }), 400, 'M_BAD_JSON'],
  [
    'unknown operation',
    '/reserve',
    json({ operation: 'nope', idempotencyKey: 'a' }),
    400,
    'CREDITS_UNKNOWN_OPERATION',
  ],
  ['key number', '/reserve', json({ operation: 'ai_chat_ollama', idempotencyKey: 5 }), 400, 'M_BAD_JSON'],
  ['key empty', '/reserve', json({ operation: 'ai_chat_ollama', idempotencyKey: '' }), 400, 'M_BAD_JSON'],
  [
    'key with spaces',
    '/reserve',
    json({ operation: 'ai_chat_ollama', idempotencyKey: 'a b' }),
    400,
    'M_BAD_JSON',
  ],
  [
    'key with NUL',
    '/reserve',
    json({ operation: 'ai_chat_ollama', idempotencyKey: 'a\u0000b' }),
    400,
    'M_BAD_JSON',
  ],
  [
    'key too long',
    '/reserve',
    json({ operation: 'ai_chat_ollama', idempotencyKey: long }),
    400,
    'M_BAD_JSON',
  ],
  [
    'reference not a string',
    '/reserve',
    json({ operation: 'ai_chat_ollama', idempotencyKey: 'a', reference: [] }),
    400,
    'M_BAD_JSON',
  ],
  [
    'extra field',
    '/reserve',
    json({ operation: 'ai_chat_ollama', idempotencyKey: 'a', amount: 1 }),
    400,
    'M_BAD_JSON',
  ],
  [
    'no key at all',
    '/reserve',
    json({ operation: 'ai_chat_ollama' }),
    400,
    'CREDITS_IDEMPOTENCY_KEY_REQUIRED',
  ],
  ['consume not JSON', '/consume', '}', 400, 'M_NOT_JSON'],
  [
    'consume unknown op',
    '/consume',
    json({ operation: 'hasOwnProperty', idempotencyKey: 'a' }),
    400,
    'CREDITS_UNKNOWN_OPERATION',
  ],
  ['commit not JSON', '/reservations/HELD/commit', '{', 400, 'M_NOT_JSON'],
  ['commit negative', '/reservations/HELD/commit', json({ amount: -1 }), 400, 'M_BAD_JSON'],
  ['commit fraction', '/reservations/HELD/commit', json({ amount: 1.5 }), 400, 'M_BAD_JSON'],
  ['commit string amount', '/reservations/HELD/commit', json({ amount: '5' }), 400, 'M_BAD_JSON'],
  ['commit enormous', '/reservations/HELD/commit', json({ amount: 1e300 }), 400, 'M_BAD_JSON'],
  [
    'commit above hold',
    '/reservations/HELD/commit',
    json({ amount: 2001 }),
    400,
    'CREDITS_AMOUNT_EXCEEDS_HOLD',
  ],
  ['commit array', '/reservations/HELD/commit', '[1]', 400, 'M_BAD_JSON'],
  ['commit bad id', '/reservations/not-a-uuid/commit', '{}', 404, 'CREDITS_RESERVATION_NOT_FOUND'],
  ['commit sql-ish id', "/reservations/1'%20or%20'1'='1/commit", '{}', 404, 'CREDITS_RESERVATION_NOT_FOUND'],
  ['release with fields', '/reservations/HELD/release', json({ amount: 1 }), 400, 'M_BAD_JSON'],
  ['release bad id', '/reservations/zzz/release', '', 404, 'CREDITS_RESERVATION_NOT_FOUND'],
  [
    'grant without admin',
    '/grant',
    json({ userId: 'mal', amount: 1, idempotencyKey: 'g' }),
    403,
    'M_FORBIDDEN',
  ],
];

const adminCases: Case[] = [
  ['grant zero', '/grant', json({ userId: 'x', amount: 0, idempotencyKey: 'g' }), 400, 'M_BAD_JSON'],
  ['grant negative', '/grant', json({ userId: 'x', amount: -5, idempotencyKey: 'g' }), 400, 'M_BAD_JSON'],
  [
    'grant too big',
    '/grant',
    json({ userId: 'x', amount: Number.MAX_SAFE_INTEGER, idempotencyKey: 'g' }),
    400,
    'M_BAD_JSON',
  ],
  ['grant no user', '/grant', json({ amount: 5, idempotencyKey: 'g' }), 400, 'M_BAD_JSON'],
  [
    'grant bad kind',
    '/grant',
    json({ userId: 'x', amount: 5, idempotencyKey: 'g', kind: 'commit' }),
    400,
    'M_BAD_JSON',
  ],
  ['grant no key', '/grant', json({ userId: 'x', amount: 5 }), 400, 'CREDITS_IDEMPOTENCY_KEY_REQUIRED'],
  ['grant not JSON', '/grant', 'amount=5', 400, 'M_NOT_JSON'],
];

describe('malformed requests', () => {
  it.each(cases)('%s → %i', async (_name, path, body, status, errcode) => {
    const r = await f.call('POST', path.replace('HELD', heldId), { token: user, rawBody: body });
    expect(r.status).toBe(status);
    expect(r.body.errcode).toBe(errcode);
    expect(typeof r.body.error).toBe('string');
  });

  it.each(adminCases)('%s → %i', async (_name, path, body, status, errcode) => {
    const r = await f.call('POST', path, { token: admin, rawBody: body });
    expect(r.status).toBe(status);
    expect(r.body.errcode).toBe(errcode);
    expect(typeof r.body.error).toBe('string');
  });

  it('bad Idempotency-Key headers and query strings are 400', async () => {
    const header = await f.call('POST', '/reserve', {
      token: user,
      body: { operation: 'ai_chat_ollama' },
      headers: { 'idempotency-key': long },
    });
    expect(header).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_PARAM' } });
    for (const qs of [
      '?cursor=-1',
      '?cursor=0',
      '?cursor=99999999999999999999',
      '?limit=abc',
      '?limit=1.5',
      '?other=1',
    ])
      expect((await f.call('GET', `/transactions${qs}`, { token: user })).status, qs).toBe(400);
  });

  it('random JSON bodies on every route never produce a 5xx', async () => {
    const paths = [
      '/reserve',
      '/consume',
      `/reservations/${heldId}/commit`,
      `/reservations/${heldId}/release`,
      '/grant',
    ];
    const value = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          operation: fc.oneof(fc.constantFrom('ai_chat_ollama', 'zitare_quote', 'constructor'), fc.string()),
          idempotencyKey: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
          amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
          reference: fc.jsonValue(),
          userId: fc.string(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), value, fc.boolean(), async (path, body, asAdmin) => {
        const r = await f.call('POST', path, {
          token: asAdmin ? admin : user,
          rawBody: JSON.stringify(body),
        });
        expect(r.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(r.body.errcode ?? r.body.reservationId ?? r.body.entryId).toBeDefined();
      }),
      { numRuns: 300 },
    );
    expect((await checkLedger(f.db.sql)).problems).toEqual([]);
  });
});
