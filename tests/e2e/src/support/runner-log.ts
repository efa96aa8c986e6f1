import type { TestContext } from 'vitest';
import type { BotsStack } from './bots-stack.ts';

/**
 * An `afterEach` hook that prints the runner's last 60 log lines when a test failed: the runner is
 * a child process, so its log is the only view into why a reply did not come.
 */
export function logRunnerOnFailure(stack: () => BotsStack | undefined): (ctx: TestContext) => void {
  return (ctx) => {
    const s = stack();
    if (ctx.task.result?.state === 'fail' && s)
      console.log(`--- runner log (last 60 lines) ---\n${s.runner.logs().slice(-60).join('\n')}`);
  };
}
