import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapped, ResponseTooLargeError } from './capped.ts';

let server: Server;
let base = '';
/** Chunks the endless route wrote before the client stopped reading. */
let endlessWrites = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/small') res.end(Buffer.from('hello'));
    else if (req.url === '/declared') {
      // Declares 10 MB; sends only a little (the reader must not wait for or buffer the rest).
      res.writeHead(200, { 'content-length': String(10_000_000) });
      res.write(Buffer.alloc(10));
    } else {
      // Chunked, no length, never ends: a garbage server.
      res.writeHead(200);
      const timer = setInterval(() => {
        endlessWrites++;
        res.write(Buffer.alloc(64 * 1024, 1));
      }, 1);
      res.on('close', () => clearInterval(timer));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('readCapped', () => {
  it('reads a body within the cap whole', async () => {
    const bytes = await readCapped(await fetch(`${base}/small`), 5);
    expect(new TextDecoder().decode(bytes)).toBe('hello');
  });

  it('refuses a declared length over the cap before reading', async () => {
    await expect(readCapped(await fetch(`${base}/declared`), 1_000_000)).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
  });

  it('stops an endless body at the cap and stops reading it', async () => {
    const err = await readCapped(await fetch(`${base}/endless`), 1_000_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as ResponseTooLargeError).maxBytes).toBe(1_000_000);
    const writes = endlessWrites;
    await new Promise((r) => setTimeout(r, 100));
    // The socket is closed after the cancel: at most a few writes were already on their way.
    expect(endlessWrites - writes).toBeLessThan(20);
  });
});
