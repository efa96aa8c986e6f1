/**
 * A per-user concurrency limit: at most `max` answers streaming per user, the rest wait in order
 * (first come, first served) and learn their place in the queue. Waiting honours the command's
 * signal, so a cancelled question leaves the queue.
 */
export interface Slot {
  release(): void;
}

export interface UserLimiter {
  /**
   * A slot for `user`; `onQueued(position)` (1 = next) is called once when it has to wait.
   * Rejects with `QueueFullError` when `maxQueued` are already waiting, or with the signal's reason.
   */
  acquire(user: string, o: { signal: AbortSignal; onQueued?: (position: number) => void }): Promise<Slot>;
  running(user: string): number;
  waiting(user: string): number;
}

export class QueueFullError extends Error {
  readonly waiting: number;
  constructor(waiting: number) {
    super(`${waiting} questions are already waiting`);
    this.name = 'QueueFullError';
    this.waiting = waiting;
  }
}

export function createUserLimiter(options: { max: number; maxQueued: number }): UserLimiter {
  const active = new Map<string, number>();
  const queues = new Map<string, { grant: () => void }[]>();

  const take = (user: string): Slot => {
    active.set(user, (active.get(user) ?? 0) + 1);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const n = (active.get(user) ?? 1) - 1;
        if (n === 0) active.delete(user);
        else active.set(user, n);
        const next = queues.get(user)?.shift();
        if (queues.get(user)?.length === 0) queues.delete(user);
        next?.grant();
      },
    };
  };

  return {
    acquire(user, o) {
      o.signal.throwIfAborted();
      if ((active.get(user) ?? 0) < options.max && !queues.get(user)?.length)
        return Promise.resolve(take(user));
      const queue = queues.get(user) ?? [];
      if (queue.length >= options.maxQueued) return Promise.reject(new QueueFullError(queue.length));
      queues.set(user, queue);
      return new Promise<Slot>((resolve, reject) => {
        const entry = {
          grant: () => {
            o.signal.removeEventListener('abort', leave);
            resolve(take(user));
          },
        };
        const leave = () => {
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          if (queue.length === 0 && queues.get(user) === queue) queues.delete(user);
          reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('cancelled'));
        };
        queue.push(entry);
        o.signal.addEventListener('abort', leave, { once: true });
        o.onQueued?.(queue.length);
      });
    },
    running: (user) => active.get(user) ?? 0,
    waiting: (user) => queues.get(user)?.length ?? 0,
  };
}
