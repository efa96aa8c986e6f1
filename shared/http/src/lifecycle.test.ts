import { defineConfig, loadConfig, vars } from '@mana/config';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, createServiceApp, listen, runService, type RunningServer, type Service } from './index.ts';

/** A `process` stand-in: signals are emitted by the test, `exit` is recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    exits,
    on: (signal: NodeJS.Signals, listener: (s: NodeJS.Signals) => void) => emitter.on(signal, listener),
    exit: (code: number) => void exits.push(code),
    signal: (s: NodeJS.Signals) => emitter.emit(s, s),
  };
}

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { lines, logger: createLogger({ service: 'demo', level: 'info', destination }) };
}

const silent = createLogger({ service: 'demo', level: 'silent' });

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** An app with `/slow`, which answers once `release()` is called. */
function slowApp() {
  const gate = deferred();
  const app = createServiceApp({
    name: 'demo',
    logger: silent,
    metrics: createMetrics({ service: 'demo', defaults: false }),
  });
  app.get('/slow', async (c) => {
    await gate.promise;
    return c.json({ answer: 42 });
  });
  return { app, release: () => gate.resolve() };
}

async function until(what: string, fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs a service on a free port; resolves once it is ready. */
async function run(options: {
  drainTimeoutMs?: number;
  drain?: () => Promise<void>;
  stop?: (server: RunningServer) => Promise<void>;
}) {
  const proc = fakeProcess();
  const { app, release } = slowApp();
  const ready = deferred<RunningServer>();
  const done = runService({
    name: 'demo',
    logger: silent,
    process: proc,
    config: () => ({ drainTimeoutMs: options.drainTimeoutMs ?? 5000 }),
    start: async () => {
      const server = await listen(app, { port: 0 });
      ready.resolve(server);
      const service: Service = {
        server,
        ...(options.drain ? { drain: options.drain } : {}),
        stop: async () => {
          await server.close();
          await options.stop?.(server);
        },
      };
      return service;
    },
  });
  const server = await ready.promise;
  return { proc, server, done, release };
}

describe('runService', () => {
  it('on SIGTERM: readiness 503, open requests finish, server closed before the resources, exit 0', async () => {
    const order: string[] = [];
    const { proc, server, done, release } = await run({
      stop: async (s) => {
        order.push(`stop (listening: ${s.server.listening})`);
      },
    });
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    const slow = fetch(`${server.url}/slow`);
    await until('the request to be in flight', () => server.inFlight === 1);

    proc.signal('SIGTERM');
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect(await ready.json()).toMatchObject({ checks: { draining: { ok: false } } });
    expect(server.draining).toBe(true);
    expect(proc.exits).toEqual([]);

    release();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ answer: 42 });
    expect(await done).toBe(ExitCode.Ok);
    expect(proc.exits).toEqual([0]);
    expect(order).toEqual(['stop (listening: false)']);
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
  });

  it('SIGINT works the same; the service drain is awaited with the requests', async () => {
    const drainGate = deferred();
    let drainStarted = false;
    const { proc, done } = await run({
      drain: async () => {
        drainStarted = true;
        await drainGate.promise;
      },
    });
    proc.signal('SIGINT');
    await until('the service drain to start', () => drainStarted);
    await new Promise((r) => setTimeout(r, 50));
    expect(proc.exits).toEqual([]);
    drainGate.resolve();
    expect(await done).toBe(ExitCode.Ok);
  });

  it('a drain that outlasts the timeout cuts the work off and exits 75', async () => {
    const { proc, server, done } = await run({ drainTimeoutMs: 150 });
    const slow = fetch(`${server.url}/slow`);
    await until('the request to be in flight', () => server.inFlight === 1);
    const t0 = Date.now();
    proc.signal('SIGTERM');
    expect(await done).toBe(ExitCode.DrainTimeout);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await expect(slow).rejects.toThrow();
  });

  it('a second signal stops at once with 75', async () => {
    const { proc, server, done } = await run({ drainTimeoutMs: 10_000 });
    void fetch(`${server.url}/slow`).catch(() => undefined);
    await until('the request to be in flight', () => server.inFlight === 1);
    proc.signal('SIGTERM');
    proc.signal('SIGTERM');
    expect(await done).toBe(ExitCode.DrainTimeout);
    await server.close({ forceAfterMs: 0 });
  });

  it('a config error exits 78 and the log names the variable; start is never called', async () => {
    const proc = fakeProcess();
    const { lines, logger } = captureLogger();
    let started = false;
    const spec = defineConfig('DEMO_', { port: vars.port(1), drainTimeoutMs: vars.drainTimeoutMs() });
    const code = await runService({
      name: 'demo',
      logger,
      process: proc,
      config: () => loadConfig(spec, { DEMO_PORT: 'not-a-port' }),
      start: async () => {
        started = true;
        throw new Error('unreachable');
      },
    });
    expect(code).toBe(ExitCode.Config);
    expect(proc.exits).toEqual([78]);
    expect(started).toBe(false);
    const line = JSON.parse(lines.join('').trim()) as { level: string; msg: string; issues: unknown };
    expect(line.level).toBe('fatal');
    expect(line.msg).toContain('DEMO_PORT');
    expect(line.issues).toMatchObject([{ variable: 'DEMO_PORT' }]);
  });

  it('start failures exit 1, unless isConfigError says it is configuration (78)', async () => {
    class NoKeys extends Error {}
    const attempt = (err: Error) => {
      const proc = fakeProcess();
      return runService({
        name: 'demo',
        logger: silent,
        process: proc,
        config: () => ({ drainTimeoutMs: 10 }),
        isConfigError: (e) => e instanceof NoKeys,
        start: () => Promise.reject(err),
      });
    };
    expect(await attempt(new Error('ECONNREFUSED'))).toBe(ExitCode.Failure);
    expect(await attempt(new NoKeys('no signing keys'))).toBe(ExitCode.Config);
  });

  it('a signal during start-up stops the service as soon as it is up', async () => {
    const proc = fakeProcess();
    const { app } = slowApp();
    const gate = deferred();
    let server: RunningServer | undefined;
    const done = runService({
      name: 'demo',
      logger: silent,
      process: proc,
      config: () => ({ drainTimeoutMs: 1000 }),
      start: async () => {
        await gate.promise;
        server = await listen(app, { port: 0 });
        const s = server;
        return { server: s, stop: () => s.close() };
      },
    });
    proc.signal('SIGTERM');
    gate.resolve();
    expect(await done).toBe(ExitCode.Ok);
    expect(server?.server.listening).toBe(false);
  });

  it('a failing stop exits 1', async () => {
    const { proc, done } = await run({
      stop: () => Promise.reject(new Error('pool would not close')),
    });
    proc.signal('SIGTERM');
    expect(await done).toBe(ExitCode.Failure);
  });
});
