/**
 * The Prometheus tool binaries the deploy tests run (Debian's packages, which `.ci/run` installs):
 * a missing one fails with the package to install instead of a bare ENOENT (`MissingToolError`, shared
 * with the daemons in @mana/testing).
 */
import { spawnSync } from 'node:child_process';
import { MissingToolError, type PrometheusTool } from '@mana/testing';

export { MissingToolError };

export type Tool = PrometheusTool;

export interface ToolResult {
  status: number | null;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

/** Runs `tool args…` to completion (these checks take well under a second each). */
export function runTool(
  tool: Tool,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ToolResult {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000, ...options });
  if (r.error && 'code' in r.error && r.error.code === 'ENOENT') throw new MissingToolError(tool);
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
