import { serve, type Http2Bindings, type HttpBindings, type ServerType } from '@hono/node-server';
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';
import { Hono, type Env } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyLimit } from './body.ts';
import { ErrCode, HttpError } from './errors.ts';

/** A readiness check: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ServiceAppOptions {
  name: string;
  version?: string;
  logger: Logger;
  metrics: Metrics;
  /** Named dependencies checked by `/health/ready` (Postgres, Redis, …). */
  readiness?: Record<string, ReadinessCheck>;
  /** Bodies larger than this get 413 before any handler reads them. */
  maxBodyBytes?: number;
}

type CheckResult = { ok: true } | { ok: false; error: string };

async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, { ok: true }];
      } catch (err) {
        return [name, { ok: false, error: err instanceof Error ? err.message : String(err) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

/**
 * A Hono app with what every Mana service has: health endpoints, `/metrics`, HTTP metrics, a body
 * limit, and one error handler that renders `{ errcode, error }` and never leaks a stack trace.
 */
export function createServiceApp<E extends Env = Env>(options: ServiceAppOptions): Hono<E> {
  const { name, logger, metrics, readiness = {}, maxBodyBytes = 1024 * 1024 } = options;
  const app = new Hono<E>();
  app.use(metrics.middleware());
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new HttpError(413, ErrCode.TooLarge, `Request body exceeds ${maxBodyBytes} bytes`);
      },
    }),
  );
  const started = Date.now();
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  const ready = async () => runChecks(readiness);
  app.get('/health/ready', async (c) => {
    const r = await ready();
    return c.json({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks }, r.ok ? 200 : 503);
  });
  app.get('/health', async (c) => {
    const r = await ready();
    return c.json(
      {
        service: name,
        version: options.version ?? '0.1.0',
        status: r.ok ? 'ok' : 'degraded',
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        checks: r.checks,
      },
      r.ok ? 200 : 503,
    );
  });
  app.get('/metrics', metrics.handler());
  app.notFound((c) =>
    c.json({ errcode: ErrCode.Unrecognized, error: `No route for ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((err, c) => {
    if (err instanceof HttpError) {
      if (err.status >= 500) logger.error({ err, path: c.req.path }, 'request failed');
      return c.json(err.toJSON(), err.status, err.headers);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json(
        { errcode: status === 401 ? ErrCode.Unauthorized : ErrCode.Unknown, error: err.message },
        status,
      );
    }
    logger.error({ err, path: c.req.path, method: c.req.method }, 'unhandled error');
    return c.json({ errcode: ErrCode.Unknown, error: 'Internal server error' }, 500);
  });
  return app;
}

export interface RunningServer {
  server: ServerType;
  port: number;
  url: string;
  /** HTTP requests being served right now (WebSocket upgrades are not requests). */
  readonly inFlight: number;
  /** True once `beginDrain()` ran. */
  readonly draining: boolean;
  /**
   * Readiness goes red: from now on `/health/ready` answers 503 (`checks.draining`), whatever the
   * service's own checks say. Every other request is still served, with `Connection: close`.
   */
  beginDrain(): void;
  /** Resolves once no HTTP request is in flight. */
  idle(): Promise<void>;
  /**
   * Stops accepting connections, closes idle keep-alive ones and waits for open requests, cutting
   * them off after `forceAfterMs` (default 5000). Calling it again returns the same promise.
   */
  close(options?: { forceAfterMs?: number }): Promise<void>;
}

const DRAINING_BODY = JSON.stringify({
  status: 'unavailable',
  checks: { draining: { ok: false, error: 'shutting down' } },
});

/** Starts the HTTP server; `port: 0` picks a free port (tests). */
export async function listen(
  app: { fetch: (req: Request, env: HttpBindings) => Response | Promise<Response> },
  { port, host = '127.0.0.1' }: { port: number; host?: string },
): Promise<RunningServer> {
  let draining = false;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  let closing: Promise<void> | undefined;
  const fetch = (req: Request, env: HttpBindings | Http2Bindings): Response | Promise<Response> => {
    if (draining && req.method === 'GET' && new URL(req.url).pathname === '/health/ready')
      return new Response(DRAINING_BODY, { status: 503, headers: { 'content-type': 'application/json' } });
    // Only node:http servers are started here (checked below), so the bindings are HttpBindings.
    return app.fetch(req, env as HttpBindings);
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
      const running: RunningServer = {
        server,
        port: info.port,
        url,
        get inFlight() {
          return inFlight;
        },
        get draining() {
          return draining;
        },
        beginDrain() {
          draining = true;
        },
        idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((res) => idleWaiters.push(res))),
        close: ({ forceAfterMs = 5000 } = {}) =>
          (closing ??= new Promise<void>((res) => {
            draining = true;
            server.close(() => res());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
            // Keep-alive sockets and requests that never end must not hold shutdown hostage.
            const cut = () => {
              if ('closeAllConnections' in server) server.closeAllConnections();
            };
            if (forceAfterMs <= 0) cut();
            else setTimeout(cut, forceAfterMs).unref();
          })),
      };
      resolve(running);
    });
    if (!(server instanceof HttpServer)) {
      reject(new Error('expected a node:http server'));
      return;
    }
    // Before the app's own listener, so the header is set before any response starts.
    server.prependListener('request', (_req: unknown, res: ServerResponse) => {
      inFlight++;
      if (draining && !res.headersSent) res.setHeader('connection', 'close');
      res.once('close', () => {
        inFlight--;
        if (inFlight === 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    });
    server.once('error', reject);
  });
}
