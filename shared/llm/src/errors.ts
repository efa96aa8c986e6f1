/**
 * One error class for every provider failure, with a stable string `code` (the jose pattern): callers
 * branch on `code`, never on message text. An error thrown after tokens arrived keeps them in
 * `received`, with an estimate of the tokens generated so far in `usage` (a cancelled or broken answer
 * still pays for what was generated).
 */
import type { Usage } from './types.ts';

export const LlmErrorCode = {
  /** The model (or the `provider/` part of its name) is not known to the provider or the registry. */
  UnknownModel: 'LLM_UNKNOWN_MODEL',
  /** The provider cannot be reached (connection refused, DNS, 502/503/504). Nothing was generated. */
  ProviderDown: 'LLM_PROVIDER_DOWN',
  /** No first token within `firstTokenTimeoutMs`; the request was aborted. */
  FirstTokenTimeout: 'LLM_FIRST_TOKEN_TIMEOUT',
  /** The provider reported an error in the middle of the stream, or stalled past `stallTimeoutMs`. */
  MidStream: 'LLM_MID_STREAM',
  /** The connection closed before the stream's final message. */
  ConnectionDropped: 'LLM_CONNECTION_DROPPED',
  /** The prompt is longer than the model's context. */
  ContextTooLong: 'LLM_CONTEXT_TOO_LONG',
  /** Images were sent to a model that does not take images. */
  NoVision: 'LLM_NO_VISION',
  /** The caller's `AbortSignal` fired; the upstream connection was closed. `cause` is the signal's reason. */
  Aborted: 'LLM_ABORTED',
  /** 429 from the provider. */
  RateLimited: 'LLM_RATE_LIMITED',
  /** Any other HTTP error from the provider (401 bad key, 400, 500…); `status` says which. */
  Upstream: 'LLM_UPSTREAM_ERROR',
  /** The provider answered something that is not its protocol. */
  BadResponse: 'LLM_BAD_RESPONSE',
} as const;

export type LlmErrorCode = (typeof LlmErrorCode)[keyof typeof LlmErrorCode];

export interface LlmErrorDetails {
  provider?: string | undefined;
  model?: string | undefined;
  /** HTTP status, when the provider answered with one. */
  status?: number | undefined;
  /** The text streamed before the failure ('' when none). */
  received?: string | undefined;
  /** Estimated usage up to the failure (`estimated: true`), when a stream had started. */
  usage?: Usage | undefined;
  cause?: unknown;
}

/**
 * @example
 * try { for await (const c of llm.chat(req)) … }
 * catch (e) { if (e instanceof LlmError && e.code === LlmErrorCode.NoVision) reply(t.noVision) }
 */
export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly status: number | undefined;
  readonly received: string;
  readonly usage: Usage | undefined;
  constructor(code: LlmErrorCode, message: string, details: LlmErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LlmError';
    this.code = code;
    this.provider = details.provider;
    this.model = details.model;
    this.status = details.status;
    this.received = details.received ?? '';
    this.usage = details.usage;
  }
}

export function isLlmError(e: unknown, code?: LlmErrorCode): e is LlmError {
  return e instanceof LlmError && (code === undefined || e.code === code);
}

/**
 * A code for a provider's error text, where the text says what it is. Both protocols (and the servers
 * behind the OpenAI-compatible one: vLLM, llama.cpp, LocalAI, OpenRouter) word these differently.
 */
export function codeFromMessage(message: string): LlmErrorCode | undefined {
  const m = message.toLowerCase();
  if (
    /context (length|window|size)|maximum context|too many tokens|prompt is too long|exceeds.*context/.test(m)
  )
    return LlmErrorCode.ContextTooLong;
  if (/(does not|doesn't|not) support (image|vision|multimodal)|image input|vision/.test(m))
    return LlmErrorCode.NoVision;
  if (/model.*(not found|does not exist|unknown)|unknown model|no such model/.test(m))
    return LlmErrorCode.UnknownModel;
  return undefined;
}
