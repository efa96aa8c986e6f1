// After `kill -9` of the launcher its services live on (each in a process group of its own) and hold
// the ports: the next `npm start` stops them (scripts/leftovers.ts), but never a process that only
// reuses a pid named in an old pid file.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findLeftovers, startedAt, stopLeftovers } from '../../../scripts/leftovers.ts';
import { groupAlive, signalGroup } from '../../../scripts/supervisor.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mana-run-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A service as dev.ts starts one: a group leader (detached) with a child of its own. */
function service(ignoreTerm = false): number {
  const code = ignoreTerm
    ? "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"
    : "require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000)";
  const child = spawn(process.execPath, ['-e', code], { detached: true, stdio: 'ignore' });
  const pid = child.pid!;
  cleanup.push(() => signalGroup(pid, 'SIGKILL'));
  return pid;
}

describe('leftovers of a killed launcher', () => {
  it('reads a process’s start time from /proc', () => {
    const now = Date.now() / 1000;
    expect(startedAt(process.pid)).toBeGreaterThan(now - process.uptime() - 2);
    expect(startedAt(process.pid)).toBeLessThanOrEqual(now);
    expect(startedAt(2 ** 22 + 1)).toBeUndefined();
  });

  it('stops a leftover service with its child, says so and removes its pid file', async () => {
    const dir = runDir();
    const pid = service();
    writeFileSync(join(dir, 'auth.pid'), `${pid}\n`);
    await new Promise((r) => setTimeout(r, 300)); // its child is up
    const lines: string[] = [];
    expect(await stopLeftovers(dir, (l) => lines.push(l))).toBe(1);
    expect(groupAlive(pid)).toBe(false);
    expect(lines).toEqual([`auth of the last run is still running (pid ${pid}): stopping it`]);
    expect(findLeftovers(dir)).toEqual([]);
  });

  it('kills a leftover that ignores SIGTERM once the grace time is over', async () => {
    const dir = runDir();
    const pid = service(true);
    writeFileSync(join(dir, 'sync.pid'), `${pid}\n`);
    await new Promise((r) => setTimeout(r, 300)); // its SIGTERM handler is set
    const lines: string[] = [];
    expect(await stopLeftovers(dir, (l) => lines.push(l), 500)).toBe(1);
    expect(groupAlive(pid)).toBe(false);
    expect(lines[1]).toBe(`sync (pid ${pid}) did not stop in 0.5 s: killing it`);
  });

  it('leaves alone a live process whose pid file is older than the process (a reused pid)', async () => {
    const dir = runDir();
    const pid = service();
    const file = join(dir, 'web.pid');
    writeFileSync(file, `${pid}\n`);
    const hourAgo = Date.now() / 1000 - 3600;
    utimesSync(file, hourAgo, hourAgo);
    expect(findLeftovers(dir)).toEqual([]);
    expect(await stopLeftovers(dir, () => {})).toBe(0);
    expect(groupAlive(pid)).toBe(true);
  });

  it('no run folder, or pid files of groups that are gone: nothing to stop', async () => {
    const dir = runDir();
    expect(await stopLeftovers(join(dir, 'missing'), () => {})).toBe(0);
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'bots.pid'), '999999999\n');
    writeFileSync(join(dir, 'run', 'garbage.pid'), 'not a pid\n');
    expect(findLeftovers(join(dir, 'run'))).toEqual([]);
  });
});
