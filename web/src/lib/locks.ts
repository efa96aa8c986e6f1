/**
 * Web Locks, with a fallback for browsers or contexts without them (then this tab assumes it is
 * alone, which is what a single-tab browser is).
 */
export function hasLocks(): boolean {
  return typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks !== undefined;
}

/** Runs `fn` while holding the named exclusive lock (across every tab of this origin). */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!hasLocks()) return fn();
  return navigator.locks.request(name, fn);
}

/**
 * Queues for the named lock; once granted, calls `onAcquired` and holds the lock until the returned
 * release function is called (which also withdraws a request not yet granted).
 */
export function holdLock(
  name: string,
  onAcquired: () => Promise<void> | void,
  onError: (err: unknown) => void,
): () => void {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  if (!hasLocks()) {
    Promise.resolve().then(onAcquired).catch(onError);
    return release;
  }
  const abort = new AbortController();
  navigator.locks
    .request(name, { signal: abort.signal }, async () => {
      try {
        await onAcquired();
      } catch (err) {
        onError(err);
      }
      await held;
    })
    .catch((err: unknown) => {
      if (!(err instanceof DOMException && err.name === 'AbortError')) onError(err);
    });
  return () => {
    abort.abort();
    release();
  };
}
