// `npm start` as a newcomer runs it: no DATABASE_URL (embedded PGlite), no REDIS_URL (a redis-server
// started by the script), Synapse and every service; it prints the URLs and stops cleanly on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

function run(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(root, script)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

it('npm start brings up Synapse and the services with embedded Postgres, prints the URLs, and stops on Ctrl-C', async () => {
  const ports = Object.fromEntries(
    await Promise.all(
      ['postgres', 'redis', 'synapse', 'auth', 'sync', 'bots', 'web'].map(
        async (n) => [n, await freePort()] as const,
      ),
    ),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, MANA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  for (const [name, port] of Object.entries(ports)) env[`MANA_${name.toUpperCase()}_PORT`] = String(port);
  env.MANA_SERVICES = process.env.MANA_STACK_TEST_SERVICES ?? 'auth,sync,bots';

  const setup = run('scripts/setup.ts', env);
  expect(await new Promise((r) => setup.once('exit', r))).toBe(0);

  child = run('scripts/dev.ts', env);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
  await Promise.race([
    new Promise<void>((res) => {
      const timer = setInterval(() => {
        if (out.includes('Mana is running')) {
          clearInterval(timer);
          res();
        }
      }, 100);
    }),
    exited.then((code) => {
      throw new Error(`npm start exited early (${code}):\n${out}`);
    }),
  ]);

  expect(out).toContain(`Synapse   http://localhost:${ports.synapse}`);
  expect(out).toContain('embedded PGlite');
  const versions = (await (
    await fetch(`http://localhost:${ports.synapse}/_matrix/client/versions`)
  ).json()) as { versions: string[] };
  expect(versions.versions).toContain('v1.1');
  for (const service of env.MANA_SERVICES.split(',').filter((s) => s in ports)) {
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
