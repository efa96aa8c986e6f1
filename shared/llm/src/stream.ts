/**
 * The part both wire protocols share: one streaming POST with a first-token deadline, a stall timeout
 * between chunks, the caller's AbortSignal, and failures turned into `LlmError`s. A protocol only
 * supplies a parser (bytes → events) and its HTTP error mapping. Whatever ends the stream early (an
 * abort, a timeout, the consumer leaving the loop, an error) aborts the fetch, which closes the
 * connection, so the provider stops generating.
 */
import { codeFromMessage, LlmError, LlmErrorCode, type LlmErrorDetails } from './errors.ts';
import type { ChatChunk, ChatMessage, FinishReason, Usage } from './types.ts';

export type FetchLike = typeof fetch;

/** What a protocol parser makes of the bytes. */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; usage?: Usage | undefined; finishReason: FinishReason }
  | { type: 'error'; message: string };

export interface StreamParser {
  /** Feeds decoded text; returns the events complete so far. */
  feed(text: string): StreamEvent[];
  /** End of the body: the events the rest of the buffer makes (a `done` if the protocol allows it). */
  end(): StreamEvent[];
}

export interface Timeouts {
  /** From the request until the first token; 0 = none. */
  firstTokenTimeoutMs: number;
  /** Longest silence between two chunks once streaming; 0 = none. */
  stallTimeoutMs: number;
}

export interface StreamOptions extends Timeouts {
  provider: string;
  model: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  messages: readonly ChatMessage[];
  signal?: AbortSignal | undefined;
  fetch: FetchLike;
  parser: StreamParser;
  /** Maps a non-2xx answer (status + body text) to an error. */
  httpError: (status: number, body: string, details: LlmErrorDetails) => LlmError;
}

/** About four characters a token: what we charge when a provider sends no counts. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}

export async function* streamChat(o: StreamOptions): AsyncGenerator<ChatChunk, void, undefined> {
  const base = { provider: o.provider, model: o.model };
  if (o.signal?.aborted)
    throw new LlmError(LlmErrorCode.Aborted, 'cancelled before the request', {
      ...base,
      cause: o.signal.reason,
    });

  const ctrl = new AbortController();
  const forward = () => ctrl.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', forward, { once: true });

  const started = Date.now();
  let received = '';
  let deltas = 0;
  let responded = false;
  let timedOut: LlmErrorCode | undefined;
  let timer: NodeJS.Timeout | undefined;

  const partialUsage = (): Usage => ({
    promptTokens: estimatePromptTokens(o.messages),
    completionTokens: Math.max(deltas, received === '' ? 0 : 1),
    estimated: true,
  });
  const details = (cause?: unknown): LlmErrorDetails => ({
    ...base,
    received,
    ...(responded ? { usage: partialUsage() } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
  /** Arms the timer for the wait ahead: the first-token deadline, then the stall timeout. */
  const arm = () => {
    clearTimeout(timer);
    const [ms, code] =
      deltas === 0
        ? [
            o.firstTokenTimeoutMs && Math.max(1, started + o.firstTokenTimeoutMs - Date.now()),
            LlmErrorCode.FirstTokenTimeout,
          ]
        : [o.stallTimeoutMs, LlmErrorCode.MidStream];
    if (ms > 0)
      timer = setTimeout(() => {
        timedOut = code;
        ctrl.abort(new Error('timeout'));
      }, ms);
  };
  const disarm = () => clearTimeout(timer);
  /** A thrown fetch/read error, named by what caused it. */
  const classify = (e: unknown): LlmError => {
    if (e instanceof LlmError) return e;
    if (timedOut === LlmErrorCode.FirstTokenTimeout)
      return new LlmError(timedOut, `no first token within ${o.firstTokenTimeoutMs} ms`, details(e));
    if (timedOut === LlmErrorCode.MidStream)
      return new LlmError(timedOut, `the stream stalled for ${o.stallTimeoutMs} ms`, details(e));
    if (o.signal?.aborted) return new LlmError(LlmErrorCode.Aborted, 'cancelled', details(o.signal.reason));
    if (!responded)
      return new LlmError(
        LlmErrorCode.ProviderDown,
        `${o.provider} is unreachable: ${describe(e)}`,
        details(e),
      );
    return new LlmError(LlmErrorCode.ConnectionDropped, `the connection dropped: ${describe(e)}`, details(e));
  };

  try {
    arm();
    let res: Response;
    try {
      res = await o.fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: JSON.stringify(o.body),
        signal: ctrl.signal,
      });
    } catch (e) {
      throw classify(e);
    }
    if (!res.ok) {
      let text = '';
      try {
        text = await res.text();
      } catch (e) {
        throw classify(e);
      }
      throw o.httpError(res.status, text, { ...base, status: res.status });
    }
    responded = true;
    if (!res.body) throw new LlmError(LlmErrorCode.BadResponse, 'the answer has no body', details());

    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let finished = false;
    let pendingError: string | undefined;
    const handle = (events: StreamEvent[]): ChatChunk[] => {
      const out: ChatChunk[] = [];
      for (const ev of events) {
        if (finished) break;
        if (ev.type === 'delta') {
          if (ev.text === '') continue;
          received += ev.text;
          deltas += 1;
          out.push({ delta: ev.text });
        } else if (ev.type === 'done') {
          finished = true;
          out.push({
            done: true,
            usage: ev.usage ?? { ...partialUsage(), completionTokens: estimateTokens(received) },
            finishReason: ev.finishReason,
          });
        } else {
          // Deltas of the same read reach the caller first: what arrived is kept in `received`.
          pendingError = ev.message;
          break;
        }
      }
      return out;
    };
    for (;;) {
      arm();
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw classify(e);
      } finally {
        disarm();
      }
      const text = r.done ? decoder.decode() : decoder.decode(r.value, { stream: true });
      const chunks = handle(r.done ? [...o.parser.feed(text), ...o.parser.end()] : o.parser.feed(text));
      for (const c of chunks) yield c;
      if (pendingError !== undefined) {
        const code =
          received === ''
            ? (codeFromMessage(pendingError) ?? LlmErrorCode.MidStream)
            : LlmErrorCode.MidStream;
        throw new LlmError(code, `${o.provider} failed mid-stream: ${pendingError}`, details());
      }
      if (finished) return;
      if (r.done)
        throw new LlmError(
          LlmErrorCode.ConnectionDropped,
          'the stream ended before its final message',
          details(),
        );
    }
  } finally {
    disarm();
    o.signal?.removeEventListener('abort', forward);
    // No-op after a complete answer; otherwise this closes the connection.
    ctrl.abort(new Error('stream closed'));
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    return e.message + cause;
  }
  return String(e);
}

