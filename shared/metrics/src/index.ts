/**
 * Prometheus metrics: one registry per service, HTTP middleware for Hono and the `/metrics` handler.
 *
 * @example
 * const metrics = createMetrics({ service: 'sync' });
 * app.use(metrics.middleware());
 * app.get('/metrics', metrics.handler());
 * const pushes = new metrics.client.Counter({ name: 'sync_pushes_total', help: '…', registers: [metrics.registry] });
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import client from 'prom-client';

export { client };

export interface Metrics {
  registry: client.Registry;
  client: typeof client;
  httpRequests: client.Counter<'method' | 'route' | 'status'>;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  middleware(): MiddlewareHandler;
  handler(): (c: Context) => Promise<Response>;
}

export function createMetrics({
  service,
  defaults = true,
}: {
  service: string;
  defaults?: boolean;
}): Metrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  if (defaults) client.collectDefaultMetrics({ register: registry });
  const httpRequests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    client,
    httpRequests,
    httpDuration,
    middleware: () => async (c, next) => {
      const start = performance.now();
      try {
        await next();
      } finally {
        // The route pattern, not the raw path, keeps label cardinality bounded.
        const labels = {
          method: c.req.method,
          route: routePath(c) || 'unmatched',
          status: String(c.res.status),
        };
        httpRequests.inc(labels);
        httpDuration.observe(labels, (performance.now() - start) / 1000);
      }
    },
    handler: () => async (c) => {
      const body = await registry.metrics();
      return c.body(body, 200, { 'content-type': registry.contentType });
    },
  };
}
