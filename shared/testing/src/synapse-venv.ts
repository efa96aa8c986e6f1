import { execFile, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The monorepo root, found from this file's place in it (shared/testing/src). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** Default location of Synapse's virtualenv; `scripts/synapse-venv.sh` creates it. */
export const DEFAULT_SYNAPSE_VENV = join(REPO_ROOT, '.venv/synapse');

export class SynapseVenvError extends Error {
  readonly code = 'ERR_SYNAPSE_VENV';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynapseVenvError';
  }
}

const ready = new Map<string, Promise<string>>();

export interface SynapseVenvOptions {
  /** Default `$SYNAPSE_VENV` or `<repo>/.venv/synapse`. */
  venvDir?: string;
  /** Interpreter that creates the venv. Default `$PYTHON` or `python3`. */
  python?: string;
}

/**
 * Makes sure Synapse is installed in the venv and returns the venv's python. Runs
 * `scripts/synapse-venv.sh` at most once per process and venv (it is fast when the venv is already
 * there, and takes a lock so parallel workers do not install twice).
 */
export function ensureSynapseVenv(options: SynapseVenvOptions = {}): Promise<string> {
  const venvDir = options.venvDir ?? process.env.SYNAPSE_VENV ?? DEFAULT_SYNAPSE_VENV;
  let promise = ready.get(venvDir);
  if (!promise) {
    promise = install(venvDir, options.python ?? process.env.PYTHON ?? 'python3');
    // A failed attempt is not cached: the next caller gets a fresh try (e.g. after a network blip).
    promise.catch(() => ready.delete(venvDir));
    ready.set(venvDir, promise);
  }
  return promise;
}

async function install(venvDir: string, python: string): Promise<string> {
  const probe = spawnSync(python, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new SynapseVenvError(
      `${python} is not available (${probe.error?.message ?? probe.stderr.trim()}). Tests that run Synapse need ` +
        'Python >= 3.10 with the venv module (Debian/Ubuntu: apt-get install python3 python3-venv).',
    );
  }
  const script = join(REPO_ROOT, 'scripts/synapse-venv.sh');
  const output = await new Promise<string>((resolvePromise, reject) => {
    execFile(
      'bash',
      [script],
      { env: { ...process.env, SYNAPSE_VENV: venvDir, PYTHON: python }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const tail = `${stdout}${stderr}`.trim().split('\n').slice(-20).join('\n');
          reject(
            new SynapseVenvError(`scripts/synapse-venv.sh failed (${err.message}):\n${tail}`, { cause: err }),
          );
        } else {
          resolvePromise(stdout);
        }
      },
    );
  });
  // Only a real install is news; the "already installed" line would be noise in every test run.
  if (output.includes('installed Synapse')) process.stderr.write(output);
  return join(venvDir, 'bin/python');
}