/** Joins a base URL and a path without doubling or losing slashes. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

/** GET returning JSON, with the provider-down / HTTP error mapping of the protocol. */
export async function getJson(o: {
  provider: string;
  url: string;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  fetch: FetchLike;
  timeoutMs: number;
  httpError: (status: number, body: string, details: LlmErrorDetails) => LlmError;
  method?: 'GET' | 'POST';
  body?: unknown;
}): Promise<unknown> {
  const signals = [AbortSignal.timeout(o.timeoutMs), ...(o.signal ? [o.signal] : [])];
  let res: Response;
  try {
    res = await o.fetch(o.url, {
      method: o.method ?? 'GET',
      headers: { ...(o.body === undefined ? {} : { 'content-type': 'application/json' }), ...o.headers },
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
      signal: AbortSignal.any(signals),
    });
  } catch (e) {
    if (o.signal?.aborted)
      throw new LlmError(LlmErrorCode.Aborted, 'cancelled', { provider: o.provider, cause: e });
    throw new LlmError(LlmErrorCode.ProviderDown, `${o.provider} is unreachable: ${describe(e)}`, {
      provider: o.provider,
      cause: e,
    });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new LlmError(LlmErrorCode.ConnectionDropped, `${o.provider} dropped the connection`, {
      provider: o.provider,
      cause: e,
    });
  }
  if (!res.ok) throw o.httpError(res.status, text, { provider: o.provider, status: res.status });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new LlmError(LlmErrorCode.BadResponse, `${o.provider} answered with something that is not JSON`, {
      provider: o.provider,
      cause: e,
    });
  }
}

/** The code for a status where the body did not name one. */
export function codeForStatus(status: number): LlmErrorCode {
  if (status === 429) return LlmErrorCode.RateLimited;
  if (status === 502 || status === 503 || status === 504) return LlmErrorCode.ProviderDown;
  return LlmErrorCode.Upstream;
}
