/**
 * The redeem rate limit. Auth passes its Redis limiter (shared by every instance); without one the
 * module counts in process memory, a fixed window per bucket — enough for tests and a single node.
 */
import type { RateLimiter } from '../rate-limit.ts';

export type Limiter = Pick<RateLimiter, 'hitAll'>;

export function memoryLimiter(now: () => number = Date.now): Limiter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  return {
    async hitAll(hits) {
      let over: { allowed: boolean; count: number; retryAfter: number } | undefined;
      for (const h of hits) {
        const name = `${h.bucket}:${h.key.toLowerCase()}`;
        const t = now();
        let w = windows.get(name);
        if (!w || w.endsAt <= t) {
          w = { count: 0, endsAt: t + h.windowSec * 1000 };
          windows.set(name, w);
        }
        w.count++;
        if (w.count > h.limit && !over)
          over = {
            allowed: false,
            count: w.count,
            retryAfter: Math.max(1, Math.ceil((w.endsAt - t) / 1000)),
          };
      }
      // Forget finished windows now and then, so the map does not grow with every user ever seen.
      if (windows.size > 10_000) for (const [k, w] of windows) if (w.endsAt <= now()) windows.delete(k);
      return over;
    },
  };
}
