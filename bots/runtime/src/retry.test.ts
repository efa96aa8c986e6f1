import { describe, expect, it } from 'vitest';
import { classifyMatrixError, withRetry } from './retry.ts';

describe('withRetry', () => {
  it('waits exactly retry_after_ms on M_LIMIT_EXCEEDED', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3)
          throw Object.assign(new Error('limited'), { errcode: 'M_LIMIT_EXCEEDED', retryAfterMs: 1234 });
        return 'ok';
      },
      { maxElapsedMs: 60_000, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([1234, 1234]);
  });
  it('backs off on connection errors and gives up after maxElapsedMs', async () => {
    let t = 0;
    const sleeps: number[] = [];
    await expect(
      withRetry(async () => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })), {
        maxElapsedMs: 5_000,
        now: () => t,
        sleep: async (ms) => {
          sleeps.push(ms);
          t += ms;
        },
      }),
    ).rejects.toThrow('down');
    expect(sleeps.length).toBeGreaterThan(2);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
  });
  it('does not retry client errors', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error('nope'), { errcode: 'M_FORBIDDEN', statusCode: 403 });
        },
        { maxElapsedMs: 10_000, sleep: async () => {} },
      ),
    ).rejects.toThrow('nope');
    expect(calls).toBe(1);
  });
  it('classifies', () => {
    expect(classifyMatrixError({ statusCode: 502 })).toMatchObject({ retry: true });
    expect(classifyMatrixError({ body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 5 } })).toEqual({
      retry: true,
      reason: 'M_LIMIT_EXCEEDED',
      delayMs: 5,
    });
    expect(classifyMatrixError(new TypeError('x'))).toEqual({ retry: false });
  });
});
