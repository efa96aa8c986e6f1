/**
 * Fixed-window rate limits in Redis, shared by every instance. A bucket is (name, key) — e.g.
 * ('login-account', 'alice@example.org') — with a limit per window.
 */
import type { Redis } from 'ioredis';

export interface LimitResult {
  allowed: boolean;
  count: number;
  /** Seconds until the window ends (for Retry-After). */
  retryAfter: number;
}

export interface RateLimiter {
  /** Counts one hit and tells whether it is within the limit. */
  hit(bucket: string, key: string, limit: number, windowSec: number): Promise<LimitResult>;
  /** Tells whether the bucket is already at its limit, without counting. */
  peek(bucket: string, key: string, limit: number): Promise<LimitResult>;
  reset(bucket: string, key: string): Promise<void>;
  /** Counts one hit in several buckets in one round trip; the first one over its limit, if any. */
  hitAll(
    hits: readonly { bucket: string; key: string; limit: number; windowSec: number }[],
  ): Promise<LimitResult | undefined>;
}

export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const k = (bucket: string, key: string) => `${prefix}rl:${bucket}:${key.toLowerCase()}`;
  return {
    async hit(bucket, key, limit, windowSec) {
      const name = k(bucket, key);
      const res = await redis.multi().incr(name).expire(name, windowSec, 'NX').ttl(name).exec();
      const count = Number(res?.[0]?.[1] ?? 0);
      const ttl = Number(res?.[2]?.[1] ?? windowSec);
      return { allowed: count <= limit, count, retryAfter: Math.max(1, ttl) };
    },
    async hitAll(hits) {
      const multi = redis.multi();
      for (const h of hits) {
        const name = k(h.bucket, h.key);
        multi.incr(name).expire(name, h.windowSec, 'NX').ttl(name);
      }
      const res = (await multi.exec()) ?? [];
      for (const [i, h] of hits.entries()) {
        const count = Number(res[i * 3]?.[1] ?? 0);
        const ttl = Number(res[i * 3 + 2]?.[1] ?? h.windowSec);
        if (count > h.limit) return { allowed: false, count, retryAfter: Math.max(1, ttl) };
      }
      return undefined;
    },
    async peek(bucket, key, limit) {
      const name = k(bucket, key);
      const [count, ttl] = await Promise.all([redis.get(name), redis.ttl(name)]);
      const n = Number(count ?? 0);
      return { allowed: n < limit, count: n, retryAfter: Math.max(1, ttl) };
    },
    async reset(bucket, key) {
      await redis.del(k(bucket, key));
    },
  };
}
