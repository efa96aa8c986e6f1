/**
 * A process's CPU time and resident memory from Linux `/proc`, for benches that watch another
 * process (the bot runner): `/proc/<pid>/stat` and `/proc/<pid>/status`. The parsers are separate
 * from the reads so they can be tested on fixed text.
 */
import { readFileSync } from 'node:fs';

/** User + system CPU ms from the text of `/proc/<pid>/stat` (clock ticks of 10 ms). */
export function parseCpuMs(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last `)`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no utime/stime in /proc stat');
  return (utime + stime) * 10;
}

/** `VmRSS` in KiB from the text of `/proc/<pid>/status`. */
export function parseVmRssKib(status: string): number {
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error('no VmRSS in /proc status');
  return Number(kb);
}

export const cpuMsOf = (pid: number): number => parseCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** Resident memory of a process in MB (`VmRSS`). */
export const rssMbOf = (pid: number): number =>
  parseVmRssKib(readFileSync(`/proc/${pid}/status`, 'utf8')) / 1024;

/**
 * Whether a series of readings (newest last) has settled: its last `window` readings lie within
 * `tolerance` of each other.
 */
export function isSettled(readings: readonly number[], window: number, tolerance: number): boolean {
  if (readings.length < window) return false;
  const last = readings.slice(-window);
  return Math.max(...last) - Math.min(...last) <= tolerance;
}

/**
 * The WebAssembly memory of a process in KiB (size committed, resident), from the text of
 * `/proc/<pid>/smaps`. V8 reserves 8 GiB or more of address space per 32-bit WASM memory and makes
 * the part in use read-write, so a memory is a `rw-p` mapping followed at its end by the rest of
 * its reservation, `---p`, together at least 4 GiB. Its size never shrinks: the high-water mark of
 * everything the module (here the matrix-sdk-crypto machine) allocated.
 */
export function parseWasmMemoryKib(smaps: string): { sizeKib: number; rssKib: number } {
  const maps = smaps
    .split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)
    .map((block) => {
      const [range = '', perms = ''] = block.split(' ', 2);
      const [start = '', end = ''] = range.split('-');
      return {
        start: BigInt(`0x${start}`),
        end: BigInt(`0x${end}`),
        perms,
        size: Number(/^Size:\s+(\d+) kB$/m.exec(block)?.[1] ?? 0),
        rss: Number(/^Rss:\s+(\d+) kB$/m.exec(block)?.[1] ?? 0),
      };
    })
    .filter((m) => m.perms.length === 4);
  let sizeKib = 0;
  let rssKib = 0;
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    if (m.perms !== 'rw-p' || !next || next.perms !== '---p' || next.start !== m.end) return;
    if (m.size + next.size < 4 * 1024 * 1024) return;
    sizeKib += m.size;
    rssKib += m.rss;
  });
  return { sizeKib, rssKib };
}

export const wasmMemoryMbOf = (pid: number): { sizeMb: number; rssMb: number } => {
  const { sizeKib, rssKib } = parseWasmMemoryKib(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  return { sizeMb: sizeKib / 1024, rssMb: rssKib / 1024 };
};
