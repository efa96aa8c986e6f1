/**
 * A small static server for the built app (`web/dist`): long-lived caching for hashed assets, an SPA
 * fallback to index.html, `config.json` from options, and optionally a reverse proxy of the sync
 * API (`/sync/*`, `/ws`) so the app reaches sync on its own origin (no CORS needed). The e2e tests
 * and the bench use it; production can use it too or any static host plus the same proxy rule.
 *
 *   node web/scripts/serve.ts --dir web/dist --port 4173 --sync http://127.0.0.1:3010 --auth http://127.0.0.1:3001
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticServerOptions {
  /** The built app. */
  dir: string;
  port?: number;
  host?: string;
  /** Served as `/config.json` (overrides a file of that name in `dir`). */
  config?: Record<string, unknown>;
  /** Sync server to proxy `/sync/*` and `/ws` to. */
  syncTarget?: string;
}

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const isSyncPath = (path: string) => path.startsWith('/sync/') || path === '/ws' || path.startsWith('/ws/');

export async function startStaticServer(o: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(o.dir);
  const target = o.syncTarget ? new URL(o.syncTarget) : undefined;

  const proxy = (req: IncomingMessage, res: ServerResponse, t: URL) => {
    const up = httpRequest(
      {
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: t.host },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 'M_UNKNOWN', error: 'sync unreachable' }));
    });
    req.pipe(up);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (target && isSyncPath(url.pathname)) return proxy(req, res, target);
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
      if (url.pathname === '/config.json' && o.config) {
        res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-cache' });
        return void res.end(JSON.stringify(o.config));
      }
      let file = normalize(join(root, decodeURIComponent(url.pathname)));
      if (!file.startsWith(root + sep) && file !== root) return void res.writeHead(403).end();
      let info = await stat(file).catch(() => undefined);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => undefined);
      }
      if (!info && !extname(url.pathname)) {
        file = join(root, 'index.html'); // SPA fallback (e.g. /auth/callback)
        info = await stat(file).catch(() => undefined);
      }
      if (!info) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      const immutable = url.pathname.startsWith('/assets/');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  // WebSocket upgrades to sync: a raw TCP pipe after replaying the request head.
  server.on('upgrade', (req, socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!target || !isSyncPath(url.pathname)) return socket.destroy();
    const up = connect(Number(target.port || 80), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        lines.push(`${k}: ${k.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]!}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket).pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) },
      port: { type: 'string', default: '4173' },
      host: { type: 'string', default: '127.0.0.1' },
      sync: { type: 'string' },
      auth: { type: 'string' },
      'client-id': { type: 'string', default: 'web' },
    },
  });
  const config = values.auth
    ? {
        authIssuer: values.auth,
        syncUrl: values.sync ? '/' : 'http://localhost:3010',
        clientId: values['client-id'],
      }
    : undefined;
  const s = await startStaticServer({
    dir: values.dir,
    port: Number(values.port),
    host: values.host,
    ...(config ? { config } : {}),
    ...(values.sync ? { syncTarget: values.sync } : {}),
  });
  process.stdout.write(`serving ${values.dir} at ${s.url}\n`);
}
