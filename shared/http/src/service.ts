import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '@mana/logging';
import type { Metrics } from '@mana/metrics';
import { Hono, type Env } from 'hono';
import { HTTPException } from 'hono/http-exception';
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
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/** Starts the HTTP server; `port: 0` picks a free port (tests). */
export async function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  { port, host = '127.0.0.1' }: { port: number; host?: string },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
      resolve({
        server,
        port: info.port,
        url,
        close: () =>
          new Promise<void>((res) => {
            if ('closeIdleConnections' in server) server.closeIdleConnections();
            server.close(() => res());
            // Keep-alive sockets must not hold shutdown hostage.
            setTimeout(() => {
              if ('closeAllConnections' in server) server.closeAllConnections();
            }, 5000).unref();
          }),
      });
    });
    server.once('error', reject);
  });
}

/**
 * Life cycle of a long-running process: on SIGTERM/SIGINT run `stop` once (drain), then exit.
 * A second signal exits at once.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
