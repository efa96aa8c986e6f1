// `npm start` as a newcomer runs it: no DATABASE_URL (embedded PGlite), no REDIS_URL (a redis-server
// started by the script), Synapse and every service; it prints the URLs and stops cleanly on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@mana/testing';

const root = resolve(import.meta.dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'mana-stack-'));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** The last lines of every service log, for the failure message. */
function serviceLogs(): string {
  const dir = join(dataDir, 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}`)
    .join('\n');
}

function run(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(root, script)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

it('npm start brings up Synapse and the services with embedded Postgres, prints the URLs, and stops on Ctrl-C', async () => {
  const base: NodeJS.ProcessEnv = { ...process.env, MANA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  const services = process.env.MANA_STACK_TEST_SERVICES ?? 'auth,sync,bots';
  base.MANA_SERVICES = services;

  const setup = run('scripts/setup.ts', base);
  expect(await new Promise((r) => setup.once('exit', r))).toBe(0);

  // Ports are picked free just before the start, but other test files open connections meanwhile and
  // may take one first; only that case is retried, with fresh ports.
  let ports: Record<string, number> = {};
  let env: NodeJS.ProcessEnv = base;
  let out = '';
  let exited: Promise<number | null> = Promise.resolve(null);
  for (let attempt = 1; ; attempt++) {
    ports = Object.fromEntries(
      await Promise.all(
        ['postgres', 'redis', 'synapse', 'auth', 'sync', 'bots', 'web'].map(
          async (n) => [n, await freePort()] as const,
        ),
      ),
    );
    env = { ...base };
    for (const [name, port] of Object.entries(ports)) env[`MANA_${name.toUpperCase()}_PORT`] = String(port);
    const proc = run('scripts/dev.ts', env);
    child = proc;
    out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const started = await Promise.race([
      new Promise<true>((res) => {
        const timer = setInterval(() => {
          if (out.includes('Mana is running')) {
            clearInterval(timer);
            res(true);
          }
        }, 100);
        void exited.then(() => clearInterval(timer));
      }),
      exited.then(() => false as const),
    ]);
    if (started) break;
    const logs = serviceLogs();
    if (attempt < 3 && /EADDRINUSE|Address already in use/.test(out + logs)) continue;
    throw new Error(`npm start exited early:\n${out}\n${logs}`);
  }

  expect(out).toContain(`Synapse   http://localhost:${ports.synapse}`);
  expect(out).toContain('embedded PGlite');
  const versions = (await (
    await fetch(`http://localhost:${ports.synapse}/_matrix/client/versions`)
  ).json()) as { versions: string[] };
  expect(versions.versions).toContain('v1.1');
  for (const service of services.split(',').filter((s) => s in ports)) {
    const port = ports[service];
    expect(out).toContain(`http://localhost:${port}`);
    const health = await fetch(`http://localhost:${port}/health/ready`);
    expect(health.status, `${service} /health/ready`).toBe(200);
  }

  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(out).toContain('[mana] stopped');
  // Nothing keeps listening after Ctrl-C.
  await expect(fetch(`http://localhost:${ports.synapse}/_matrix/client/versions`)).rejects.toThrow();
}, 240_000);
