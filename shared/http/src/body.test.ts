import fc from 'fast-check';
import { Hono, type Context } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimit, decodeUtf8, readBodyText } from './body.ts';
import { listen, type RunningServer } from './service.ts';

const LIMIT = 64;
const tooLarge = (c: Context): never => {
  throw new Error(`413 at ${c.req.path}`);
};

/** The same routes twice: with this module's limit and reader, and with Hono's own (the reference). */
function appWith(fast: boolean): Hono {
  const app = new Hono();
  app.onError((err, c) =>
    c.text(
      err.message.startsWith('413') ? 'too large' : `bad ${err.message}`,
      err.message.startsWith('413') ? 413 : 400,
    ),
  );
  app.use((fast ? bodyLimit : honoBodyLimit)({ maxSize: LIMIT, onError: tooLarge }));
  app.post('/text', async (c) => c.text(`[${fast ? await readBodyText(c, LIMIT) : await c.req.text()}]`));
  // Reading again through the Request after the fast read still sees the same bytes.
  app.post('/twice', async (c) => {
    const first = fast ? await readBodyText(c, LIMIT) : await c.req.text();
    const again = await c.req.raw
      .clone()
      .text()
      .catch(() => c.req.text());
    return c.text(`${first}|${again}`);
  });
  app.get('/get', (c) => c.text('ok'));
  return app;
}

function send(
  url: string,
  {
    method = 'POST',
    path = '/text',
    body,
    chunked = false,
    headers = {},
  }: {
    method?: string;
    path?: string;
    body?: Buffer;
    chunked?: boolean;
    headers?: Record<string, string>;
  },
): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path,
        method,
        // A connection per request: one request's leftovers never meet the next.
        agent: false,
        headers: {
          ...(body && !chunked ? { 'content-length': String(body.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body && chunked) {
      // Two writes without a length: Transfer-Encoding: chunked.
      req.write(body.subarray(0, Math.floor(body.length / 2)));
      req.end(body.subarray(Math.floor(body.length / 2)));
    } else req.end(body);
  });
}

let fast: RunningServer;
let reference: RunningServer;
beforeAll(async () => {
  fast = await listen(appWith(true), { port: 0 });
  reference = await listen(appWith(false), { port: 0 });
});
afterAll(async () => {
  await fast.close();
  await reference.close();
});

describe('decodeUtf8', () => {
  it('decodes any bytes exactly as Request.text() does (BOM, invalid sequences)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ unit: 'grapheme', maxLength: 16 }),
        async (bom, bytes, text) => {
          const buf = Buffer.concat([
            bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
            Buffer.from(bytes),
            Buffer.from(text),
          ]);
          expect(decodeUtf8(buf)).toBe(await new Response(buf).text());
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('bodyLimit + readBodyText on node-server', () => {
  it('answers exactly what Hono’s bodyLimit and c.req.text() answer, for any body and framing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: LIMIT + 16 }), fc.boolean(), async (bytes, chunked) => {
        const path = '/text';
        const body = Buffer.from(bytes);
        const [a, b] = await Promise.all([
          send(fast.url, { body, chunked, path }),
          send(reference.url, { body, chunked, path }),
        ]);
        expect(a).toEqual(b);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a declared length over the limit, lets GET through, reads an empty body', async () => {
    const big = Buffer.alloc(LIMIT + 1, 'a');
    expect(await send(fast.url, { body: big })).toEqual({ status: 413, text: 'too large' });
    expect(await send(fast.url, { body: big, chunked: true })).toEqual({ status: 413, text: 'too large' });
    expect(await send(fast.url, { method: 'GET', path: '/get', headers: { 'content-length': '0' } })).toEqual(
      {
        status: 200,
        text: 'ok',
      },
    );
    expect(await send(fast.url, { body: Buffer.alloc(0) })).toEqual({ status: 200, text: '[]' });
    expect(await send(fast.url, { body: Buffer.from('\ufeff{"a":1}') })).toEqual({
      status: 200,
      text: '[{"a":1}]',
    });
  });

  it('after the fast read, the Request still yields the same bytes (rawBody)', async () => {
    const body = Buffer.from('{"x":"ü"}');
    expect(await send(fast.url, { body, path: '/twice' })).toEqual({
      status: 200,
      text: '{"x":"ü"}|{"x":"ü"}',
    });
  });

  it('off node-server (app.request) it is Hono’s path', async () => {
    const res = await appWith(true).request('/text', { method: 'POST', body: 'hello' });
    expect([res.status, await res.text()]).toEqual([200, '[hello]']);
    const over = await appWith(true).request('/text', { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    expect(over.status).toBe(413);
  });
});
