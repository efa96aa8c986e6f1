/**
 * `npm start` driven the way a person runs it: `scripts/setup.ts`, then `scripts/dev.ts` on a data
 * folder, with ports picked free (the same ports again for a restart on the same data), the output
 * collected, and the service logs at hand for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '@mana/testing';
import { signalGroup } from '../../../../scripts/supervisor.ts';

export const ROOT = resolve(import.meta.dirname, '../../../..');
// llm: the built-in fake LLM's port, else two stacks started at once (test files run in parallel)
// both want 11435.
export const PORT_NAMES = ['postgres', 'redis', 'synapse', 'auth', 'sync', 'bots', 'web', 'llm'] as const;
export type Ports = Record<(typeof PORT_NAMES)[number], number>;

export interface Stack {
  ports: Ports;
  /** Everything printed so far. */
  output(): string;
  /** Resolves with the exit code once `npm start` has ended. */
  exited: Promise<number | null>;
  /** The pid of one service, from `<data>/run/<name>.pid` (written by the supervisor). */
  pid(service: string): number;
  /** Ctrl-C, as a person stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL of `npm start` alone: its services (in process groups of their own) live on. */
  crash(): Promise<number | null>;
  /** SIGKILL of `npm start` and of every service it started (for teardown after a failure). */
  kill(): void;
}

/** The last lines of every service log, for a failure message. */
export function serviceLogs(dataDir: string, lines = 15): string {
  const dir = join(dataDir, 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-lines).join('\n')}`)
    .join('\n');
}

/**
 * SIGKILL of every service `<data>/run/` names, with its process group (each service has its own):
 * a test that fails half-way leaves nothing running.
 */
export function killServices(dataDir: string): void {
  const run = join(dataDir, 'run');
  if (!existsSync(run)) return;
  for (const f of readdirSync(run)) {
    const pid = Number(readFileSync(join(run, f), 'utf8').trim());
    if (pid > 0) signalGroup(pid, 'SIGKILL');
  }
}

export function runScript(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(ROOT, script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function stackEnv(dataDir: string, services: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MANA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  env.MANA_SERVICES = services;
  return env;
}

export async function setup(env: NodeJS.ProcessEnv): Promise<void> {
  const proc = runScript('scripts/setup.ts', env);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => proc.once('exit', r));
  if (code !== 0) throw new Error(`setup failed (${String(code)}):\n${out}`);
}

export async function freePorts(): Promise<Ports> {
  const entries = await Promise.all(PORT_NAMES.map(async (n) => [n, await freePort()] as const));
  return Object.fromEntries(entries) as Ports;
}

/** Waits until `text` appears in `stack.output()` (after `from` characters), or the stack ends. */
export async function waitForOutput(stack: Stack, text: string | RegExp, from = 0, ms = 120_000) {
  const deadline = Date.now() + ms;
  let ended = false;
  void stack.exited.then(() => (ended = true));
  for (;;) {
    const out = stack.output().slice(from);
    if (typeof text === 'string' ? out.includes(text) : text.test(out)) return;
    if (ended) throw new Error(`npm start ended before printing ${String(text)}:\n${stack.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${String(text)} within ${ms} ms:\n${stack.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the stack and waits for "Mana is running". With `ports` the same ports are used (a restart
 * on the same data); without, free ones are picked, and a port taken by someone else in between is
 * retried with fresh ones.
 */
export async function startStack(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  fixedPorts?: Ports,
): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    const ports = fixedPorts ?? (await freePorts());
    const procEnv: NodeJS.ProcessEnv = { ...env };
    for (const [name, port] of Object.entries(ports))
      procEnv[`MANA_${name.toUpperCase()}_PORT`] = String(port);
    const proc = runScript('scripts/dev.ts', procEnv);
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const stack: Stack = {
      ports,
      output: () => out,
      exited,
      pid(service) {
        return Number(readFileSync(join(dataDir, 'run', `${service}.pid`), 'utf8').trim());
      },
      async stop() {
        proc.kill('SIGINT');
        return exited;
      },
      async crash() {
        proc.kill('SIGKILL');
        return exited;
      },
      kill() {
        proc.kill('SIGKILL');
        killServices(dataDir);
      },
    };
    try {
      await waitForOutput(stack, 'Mana is running');
      return stack;
    } catch (err) {
      stack.kill();
      const logs = serviceLogs(dataDir);
      if (attempt < 3 && /EADDRINUSE|Address already in use/.test(out + logs)) {
        if (!fixedPorts) continue;
      }
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`);
    }
  }
}
