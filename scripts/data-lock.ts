// One `npm start` per data folder: the embedded PGlite, Redis's append-only file and Synapse's SQLite
// must never be opened by two stacks at once (a second start while the first was still stopping
// broke auth's `signing_keys`). The lock is a file holding the launcher's pid, created atomically;
// a lock whose pid is gone (the launcher was killed with -9) is taken over.
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'mana.lock';

export interface DataLock {
  readonly path: string;
  /** Whether a stale lock was taken over (the last stack did not stop: its services may linger). */
  readonly tookOver: boolean;
  /** Removes the lock if it is still ours (idempotent; safe in an 'exit' handler). */
  release(): void;
}

/** Another live process holds the lock; `pid` is its pid. */
export class DataDirBusyError extends Error {
  readonly pid: number;
  constructor(pid: number, lockPath: string, dataDir: string) {
    super(
      `another \`npm start\` (pid ${pid}) is using ${dataDir}; stop it first (if pid ${pid} is not npm start, delete ${lockPath})`,
    );
    this.name = 'DataDirBusyError';
    this.pid = pid;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * Takes `<dataDir>/mana.lock` for `pid` (this process by default) or throws DataDirBusyError.
 * `say` gets the line about a stale lock taken over.
 */
export function lockDataDir(dataDir: string, say: (line: string) => void, pid = process.pid): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  let tookOver = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return lock(path, pid, tookOver);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readPid(path);
    // A half-written lock (its creator between open and write) is treated as held: wait a moment.
    if (holder === undefined) {
      sleepSync(50);
      if (readPid(path) === undefined) tookOver ||= takeOver(path, undefined, say);
      continue;
    }
    if (holder !== pid && isAlive(holder)) throw new DataDirBusyError(holder, path, dataDir);
    tookOver ||= takeOver(path, holder, say);
  }
  throw new Error(`could not take ${path} (it keeps changing hands)`);
}

/**
 * Moves the stale lock aside and checks it is the one judged stale: two starts taking over the same
 * stale lock must not remove each other's fresh one.
 */
function takeOver(path: string, stale: number | undefined, say: (line: string) => void): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else moved it first: try again from the start
  }
  if (readPid(aside) !== stale) {
    // Not the stale one any more: put the fresh lock back (unless yet another one is there now).
    try {
      linkSync(aside, path);
    } catch {
      // a newer lock exists; the retry sees it
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  say(
    stale === undefined
      ? `taking over an unreadable lock ${path}`
      : `taking over a stale lock ${path} (pid ${stale} is gone; was the last npm start killed?)`,
  );
  return true;
}

function lock(path: string, pid: number, tookOver: boolean): DataLock {
  let released = false;
  return {
    path,
    tookOver,
    release() {
      if (released) return;
      released = true;
      if (readPid(path) === pid) unlinkSync(path);
    },
  };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
