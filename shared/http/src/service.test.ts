import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError, createServiceApp, jsonBody, listen } from './index.ts';

function makeApp(readyOk = true) {
  const app = createServiceApp({
    name: 'demo',
    logger: createLogger({ service: 'demo', level: 'silent' }),
    metrics: createMetrics({ service: 'demo', defaults: false }),
    readiness: {
      db: async () => {
        if (!readyOk) throw new Error('connection refused');
      },
    },
    maxBodyBytes: 1000,
  });
  app.post('/echo', async (c) => c.json(await jsonBody(c, z.object({ n: z.number().int() }))));
  app.get('/boom', () => {
    throw new Error('secret internals');
  });
  app.get('/teapot', () => {
    throw new HttpError(418, 'DEMO_TEAPOT', 'short and stout', { extra: { size: 1 } });
  });
  return app;
}

describe('createServiceApp', () => {
  it('serves health endpoints and reports failing dependencies', async () => {
    expect((await makeApp().request('/health/live')).status).toBe(200);
    const ok = await makeApp().request('/health/ready');
    expect(ok.status).toBe(200);
    const bad = await makeApp(false).request('/health/ready');
    expect(bad.status).toBe(503);
    expect(await bad.json()).toMatchObject({
      status: 'unavailable',
      checks: { db: { ok: false, error: 'connection refused' } },
    });
    expect((await makeApp(false).request('/health')).status).toBe(503);
  });

  it('renders errors as { errcode, error } and never leaks internals', async () => {
    const app = makeApp();
    const notJson = await app.request('/echo', { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ errcode: 'M_NOT_JSON' });
    const badShape = await app.request('/echo', { method: 'POST', body: JSON.stringify({ n: 'x' }) });
    expect(badShape.status).toBe(400);
    expect(await badShape.json()).toMatchObject({ errcode: 'M_BAD_JSON', issues: [{ path: 'n' }] });
    const tooBig = await app.request('/echo', {
      method: 'POST',
      body: JSON.stringify({ n: 1, pad: 'x'.repeat(2000) }),
    });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ errcode: 'M_TOO_LARGE' });
    const boom = await app.request('/boom');
    expect(boom.status).toBe(500);
    expect(await boom.text()).not.toContain('secret internals');
    const teapot = await app.request('/teapot');
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ errcode: 'DEMO_TEAPOT', error: 'short and stout', size: 1 });
    const missing = await app.request('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });

  it('listens on a real port and serves /metrics', async () => {
    const server = await listen(makeApp(), { port: 0 });
    try {
      await fetch(`${server.url}/health/live`);
      const res = await fetch(`${server.url}/metrics`);
      expect(await res.text()).toContain(
        'http_requests_total{method="GET",route="/health/live",status="200"',
      );
    } finally {
      await server.close();
    }
  });
});
