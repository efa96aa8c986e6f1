/**
 * Debian's Prometheus and Alertmanager as short-lived daemons for tests, each on a free loopback
 * port with its own temporary storage. A missing binary fails with the Debian package to install
 * (`.ci/run` installs both) instead of a bare ENOENT.
 *
 * @example
 * const prom = await startPrometheus({ config: { global: { scrape_interval: '1s' },
 *   scrape_configs: [{ job_name: 'sync', static_configs: [{ targets: ['127.0.0.1:3010'] }] }] } });
 * await fetch(`${prom.url}/api/v1/query?query=up`);
 * await prom.stop();
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './ports.ts';

const PACKAGES = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'prometheus-node-exporter': 'prometheus-node-exporter',
} as const;

export type PrometheusTool = keyof typeof PACKAGES;

export class MissingToolError extends Error {
  constructor(tool: PrometheusTool) {
    super(
      `${tool} is not installed: it comes with Debian's \`${PACKAGES[tool]}\` package ` +
        `(apt-get install ${PACKAGES[tool]}; .ci/run installs it)`,
    );
    this.name = 'MissingToolError';
  }
}

export interface Daemon {
  url: string;
  /** Its stdout and stderr so far, for assertion messages. */
  output(): string;
  stop(): Promise<void>;
}

async function startDaemon(
  binary: 'prometheus' | 'prometheus-alertmanager' | 'prometheus-node-exporter',
  args: (port: number, dir: string) => string[],
  dir: string,
  readyPath = '/-/ready',
): Promise<Daemon> {
  const port = await freePort();
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
    const ready = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2000) }).then(
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

export type StartPrometheusOptions = (
  | { /** A config file (rule files relative to it). */ configFile: string }
  | {
      /** A config as data, written into the daemon's directory (rule files: absolute paths). */ config: unknown;
    }
) & {
  /** TSDB directory to use and keep (a backfilled one); default a fresh temporary one. */
  storageDir?: string;
  /** Extra flags (`--storage.tsdb.retention.time=60d`). */
  args?: readonly string[];
};

/** The config file to start with: the one given, or the config written as YAML into `dir`. */
function configFileIn(
  dir: string,
  options: { configFile: string } | { config: unknown },
  name: string,
): string {
  if ('configFile' in options) return options.configFile;
  const file = join(dir, name);
  writeFileSync(file, stringify(options.config));
  return file;
}

/** A real Prometheus on a free port. */
export function startPrometheus(options: StartPrometheusOptions): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'mana-prometheus-'));
  const configFile = configFileIn(dir, options, 'prometheus.yml');
  const storage = options.storageDir ?? join(dir, 'data');
  return startDaemon(
    'prometheus',
    (port) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    dir,
  );
}

/** A real Alertmanager on a free port with `configFile` (or a config as data), clustering off. */
export function startAlertmanager(options: { configFile: string } | { config: unknown }): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'mana-alertmanager-'));
  const configFile = configFileIn(dir, options, 'alertmanager.yml');
  return startDaemon(
    'prometheus-alertmanager',
    (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
  );
}

/** Debian's node exporter (host CPU, memory, disks, load) on a free port, for the `node` job. */
export function startNodeExporter(): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'mana-node-exporter-'));
  return startDaemon(
    'prometheus-node-exporter',
    (port) => [`--web.listen-address=127.0.0.1:${port}`],
    dir,
    '/metrics',
  );
}

/**
 * Waits until Prometheus has scraped every job in `jobs` and found each of its targets up
 * (`up == 1`): before that, a query sees no targets or a half-started stack.
 */
export async function untilTargetsUp(promUrl: string, jobs: readonly string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = new Map<string, number[]>();
  for (;;) {
    const res = await fetch(`${promUrl}/api/v1/query?query=up`).catch(() => undefined);
    if (res?.ok) {
      const body = (await res.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      seen = new Map();
      for (const r of body.data.result) {
        const job = r.metric.job ?? '';
        seen.set(job, [...(seen.get(job) ?? []), Number(r.value[1])]);
      }
      if (jobs.every((j) => (seen.get(j) ?? []).length > 0 && seen.get(j)?.every((v) => v === 1))) return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Prometheus did not see every target up within ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(seen))}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
