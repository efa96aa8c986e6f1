// `npm start` as a newcomer runs it: no DATABASE_URL (embedded PGlite), no REDIS_URL (a redis-server
// started by the script), Synapse and every service; it prints the URLs and stops cleanly on Ctrl-C.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { serviceLogs, setup, stackEnv, startStack, type Stack } from './support/stack.ts';

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

  if (services.split(',').includes('bots')) await expectBotsEncrypt(ports.synapse);

  expect(await stack.stop()).toBe(0);
  expect(stack.output()).toContain('[mana] stopped');
  // Nothing keeps listening after Ctrl-C.
  await expect(fetch(`http://localhost:${ports.synapse}/_matrix/client/versions`)).rejects.toThrow();
  // Setup again (every npm start runs it) keeps the generated crypto store key.
  const key = secret('BOT_CRYPTO_STORE_KEY');
  await setup(env);
  expect(secret('BOT_CRYPTO_STORE_KEY')).toBe(key);
}, 240_000);

function secret(name: string): string | undefined {
  const text = readFileSync(join(dataDir, 'secrets.env'), 'utf8');
  return new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
}

/**
 * End-to-end encryption is on in the dev stack: a store key generated once (never printed),
 * Synapse with the appservice E2EE switches, Element told nothing about "no E2EE by default", and
 * each bot with a device, its keys and its cross-signing identity on the server.
 */
async function expectBotsEncrypt(synapsePort: number) {
  const key = secret('BOT_CRYPTO_STORE_KEY');
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  expect(stack!.output()).not.toContain(key);
  expect(serviceLogs(dataDir, 10_000)).not.toContain(key);
  const homeserver = readFileSync(join(dataDir, 'homeserver', 'homeserver.yaml'), 'utf8');
  expect(homeserver).toMatch(/msc3202_transaction_extensions: true/);
  expect(homeserver).toMatch(/msc2409_to_device_messages_enabled: true/);
  expect(readFileSync(join(dataDir, 'homeserver', '.well-known', 'matrix', 'client'), 'utf8')).not.toContain(
    'io.element.e2ee',
  );
  // As the appservice's own user (its as_token), what any client's keys query shows of @todo.
  const base = `http://localhost:${synapsePort}/_matrix/client/v3`;
  const headers = { authorization: `Bearer ${secret('BOT_AS_TOKEN')}`, 'content-type': 'application/json' };
  const { user_id: me } = (await (await fetch(`${base}/account/whoami`, { headers })).json()) as {
    user_id: string;
  };
  const todo = `@todo:${me.split(':').slice(1).join(':')}`;
  const res = await fetch(`${base}/keys/query`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ device_keys: { [todo]: [] } }),
  });
  const keys = (await res.json()) as {
    device_keys?: Record<string, Record<string, { algorithms?: string[] }>>;
    master_keys?: Record<string, unknown>;
  };
  const devices = Object.values(keys.device_keys?.[todo] ?? {});
  expect(devices).toHaveLength(1);
  expect(devices[0]?.algorithms).toContain('m.megolm.v1.aes-sha2');
  expect(keys.master_keys?.[todo]).toBeDefined();
}
