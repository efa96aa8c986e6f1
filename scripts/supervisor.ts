// One child process of the local stack, kept running: when it dies on its own (a crash, kill -9)
// it is started again after a growing delay, with a line in the output; after too many deaths in a
// short window it is left down and that is said too. Only `stop()` (Ctrl-C) ends it for good.
// Each child runs in a process group of its own (detached), so stop() also ends what it spawned
// (vite's esbuild, `npm exec` → node) and a Ctrl-C reaches only the launcher, which stops the
// children itself, in order.
import { ExitCode } from '@mana/http';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RestartPolicy {
  /** Deaths within `windowMs` after which the service is left down. */
  maxRestarts: number;
  windowMs: number;
  /** First delay; doubled on each death in a row, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A child that ran this long resets the delay to `baseDelayMs`. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 5 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  stableAfterMs: 30_000,
};

/** The exit code that means "fix the configuration", where a restart cannot help (EX_CONFIG). */
const CONFIG_ERROR_EXIT = ExitCode.Config;

export interface SupervisedOptions {
  name: string;
  command: string;
  args: readonly string[];
  spawnOptions: SpawnOptions;
  policy?: RestartPolicy;
  say: (line: string) => void;
  /** Called once the child is started again after a death (e.g. to wait for its health check). */
  onRestarted?: (child: ChildProcess) => void;
  /** Called when the service dies and will not be restarted (given up, config error, or `restarts` off). */
  onGaveUp?: (reason: string) => void;
  /** For tests. */
  now?: () => number;
}

export type SupervisedState = 'running' | 'restarting' | 'given_up' | 'stopped';

export class Supervised {
  readonly name: string;
  #options: SupervisedOptions;
  #policy: RestartPolicy;
  #child: ChildProcess | undefined;
  #state: SupervisedState = 'stopped';
  #deaths: number[] = [];
  #inARow = 0;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Off while the stack is starting: a service that dies then fails the start instead. */
  restarts = false;
  restartCount = 0;

  constructor(options: SupervisedOptions) {
    this.name = options.name;
    this.#options = options;
    this.#policy = options.policy ?? DEFAULT_RESTART_POLICY;
  }

  get state(): SupervisedState {
    return this.#state;
  }

  get child(): ChildProcess | undefined {
    return this.#child;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): ChildProcess {
    const now = this.#options.now ?? Date.now;
    const child = spawn(this.#options.command, this.#options.args, {
      ...this.#options.spawnOptions,
      detached: true,
    });
    this.#child = child;
    this.#state = 'running';
    this.#startedAt = now();
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
    // A spawn failure (ENOENT) also ends in 'exit' on Node; keep it from being an uncaught error.
    child.once('error', () => undefined);
    return child;
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child || this.#state === 'stopped') return;
    const now = (this.#options.now ?? Date.now)();
    const how = signal ?? `exit code ${code}`;
    if (!this.restarts) return this.#giveUp(`${this.name} exited (${how})`);
    if (code === CONFIG_ERROR_EXIT)
      return this.#giveUp(`${this.name} exited with a configuration error (78); not restarting it`);
    this.#deaths = [...this.#deaths.filter((t) => now - t < this.#policy.windowMs), now];
    if (this.#deaths.length > this.#policy.maxRestarts) {
      const minutes = Math.round(this.#policy.windowMs / 60_000);
      return this.#giveUp(
        `${this.name} died ${this.#deaths.length} times within ${minutes} min; giving up on it (the rest keeps running)`,
      );
    }
    this.#inARow = now - this.#startedAt >= this.#policy.stableAfterMs ? 1 : this.#inARow + 1;
    const delay = Math.min(this.#policy.baseDelayMs * 2 ** (this.#inARow - 1), this.#policy.maxDelayMs);
    this.#state = 'restarting';
    this.#options.say(
      `${this.name} exited (${how}); restarting in ${(delay / 1000).toFixed(1)} s (${this.#deaths.length} of ${this.#policy.maxRestarts} restarts allowed in ${Math.round(this.#policy.windowMs / 60_000)} min)`,
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#state !== 'restarting') return;
      this.restartCount++;
      const next = this.start();
      this.#options.onRestarted?.(next);
    }, delay);
  }

  #giveUp(reason: string): void {
    this.#state = 'given_up';
    this.#options.say(reason);
    this.#options.onGaveUp?.(reason);
  }

  /**
   * Ends the child and its process group for good: SIGTERM, then SIGKILL for whatever is left after
   * `graceMs` (the child itself or a grandchild that outlived it).
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#state = 'stopped';
    if (this.#timer) clearTimeout(this.#timer);
    const child = this.#child;
    const pid = child?.pid;
    if (!child || pid === undefined) return;
    const deadline = Date.now() + graceMs;
    const running = child.exitCode === null && child.signalCode === null;
    if (!running && !groupAlive(pid)) return;
    const exited = running ? new Promise<void>((res) => child.once('exit', () => res())) : undefined;
    signalGroup(pid, 'SIGTERM');
    const kill = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(kill);
    // The leader is gone; its grandchildren got the SIGTERM too but may take a moment.
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    signalGroup(pid, 'SIGKILL');
  }
}

/** Sends `signal` to the process group led by `pid`; a group already gone is no error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Whether any process of the group led by `pid` is still there. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
