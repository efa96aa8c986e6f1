// One `npm start` per data folder (scripts/data-lock.ts): a second start is refused while the first
// holds the lock, a lock left by a killed launcher is taken over, and `scripts/dev.ts` itself checks
// it before touching anything and releases it when it ends.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, isAlive, LOCK_FILE, lockDataDir } from '../../../scripts/data-lock.ts';
import { ROOT } from './support/stack.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mana-lock-'));
  dirs.push(d);
  return d;
}

/** A pid that was alive a moment ago and is gone now. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  expect(isAlive(pid)).toBe(false);
  return pid;
}

function runDev(dir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, MANA_DATA_DIR: dir };
  const proc = spawn(process.execPath, [join(ROOT, 'scripts/dev.ts')], { cwd: ROOT, env });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise<{ code: number | null; out: string }>((res) =>
    proc.once('exit', (code) => res({ code, out })),
  );
}

describe('lockDataDir', () => {
  it('refuses a second holder while the first is alive, and frees the folder on release', () => {
    const dir = dataDir();
    const lines: string[] = [];
    const first = lockDataDir(dir, (l) => lines.push(l));
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    // Another launcher (pid 1 is alive on every machine) asking for the same folder.
    let refused: unknown;
    try {
      lockDataDir(dir, (l) => lines.push(l), 1);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DataDirBusyError);
    expect((refused as Error).message).toBe(
      `another \`npm start\` (pid ${process.pid}) is using ${dir}; stop it first (if pid ${process.pid} is not npm start, delete ${join(dir, LOCK_FILE)})`,
    );
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const second = lockDataDir(dir, (l) => lines.push(l), 1);
    expect(second.tookOver).toBe(false);
    expect(lines).toEqual([]);
  });

  it('takes over a stale lock (its pid is gone) and says so', () => {
    const dir = dataDir();
    const stale = deadPid();
    writeFileSync(join(dir, LOCK_FILE), `${stale}\n`);
    const lines: string[] = [];
    const lock = lockDataDir(dir, (l) => lines.push(l));
    expect(lock.tookOver).toBe(true);
    expect(lines).toEqual([
      `taking over a stale lock ${join(dir, LOCK_FILE)} (pid ${stale} is gone; was the last npm start killed?)`,
    ]);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    // Nothing left aside.
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('release() leaves a lock that is no longer its own alone', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir, () => {});
    writeFileSync(join(dir, LOCK_FILE), '1\n');
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('1\n');
  });
});

describe('scripts/dev.ts and the lock', () => {
  it('a second start exits at once with the holder’s pid, touching nothing', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, LOCK_FILE), `${process.pid}\n`);
    const { code, out } = await runDev(dir);
    expect(code).toBe(1);
    expect(out).toContain(`[mana] another \`npm start\` (pid ${process.pid}) is using ${dir}; stop it first`);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('a stale lock is taken over, and released when the start ends', async () => {
    const dir = dataDir();
    const stale = deadPid();
    writeFileSync(join(dir, LOCK_FILE), `${stale}\n`);
    // No secrets.env: the start fails right after taking the lock.
    const { code, out } = await runDev(dir);
    expect(out).toContain(`[mana] taking over a stale lock ${join(dir, LOCK_FILE)} (pid ${stale} is gone`);
    expect(out).toContain('secrets.env is missing');
    expect(code).toBe(1);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
