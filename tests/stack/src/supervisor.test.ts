// The local stack's supervisor with real child processes: a crashed service is started again with a
// growing delay, a service that keeps dying is given up on (and that is said), a configuration error
// is never retried, and stop() ends it for good, grandchildren included (each service runs in a
// process group of its own).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { groupAlive, Supervised, type RestartPolicy } from '../../../scripts/supervisor.ts';
import { isAlive as alive } from '../../../scripts/data-lock.ts';

const fast: RestartPolicy = {
  maxRestarts: 3,
  windowMs: 60_000,
  baseDelayMs: 50,
  maxDelayMs: 200,
  stableAfterMs: 10_000,
};

/** A child that spawns a grandchild (as `npm exec` → node does) and prints the grandchild's pid. */
function withGrandchild(grandchild: string, parentExits = false): string {
  return `
    const { spawn } = require('node:child_process');
    const g = spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' });
    require('node:fs').writeSync(1, g.pid + '\\n');
    ${parentExits ? 'process.exit(0)' : 'setInterval(() => {}, 1000)'};
  `;
}

async function grandchildPid(s: Supervised): Promise<number> {
  let out = '';
  s.child?.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('\n'));
  return Number(out.trim());
}

function supervise(script: string, policy = fast, stdout: 'ignore' | 'pipe' = 'ignore') {
  const lines: string[] = [];
  const gaveUp: string[] = [];
  const s = new Supervised({
    name: 'svc',
    command: process.execPath,
    args: ['-e', script],
    spawnOptions: { stdio: ['ignore', stdout, 'ignore'] },
    policy,
    say: (l) => lines.push(l),
    onGaveUp: (r) => gaveUp.push(r),
  });
  return { s, lines, gaveUp };
}

async function until(fn: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('Supervised', () => {
  it('restarts a service killed with SIGKILL, and says so', async () => {
    const { s, lines } = supervise('setInterval(() => {}, 1000)');
    s.start();
    s.restarts = true;
    const first = s.pid;
    s.child?.kill('SIGKILL');
    await until(() => s.restartCount === 1 && s.state === 'running');
    expect(s.pid).not.toBe(first);
    expect(lines[0]).toMatch(/^svc exited \(SIGKILL\); restarting in 0\.1 s \(1 of 3 restarts allowed/);
    await s.stop();
    expect(s.state).toBe('stopped');
  });

  it('backs off, then gives up after too many deaths in the window, and says so', async () => {
    const { s, lines, gaveUp } = supervise('process.exit(3)');
    s.restarts = true;
    const started = Date.now();
    s.start();
    await until(() => s.state === 'given_up');
    // 50 + 100 + 200 ms of delays at least before the fourth death.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(s.restartCount).toBe(3);
    expect(lines.slice(0, 3).map((l) => /restarting in ([\d.]+) s/.exec(l)?.[1])).toEqual([
      '0.1',
      '0.1',
      '0.2',
    ]);
    expect(gaveUp).toEqual(['svc died 4 times within 1 min; giving up on it (the rest keeps running)']);
  });

  it('a configuration error (exit 78) is not retried', async () => {
    const { s, gaveUp } = supervise('process.exit(78)');
    s.restarts = true;
    s.start();
    await until(() => s.state === 'given_up');
    expect(s.restartCount).toBe(0);
    expect(gaveUp[0]).toMatch(/configuration error/);
  });

  it('while the stack is starting (restarts off), a death is reported, not retried', async () => {
    const { s, gaveUp } = supervise('process.exit(1)');
    s.start();
    await until(() => s.state === 'given_up');
    expect(s.restartCount).toBe(0);
    expect(gaveUp).toEqual(['svc exited (exit code 1)']);
  });

  it('stop() during the restart delay keeps it down', async () => {
    const { s } = supervise('process.exit(1)', { ...fast, baseDelayMs: 300 });
    s.restarts = true;
    s.start();
    await until(() => s.state === 'restarting');
    await s.stop();
    await sleep(500);
    expect(s.restartCount).toBe(0);
    expect(s.state).toBe('stopped');
  });

  it('stop() ends the grandchildren too', async () => {
    const { s } = supervise(withGrandchild('setInterval(() => {}, 1000)'), fast, 'pipe');
    s.start();
    const leader = s.pid!;
    const grandchild = await grandchildPid(s);
    expect(alive(grandchild)).toBe(true);
    await s.stop();
    expect(alive(leader)).toBe(false);
    expect(alive(grandchild)).toBe(false);
    expect(groupAlive(leader)).toBe(false);
  });

  it('stop() kills a grandchild that ignores SIGTERM and outlives its parent, after the grace time', async () => {
    const stubborn = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const { s } = supervise(withGrandchild(stubborn, true), fast, 'pipe');
    s.start();
    const grandchild = await grandchildPid(s);
    await until(() => s.state === 'given_up');
    expect(alive(grandchild)).toBe(true);
    const started = Date.now();
    await s.stop(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // Dead at once; its zombie is reaped by init, which may take a moment.
    await until(() => !alive(grandchild), 5_000);
    expect(groupAlive(s.pid!)).toBe(false);
  });
});
