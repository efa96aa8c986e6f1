/** The provider interface: what every wire protocol, the registry and the fake have in common. */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** An image for a vision model; attached to the last user message. */
export interface ChatImage {
  /** Raw bytes, or the bytes already base64-encoded. */
  data: Uint8Array | string;
  /** e.g. `image/png`. */
  mimeType: string;
}

export interface ChatRequest {
  /** The provider's own model name (`llama3.2`); the registry takes `provider/model`. */
  model: string;
  messages: readonly ChatMessage[];
  /** Upper bound on generated tokens (`num_predict` / `max_tokens`); the credits hold is priced by it. */
  maxTokens: number;
  /** Aborting closes the upstream connection, so the provider stops generating. */
  signal?: AbortSignal | undefined;
  images?: readonly ChatImage[] | undefined;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** True when the provider sent no counts and these are estimates (about 4 characters a token). */
  estimated?: boolean;
}

export type FinishReason = 'stop' | 'length' | 'other';

export type ChatChunk = { delta: string } | { done: true; usage: Usage; finishReason: FinishReason };

export interface ModelInfo {
  /** `provider/model`, the name users and the registry use. */
  id: string;
  provider: string;
  /** The provider's own name for it. */
  name: string;
  /** True or false when the provider says; undefined when it does not tell. */
  vision?: boolean | undefined;
}

export interface LlmProvider {
  /** The `provider` part of `provider/model`. */
  readonly name: string;
  readonly protocol: 'ollama' | 'openai' | 'registry';
  /**
   * Streams an answer: `{ delta }` chunks in order, then exactly one `{ done, usage }`. Throws
   * `LlmError` (see its codes); breaking out of the loop closes the connection like an abort.
   */
  chat(request: ChatRequest): AsyncIterable<ChatChunk>;
  /** The models the provider serves now. Throws `LlmError` (`LLM_PROVIDER_DOWN`…). */
  models(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
}

export function isDelta(chunk: ChatChunk): chunk is { delta: string } {
  return 'delta' in chunk;
}
