/**
 * The long convergence run: the property test of `sync/src/convergence.int.test.ts` (devices + a
 * bot, random writes, deletes, offline periods, lost responses, a server restart per run) with many
 * more seeds than CI's 200. Prints the runs and the time taken; fails like the test fails.
 *
 *   npm exec -- node bench/src/sync-convergence.ts [--runs 2000] [--seed 42]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export async function runLongConvergence(
  runs = 2000,
  seed?: number,
): Promise<{ runs: number; seconds: number; ok: boolean }> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', 'sync/src/convergence.int.test.ts'], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        SYNC_CONVERGENCE_RUNS: String(runs),
        ...(seed === undefined ? {} : { SYNC_CONVERGENCE_SEED: String(seed) }),
      },
    });
    child.once('exit', (c) => resolve(c ?? 1));
  });
  return { runs, seconds: (performance.now() - started) / 1000, ok: code === 0 };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' } },
  });
  runLongConvergence(Number(values.runs), values.seed === undefined ? undefined : Number(values.seed))
    .then((r) => {
      console.log(
        `sync convergence: ${r.runs} runs in ${r.seconds.toFixed(0)} s: ${r.ok ? 'all converged' : 'FAILED'}`,
      );
      if (!r.ok) process.exitCode = 1;
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
