// A launcher killed with -9 leaves its services running, each in a process group of its own, holding
// the ports and files of the data folder: the next `npm start` stops them first. A pid file names a
// leftover only while its group is alive and its leader (if still there) started when the file was
// written: a pid the system reused since for something else is left alone.
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, signalGroup } from './supervisor.ts';

/** Seconds between a service's start and its pid file being written, at most. */
const SPAWN_SLACK_S = 5;

/** When the process started (Unix seconds), from /proc; undefined where there is no /proc entry. */
export function startedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks since boot), counted after the ")" that ends the name.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux Node runs on.
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime + ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

export interface Leftover {
  name: string;
  pid: number;
}

/** The services of an earlier run in `runDir` (`<name>.pid` files) that are still running. */
export function findLeftovers(runDir: string): Leftover[] {
  if (!existsSync(runDir)) return [];
  const found: Leftover[] = [];
  for (const file of readdirSync(runDir).filter((f) => f.endsWith('.pid'))) {
    const path = join(runDir, file);
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !groupAlive(pid)) continue;
    const started = startedAt(pid);
    // Leader gone, group alive: Linux never hands out a pid whose group still exists, so it is ours.
    const ours = started === undefined || Math.abs(started - statSync(path).mtimeMs / 1000) <= SPAWN_SLACK_S;
    if (ours) found.push({ name: file.slice(0, -4), pid });
  }
  return found;
}

/** Stops each leftover's process group: SIGTERM, SIGKILL after `graceMs`; removes its pid file. */
export async function stopLeftovers(
  runDir: string,
  say: (line: string) => void,
  graceMs = 10_000,
): Promise<number> {
  const leftovers = findLeftovers(runDir);
  for (const { name, pid } of leftovers) {
    say(`${name} of the last run is still running (pid ${pid}): stopping it`);
    signalGroup(pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (leftovers.some((l) => groupAlive(l.pid)) && Date.now() < deadline) await sleep(50);
  for (const { name, pid } of leftovers) {
    if (groupAlive(pid)) {
      say(`${name} (pid ${pid}) did not stop in ${graceMs / 1000} s: killing it`);
      signalGroup(pid, 'SIGKILL');
    }
    unlinkSync(join(runDir, `${name}.pid`));
  }
  // Until they are reaped: the ports are free only then.
  const reaped = Date.now() + 5_000;
  while (leftovers.some((l) => groupAlive(l.pid)) && Date.now() < reaped) await sleep(50);
  return leftovers.length;
}
