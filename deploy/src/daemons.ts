/**
 * Debian's Prometheus and Alertmanager binaries as short-lived daemons for the deploy tests, each on a
 * free loopback port with its own temporary storage. (The harness-wide `startPrometheus` in
 * @mana/testing serves the e2e tests; these two only need a config file and a URL.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@mana/testing';
import { MissingToolError } from './tools.ts';

export interface Daemon {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function startDaemon(
  binary: 'prometheus' | 'prometheus-alertmanager',
  args: (port: number, dir: string) => string[],
): Promise<Daemon> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `mana-${binary}-`));
  const child = spawn(binary, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<NodeJS.ErrnoException | number | null>((resolve) => {
    child.once('error', resolve);
    child.once('exit', resolve);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, output: () => out, stop };
    const gone = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, 'running'))]);
    if (gone !== 'running') {
      await stop();
      if (gone instanceof Error && 'code' in gone && gone.code === 'ENOENT')
        throw new MissingToolError(binary);
      throw new Error(`${binary} exited before it was ready:\n${out.slice(-3000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${binary} was not ready within 60s:\n${out.slice(-3000)}`);
    }
  }
}

/** A Prometheus with `configFile` (rule files relative to it). */
export function startPrometheus(configFile: string): Promise<Daemon> {
  return startDaemon('prometheus', (port, dir) => [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dir}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
}

/** An Alertmanager with `configFile`, clustering off. */
export function startAlertmanager(configFile: string): Promise<Daemon> {
  return startDaemon('prometheus-alertmanager', (port, dir) => [
    `--config.file=${configFile}`,
    `--storage.path=${dir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
}
