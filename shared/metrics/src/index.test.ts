import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { createMetrics } from './index.ts';

it('counts requests by route pattern and serves the registry', async () => {
  const metrics = createMetrics({ service: 'demo', defaults: false });
  const app = new Hono();
  app.use(metrics.middleware());
  app.get('/items/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/metrics', metrics.handler());
  await app.request('/items/1');
  await app.request('/items/2');
  await app.request('/nowhere');
  const res = await app.request('/metrics');
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  expect(text).toContain(
    'http_requests_total{method="GET",route="/items/:id",status="200",service="demo"} 2',
  );
  expect(text).toMatch(/http_requests_total\{method="GET",route="[^"]*",status="404",service="demo"\} 1/);
  expect(text).toContain('http_request_duration_seconds_bucket');
});
