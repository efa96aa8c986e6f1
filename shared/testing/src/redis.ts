import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const testRedisUrl = (): string =>
  process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  url: string;
  /** Unique per call: every key (and pub/sub channel) a test's services use starts with it. */
  prefix: string;
  /** Deletes every key under the prefix and closes the helper connection. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(label = 'test'): Promise<TestRedis> {
  const url = testRedisUrl();
  const prefix = `mana-t:${label}:${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  await redis.ping();
  return {
    url,
    prefix,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
