/**
 * Request bodies without the web-streams detour where Node serves the request.
 *
 * On `@hono/node-server`, `c.req.raw` is a lazy stand-in for a `Request`: touching its `body` (as
 * Hono's `bodyLimit` does first thing) or reading it builds a real undici `Request`, an
 * `AbortController` and a web `ReadableStream` over the `IncomingMessage`, then reads that stream
 * chunk by chunk and decodes it. `bodyLimit` here checks `Content-Length` without touching the body;
 * `readBodyText` reads the `IncomingMessage` directly, once, into one buffer, and leaves it as
 * `incoming.rawBody`, which node-server serves to anyone who reads `c.req.raw` afterwards.
 *
 * Everything else (other runtimes, `app.request` in tests, a chunked body, a body someone already
 * started to read) takes exactly the path it took before: Hono's own `bodyLimit` and `c.req.text()`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { IncomingMessage } from 'node:http';

type WithRawBody = IncomingMessage & { rawBody?: unknown };

/** The Node request behind `c`, when node-server serves it and nobody has read its body yet. */
function untouchedIncoming(c: Context): WithRawBody | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  const incoming = env.incoming;
  if (!(incoming instanceof IncomingMessage)) return undefined;
  const i = incoming as WithRawBody;
  if ('rawBody' in i) return undefined;
  // Readable.toWeb (node-server's Request) listens for data; any reader at all has moved these.
  if (i.readableDidRead || i.readableEnded || i.listenerCount('data') > 0 || i.listenerCount('readable') > 0)
    return undefined;
  return i;
}

/** A declared length we can trust: `Content-Length` present, no `Transfer-Encoding`. */
function declaredLength(incoming: IncomingMessage): number | undefined {
  if (incoming.headers['transfer-encoding'] !== undefined) return undefined;
  const raw = incoming.headers['content-length'];
  if (raw === undefined) return undefined;
  return parseInt(raw || '0', 10);
}

/**
 * Hono's `bodyLimit`, decided on `Content-Length` alone when node-server serves a request that
 * declares one (what Hono's does too, after first building the body stream it then ignores).
 * Without a declared length it is Hono's `bodyLimit` itself.
 */
export function bodyLimit(options: { maxSize: number; onError: (c: Context) => never }): MiddlewareHandler {
  const slow = honoBodyLimit(options);
  return async (c, next) => {
    const incoming = untouchedIncoming(c);
    if (incoming) {
      // node-server gives GET and HEAD no body, so Hono's limit never applies to them.
      if (incoming.method === 'GET' || incoming.method === 'HEAD') return next();
      const length = declaredLength(incoming);
      if (length !== undefined) return length > options.maxSize ? options.onError(c) : next();
    }
    return slow(c, next);
  };
}

/**
 * The body as text. On node-server with a declared length, read straight from the socket (at most
 * `maxBytes`; more is an error, as a lying length would be), decoded once; otherwise `c.req.text()`.
 */
export async function readBodyText(c: Context, maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
  const incoming = untouchedIncoming(c);
  const length = incoming ? declaredLength(incoming) : undefined;
  if (!incoming || length === undefined || !(length <= maxBytes)) return c.req.text();
  const buffer = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > maxBytes) done(new Error('request body exceeds its limit'));
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(err);
    const onAborted = () => done(new Error('request aborted'));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onAborted);
  });
  // Anyone reading `c.req.raw` from now on gets these bytes (node-server's own convention).
  (incoming as { rawBody?: Buffer }).rawBody = buffer;
  return decodeUtf8(buffer);
}

/** What `Request.text()` does with bytes: UTF-8, invalid sequences replaced, one leading BOM dropped. */
export function decodeUtf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
