/**
 * Retrying Matrix calls: exponential backoff with jitter while Synapse is unreachable or answers
 * 5xx, and exactly the wait Synapse asks for on `M_LIMIT_EXCEEDED` (`retry_after_ms`).
 */
export interface RetryOptions {
  /** Give up after this long (the last error is thrown). */
  maxElapsedMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  signal?: AbortSignal;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs?: number; reason: string };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null && name in err
    ? (err as Record<string, unknown>)[name]
    : undefined;
}

/** Which errors are worth retrying, and how long Synapse asked us to wait. */
export function classifyMatrixError(err: unknown): RetryDecision {
  const errcode = field(err, 'errcode') ?? field(field(err, 'body'), 'errcode');
  const status = field(err, 'statusCode') ?? field(err, 'status');
  if (errcode === 'M_LIMIT_EXCEEDED' || status === 429) {
    const after = field(err, 'retryAfterMs') ?? field(field(err, 'body'), 'retry_after_ms');
    return {
      retry: true,
      reason: 'M_LIMIT_EXCEEDED',
      ...(typeof after === 'number' ? { delayMs: after } : {}),
    };
  }
  if (typeof status === 'number' && (status === 502 || status === 503 || status === 504 || status === 500)) {
    return { retry: true, reason: `HTTP ${status}` };
  }
  const code = field(err, 'code') ?? field(field(err, 'cause'), 'code');
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return { retry: true, reason: code };
  return { retry: false };
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const {
    maxElapsedMs,
    initialDelayMs = 200,
    maxDelayMs = 15_000,
    sleep = defaultSleep,
    now = Date.now,
  } = options;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const decision = classifyMatrixError(err);
      if (!decision.retry || options.signal?.aborted) throw err;
      const backoff = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      const delayMs = decision.delayMs ?? Math.round(backoff / 2 + Math.random() * (backoff / 2));
      if (now() - start + delayMs > maxElapsedMs) throw err;
      options.onRetry?.({ attempt, delayMs, reason: decision.reason });
      await sleep(delayMs);
    }
  }
}
