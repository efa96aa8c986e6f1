/**
 * Ollama's native API: `POST /api/chat` with `stream: true` answers `application/x-ndjson`, one JSON
 * object a line (`message.content` deltas, then `done: true` with `prompt_eval_count` / `eval_count`);
 * errors are `{"error": "…"}`, as the body of a non-2xx answer or as a line in the middle of a stream.
 * `GET /api/tags` lists the models; `POST /api/show` tells a model's capabilities (`vision`).
 */
import { z } from 'zod';
import { codeFromMessage, LlmError, LlmErrorCode, type LlmErrorDetails } from './errors.ts';
import {
  codeForStatus,
  getJson,
  joinUrl,
  streamChat,
  type FetchLike,
  type StreamEvent,
  type StreamParser,
  type Timeouts,
} from './stream.ts';
import type { ChatImage, ChatRequest, FinishReason, LlmProvider, ModelInfo } from './types.ts';

/** One line of the `/api/chat` stream (only the fields we read; the rest passes). */
export const ollamaChatLineSchema = z.looseObject({
  message: z.looseObject({ content: z.string().optional() }).optional(),
  done: z.boolean().optional(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().int().nonnegative().optional(),
  eval_count: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});
export type OllamaChatLine = z.infer<typeof ollamaChatLineSchema>;

export const ollamaTagsSchema = z.looseObject({
  models: z.array(z.looseObject({ name: z.string(), model: z.string().optional() })),
});

export const ollamaShowSchema = z.looseObject({ capabilities: z.array(z.string()).optional() });

export const ollamaErrorSchema = z.looseObject({ error: z.string() });

export interface OllamaProviderOptions extends Partial<Timeouts> {
  /** The `provider` part of model names; default `ollama`. */
  name?: string;
  /** e.g. `http://127.0.0.1:11434` (no `/api`). */
  baseUrl: string;
  /** Extra headers (a reverse proxy's auth). */
  headers?: Record<string, string>;
  fetch?: FetchLike;
  /** Timeout of `/api/tags` and `/api/show`; default 10 s. */
  requestTimeoutMs?: number;
}

function finishReason(reason: string | undefined): FinishReason {
  if (reason === undefined || reason === 'stop') return 'stop';
  return reason === 'length' ? 'length' : 'other';
}

/** NDJSON: a line is complete at its `\n`; the last line may come without one. */
export function ollamaParser(): StreamParser {
  let buffer = '';
  const parseLine = (line: string): StreamEvent[] => {
    if (line.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return [{ type: 'error', message: `not a JSON line: ${line.slice(0, 100)}` }];
    }
    const parsed = ollamaChatLineSchema.safeParse(json);
    if (!parsed.success) return [{ type: 'error', message: `unexpected line: ${line.slice(0, 100)}` }];
    const l = parsed.data;
    if (l.error !== undefined) return [{ type: 'error', message: l.error }];
    const events: StreamEvent[] = [];
    const text = l.message?.content ?? '';
    if (text !== '') events.push({ type: 'delta', text });
    if (l.done === true)
      events.push({
        type: 'done',
        finishReason: finishReason(l.done_reason),
        usage:
          l.eval_count === undefined && l.prompt_eval_count === undefined
            ? undefined
            : { promptTokens: l.prompt_eval_count ?? 0, completionTokens: l.eval_count ?? 0 },
      });
    return events;
  };
  return {
    feed(text) {
      buffer += text;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      return lines.flatMap(parseLine);
    },
    end() {
      const rest = buffer;
      buffer = '';
      return parseLine(rest);
    },
  };
}

export function ollamaHttpError(status: number, body: string, details: LlmErrorDetails): LlmError {
  let message = body.slice(0, 300) || `HTTP ${status}`;
  try {
    const parsed = ollamaErrorSchema.safeParse(JSON.parse(body));
    if (parsed.success) message = parsed.data.error;
  } catch {
    // not JSON: keep the text
  }
  const code =
    codeFromMessage(message) ?? (status === 404 ? LlmErrorCode.UnknownModel : codeForStatus(status));
  return new LlmError(code, `${details.provider ?? 'ollama'}: ${message}`, details);
}

export function toBase64(image: ChatImage): string {
  return typeof image.data === 'string' ? image.data : Buffer.from(image.data).toString('base64');
}

/**
 * @example
 * const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:11434' });
 * for await (const c of ollama.chat({ model: 'llama3.2', messages, maxTokens: 512, signal }))
 *   if ('delta' in c) append(c.delta); else charge(c.usage);
 */
export function createOllamaProvider(options: OllamaProviderOptions): LlmProvider {
  const name = options.name ?? 'ollama';
  const doFetch = options.fetch ?? fetch;
  const headers = options.headers ?? {};
  const timeouts: Timeouts = {
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 30_000,
    stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const vision = new Map<string, boolean | undefined>();

  async function capabilities(model: string, signal?: AbortSignal): Promise<boolean | undefined> {
    if (vision.has(model)) return vision.get(model);
    const json = await getJson({
      provider: name,
      url: joinUrl(options.baseUrl, '/api/show'),
      method: 'POST',
      body: { model },
      headers,
      signal,
      fetch: doFetch,
      timeoutMs: requestTimeoutMs,
      httpError: (s, b, d) => ollamaHttpError(s, b, { ...d, model }),
    });
    const caps = ollamaShowSchema.safeParse(json);
    // Older servers do not list capabilities: then we cannot tell, and let the model refuse.
    const v = caps.success && caps.data.capabilities ? caps.data.capabilities.includes('vision') : undefined;
    vision.set(model, v);
    return v;
  }

  return {
    name,
    protocol: 'ollama',
    async *chat(req: ChatRequest) {
      const images = req.images ?? [];
      if (images.length > 0 && (await capabilities(req.model, req.signal)) === false)
        throw new LlmError(LlmErrorCode.NoVision, `${name}/${req.model} does not take images`, {
          provider: name,
          model: req.model,
        });
      const lastUser = req.messages.findLastIndex((m) => m.role === 'user');
      const messages = req.messages.map((m, i) =>
        i === lastUser && images.length > 0
          ? { role: m.role, content: m.content, images: images.map(toBase64) }
          : { role: m.role, content: m.content },
      );
      yield* streamChat({
        ...timeouts,
        provider: name,
        model: req.model,
        url: joinUrl(options.baseUrl, '/api/chat'),
        headers,
        body: { model: req.model, messages, stream: true, options: { num_predict: req.maxTokens } },
        messages: req.messages,
        signal: req.signal,
        fetch: doFetch,
        parser: ollamaParser(),
        httpError: ollamaHttpError,
      });
    },
    async models(opts = {}) {
      const json = await getJson({
        provider: name,
        url: joinUrl(options.baseUrl, '/api/tags'),
        headers,
        signal: opts.signal,
        fetch: doFetch,
        timeoutMs: requestTimeoutMs,
        httpError: ollamaHttpError,
      });
      const parsed = ollamaTagsSchema.safeParse(json);
      if (!parsed.success)
        throw new LlmError(LlmErrorCode.BadResponse, `${name}: /api/tags answered an unexpected shape`, {
          provider: name,
        });
      return parsed.data.models.map((m): ModelInfo => ({
        id: `${name}/${m.name}`,
        provider: name,
        name: m.name,
        vision: vision.get(m.name),
      }));
    },
  };
}
