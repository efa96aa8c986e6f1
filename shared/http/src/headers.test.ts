import fc from 'fast-check';
import { Hono } from 'hono';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHeader } from './headers.ts';
import { listen, type RunningServer } from './service.ts';

const NAMES = ['authorization', 'idempotency-key'] as const;

/** Both answers for each name: this module's first (before any `Headers` exists), then Hono's. */
const app = new Hono();
app.get('/h', (c) => {
  const fast = NAMES.map((n) => requestHeader(c, n) ?? null);
  const slow = NAMES.map((n) => {
    try {
      return c.req.header(n) ?? null;
    } catch (err) {
      return `threw ${String(err)}`;
    }
  });
  return c.json({ fast, slow });
});

/** One request written byte for byte (latin1), so any header line the parser takes can be sent. */
function sendRaw(url: string, headerLines: string[]): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    const head = ['GET /h HTTP/1.1', `host: ${u.host}`, 'connection: close', ...headerLines].join('\r\n');
    socket.end(Buffer.from(`${head}\r\n\r\n`, 'latin1'));
  });
}

const nameArb = fc.constantFrom(
  'authorization',
  'Authorization',
  'AUTHORIZATION',
  'idempotency-key',
  'Idempotency-Key',
  'x-other',
  'authorizations',
);
// Edges of whitespace, commas, quotes, latin1, and now and then a control byte the parser may refuse.
const valueArb = fc
  .array(
    fc.oneof(
      {
        weight: 30,
        arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '\t', ',', '"', '=', '.', '\u00e9', '\u00ff'),
      },
      { weight: 1, arbitrary: fc.constantFrom('\u0001', '\u007f') },
    ),
    { maxLength: 12 },
  )
  .map((cs) => cs.join(''));

describe('requestHeader on node-server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen(app, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers exactly what c.req.header answers, for any header lines (property)', async () => {
    let served = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(nameArb, fc.constantFrom('', ' ', '  \t'), valueArb), { maxLength: 6 }),
        async (lines) => {
          const res = await sendRaw(
            server.url,
            lines.map(([n, sep, v]) => `${n}:${sep}${v}`),
          );
          // What the HTTP parser refuses never reaches a route, with either reader.
          if (res.status !== 200) return;
          served++;
          const { fast, slow } = JSON.parse(res.body) as { fast: unknown[]; slow: unknown[] };
          expect(fast).toEqual(slow);
        },
      ),
      { numRuns: 300 },
    );
    // The property is about served requests: most generated ones must have been.
    expect(served).toBeGreaterThan(150);
  });

  it('joins repeated headers and trims each value as Headers does', async () => {
    const res = await sendRaw(server.url, ['Authorization: Bearer a \t', 'authorization:Bearer b']);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      fast: ['Bearer a, Bearer b', null],
      slow: ['Bearer a, Bearer b', null],
    });
  });

  it('off node-server (app.request) it is c.req.header', async () => {
    const res = await app.request('/h', { headers: { authorization: ' Bearer x ' } });
    expect(await res.json()).toEqual({ fast: ['Bearer x', null], slow: ['Bearer x', null] });
  });
});
