/**
 * A forwarding HTTP proxy in front of a real server (Prometheus) that can hold one chosen request
 * unanswered: a test sees which process sent it (each runner gets its own proxy), and so knows
 * that process is inside the work that sent it, e.g. a report job between its claim and its post.
 * Everything else is forwarded untouched.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface HeldRequest {
  path: string;
  /** The form or query parameters (`query`, `time`, `step`, …). */
  params: URLSearchParams;
}

export interface HoldingProxy {
  url: string;
  /** Holds the next request `match` accepts (and only that one); `held()` then returns it. */
  holdNext(match: (r: HeldRequest) => boolean): void;
  /** The request held so far, if any. */
  held(): HeldRequest | undefined;
  /** Stops holding: a held request is dropped (its client is gone), later ones are forwarded. */
  release(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  let match: ((r: HeldRequest) => boolean) | undefined;
  let held: { request: HeldRequest; res: ServerResponse } | undefined;

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', target);
      const params = new URLSearchParams(url.search);
      if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded'))
        for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
      const request = { path: url.pathname, params };
      if (match?.(request)) {
        match = undefined;
        held = { request, res };
        return;
      }
      const answer = await fetch(url, {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    holdNext(m) {
      match = m;
    },
    held: () => held?.request,
    release() {
      match = undefined;
      held?.res.destroy();
    },
    async close() {
      held?.res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
