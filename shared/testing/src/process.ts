import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far (pino JSON lines, mostly). */
  output(): string;
  /** Resolves once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Polls `url` until it answers 2xx; throws with the output if the process exits first. */
  waitReady(url: string, timeoutMs?: number): Promise<void>;
  /** Waits until the output matches (or the process exits: throws with the output). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL unless it has exited (for `afterAll`). */
  kill(): Promise<void>;
}

/**
 * A service's `main.ts` as its own process, run by the same Node as the tests (the project's
 * Node 24, which `npx vitest` puts first on PATH), with only `env` and what Node needs: exactly as
 * `npm start` or a container starts it.
 *
 * @example
 * const sync = spawnService({ entry: 'sync/src/main.ts', env: { SYNC_PORT: String(port) } });
 * await sync.waitReady(`http://127.0.0.1:${port}/health/ready`);
 * sync.child.kill('SIGTERM');
 * expect((await sync.exited).code).toBe(0);
 */
export function spawnService({
  entry,
  env,
  cwd,
}: {
  entry: string;
  env: Record<string, string>;
  cwd?: string;
}): ServiceProcess {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  const child = spawn(process.execPath, [entry], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  const poll = async (what: string, done: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await done()) return;
      if (ended) throw new Error(`${entry} exited while waiting for ${what}:\n${out.slice(-4000)}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what} from ${entry}:\n${out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    child,
    output: () => out,
    exited,
    waitReady: (url, timeoutMs = 60_000) =>
      poll(
        url,
        () =>
          fetch(url, { signal: AbortSignal.timeout(2000) }).then(
            (r) => r.ok,
            () => false,
          ),
        timeoutMs,
      ),
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      poll(String(pattern), () => Promise.resolve(pattern.test(out)), timeoutMs),
    async kill() {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface HeldRequest {
  /** Resolves once the headers and the first half of the body are on the wire. */
  readonly started: Promise<void>;
  /** Sends the rest of the body. */
  finish(): void;
  /** The answer, once the body is complete and the server has replied. */
  readonly response: Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
}

/**
 * A request that stays in flight as long as the test wants: the headers and half the body are sent
 * at once, the rest on `finish()`. The server counts it as open work from its first byte, so a
 * test can signal a drain while it is open and then see it answered normally.
 *
 * @example
 * const held = heldRequest({ url: `${base}/token`, method: 'POST', body: 'grant_type=…' });
 * await held.started;
 * child.kill('SIGTERM');
 * held.finish();
 * expect((await held.response).status).toBe(200);
 */
export function heldRequest({
  url,
  method = 'POST',
  headers = {},
  body,
}: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body: string;
}): HeldRequest {
  const bytes = Buffer.from(body, 'utf8');
  const half = Math.max(1, Math.floor(bytes.length / 2));
  let markStarted: () => void = () => undefined;
  let failStarted: (err: Error) => void = () => undefined;
  const started = new Promise<void>((res, rej) => {
    markStarted = res;
    failStarted = rej;
  });
  // A connection of its own (no keep-alive pool), as a new client would open.
  const req = request(url, {
    method,
    agent: false,
    headers: { ...headers, 'content-length': String(bytes.length) },
  });
  const response = new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      req.once('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.once('error', reject);
      });
      req.once('error', (err) => {
        failStarted(err);
        reject(err);
      });
    },
  );
  req.flushHeaders();
  req.write(bytes.subarray(0, half), () => markStarted());
  return {
    started,
    response,
    finish: () => req.end(bytes.subarray(half)),
  };
}
