// An aborted `npm start` leaves nothing running: Ctrl-C during start-up, or a service that fails
// before the stack is up, stops every child already spawned (each with its process group), and the
// data folder's lock is released for the next start.
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@mana/testing';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { isAlive } from '../../../scripts/data-lock.ts';
import { groupAlive } from '../../../scripts/supervisor.ts';
import { freePorts, killServices, runScript, serviceLogs, setup, stackEnv } from './support/stack.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mana-abort-'));
const env = stackEnv(dataDir, 'auth,sync,bots');
const procs: { kill(signal: NodeJS.Signals): void }[] = [];

beforeAll(() => setup(env), 120_000);
/** A failure is explained by the services' own logs. */
const explainFailure = () => onTestFailed(() => void process.stderr.write(serviceLogs(dataDir)));
afterAll(() => {
  for (const p of procs) p.kill('SIGKILL');
  killServices(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

async function startDev(extraEnv: NodeJS.ProcessEnv) {
  const ports = await freePorts();
  const procEnv: NodeJS.ProcessEnv = { ...env, ...extraEnv };
  for (const [name, port] of Object.entries(ports))
    procEnv[`MANA_${name.toUpperCase()}_PORT`] ??= String(port);
  rmSync(join(dataDir, 'run'), { recursive: true, force: true });
  const proc = runScript('scripts/dev.ts', procEnv);
  procs.push(proc);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let ended = false;
  const exited = new Promise<number | null>((r) =>
    proc.once('exit', (code) => {
      ended = true;
      r(code);
    }),
  );
  return { proc, exited, ended: () => ended, output: () => out };
}

/** The service or anything in its process group still there. */
const left = (pid: number) => isAlive(pid) || groupAlive(pid);

function recordedPids(): Record<string, number> {
  const run = join(dataDir, 'run');
  return Object.fromEntries(
    readdirSync(run).map((f) => [f.replace(/\.pid$/, ''), Number(readFileSync(join(run, f), 'utf8'))]),
  );
}

/** True, or undefined so that `until` polls on (every 100 ms, for a minute). */
const seen = (ok: boolean) => (ok ? true : undefined);

it('Ctrl-C during start-up stops every service already spawned', async () => {
  explainFailure();
  const dev = await startDev({});
  // All services spawned, the stack not up yet (Synapse takes seconds to answer).
  await until(
    'bots.pid',
    () => {
      if (dev.ended()) throw new Error(`npm start ended early:\n${dev.output()}`);
      return seen(existsSync(join(dataDir, 'run', 'bots.pid')));
    },
    60_000,
    100,
  );
  expect(dev.output()).not.toContain('Mana is running');
  const pids = recordedPids();
  expect(Object.keys(pids).sort()).toEqual(['auth', 'bots', 'redis', 'synapse', 'sync']);
  // Twice, as a terminal's Ctrl-C under `npm start` arrives (npm forwards it too): the second one
  // must not cut the stop short.
  dev.proc.kill('SIGINT');
  await until('stopping', () => seen(dev.output().includes('[mana] stopping')), 60_000, 100);
  dev.proc.kill('SIGINT');
  expect(await dev.exited).toBe(0);
  expect(dev.output()).toContain('[mana] stopped');
  for (const [name, pid] of Object.entries(pids))
    expect(left(pid), `${name} (${pid}) left running`).toBe(false);
  expect(existsSync(join(dataDir, 'mana.lock'))).toBe(false);
}, 120_000);

it('a service failing before the stack is up stops the others, and the start fails', async () => {
  explainFailure();
  // auth cannot listen: its port is taken.
  const taken: Server = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const address = taken.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  try {
    const dev = await startDev({ MANA_AUTH_PORT: String(address.port) });
    expect(await dev.exited).toBe(1);
    expect(dev.output()).toMatch(/\[mana\] auth exited \(exit code \d+\)/);
    expect(dev.output()).toContain('[mana] stopped');
    const pids = recordedPids();
    expect(pids.synapse).toBeGreaterThan(0);
    for (const [name, pid] of Object.entries(pids))
      expect(left(pid), `${name} (${pid}) left running`).toBe(false);
    expect(existsSync(join(dataDir, 'mana.lock'))).toBe(false);
  } finally {
    taken.close();
  }
}, 120_000);
