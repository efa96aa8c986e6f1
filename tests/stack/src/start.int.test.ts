// `npm start` as a newcomer runs it: no DATABASE_URL (embedded PGlite), no REDIS_URL (a redis-server
// started by the script), Synapse and every service; it prints the URLs and stops cleanly on Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { setup, stackEnv, startStack, type Stack } from './support/stack.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mana-stack-'));
let stack: Stack | undefined;

afterAll(() => {
  stack?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

it('npm start brings up Synapse and the services with embedded Postgres, prints the URLs, and stops on Ctrl-C', async () => {
  const services = process.env.MANA_STACK_TEST_SERVICES ?? 'auth,sync,bots';
  const env = stackEnv(dataDir, services);
  await setup(env);
  stack = await startStack(dataDir, env);
  const { ports } = stack;
  const out = stack.output();

  expect(out).toContain(`Synapse   http://localhost:${ports.synapse}`);
  expect(out).toContain('embedded PGlite');
  const versions = (await (
    await fetch(`http://localhost:${ports.synapse}/_matrix/client/versions`)
  ).json()) as { versions: string[] };
  expect(versions.versions).toContain('v1.1');
  for (const service of services.split(',').filter((s) => s in ports)) {
    const port = ports[service as keyof typeof ports];
    expect(out).toContain(`http://localhost:${port}`);
    const health = await fetch(`http://localhost:${port}/health/ready`);
    expect(health.status, `${service} /health/ready`).toBe(200);
  }

  expect(await stack.stop()).toBe(0);
  expect(stack.output()).toContain('[mana] stopped');
  // Nothing keeps listening after Ctrl-C.
  await expect(fetch(`http://localhost:${ports.synapse}/_matrix/client/versions`)).rejects.toThrow();
}, 240_000);
