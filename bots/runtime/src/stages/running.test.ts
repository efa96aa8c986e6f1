import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { createRunning } from './running.ts';

describe('running commands', () => {
  it('only the sender can cancel, through the command or its placeholder; ended commands are gone', () => {
    const running = createRunning();
    const cmd = running.begin('$cmd', '@alice:x');
    running.alias('$cmd', '$placeholder');
    expect(running.cancel('$cmd', '@mallory:x')).toBe(false);
    expect(cmd.controller.signal.aborted).toBe(false);
    expect(running.cancel('$placeholder', '@alice:x')).toBe(true);
    expect(cmd.controller.signal.reason).toBeInstanceOf(CancelledError);
    expect(running.cancel('$cmd', '@alice:x')).toBe(false); // already cancelled
    cmd.end();
    expect(running.size()).toBe(0);
  });
});
