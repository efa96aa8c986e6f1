/**
 * The OpenAI-compatible API (OpenAI, vLLM, llama.cpp's server, LocalAI, OpenRouter…):
 * `POST {baseUrl}/chat/completions` with `stream: true` answers `text/event-stream`, one
 * `data: {chunk}` event per delta (`choices[0].delta.content`), a last chunk with `usage` (asked for
 * with `stream_options.include_usage`), then `data: [DONE]`. Errors are `{"error": {message, code}}`,
 * as a non-2xx body or (vLLM, OpenRouter) as a `data:` event mid-stream. `GET {baseUrl}/models` lists
 * the models. Server-sent events are parsed by `eventsource-parser`.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { z } from 'zod';
import { codeFromMessage, LlmError, LlmErrorCode, type LlmErrorDetails } from './errors.ts';
import { toBase64 } from './ollama.ts';
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
import type { ChatRequest, FinishReason, LlmProvider, ModelInfo, Usage } from './types.ts';

const errorBody = z.looseObject({
  message: z.string().optional(),
  code: z.union([z.string(), z.number()]).nullish(),
  type: z.string().nullish(),
});

export const openAiErrorSchema = z.looseObject({ error: z.union([errorBody, z.string()]) });

export const openAiChunkSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        delta: z.looseObject({ content: z.string().nullish() }).optional(),
        finish_reason: z.string().nullish(),
      }),
    )
    .optional(),
  usage: z
    .looseObject({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
  error: z.union([errorBody, z.string()]).optional(),
});
export type OpenAiChunk = z.infer<typeof openAiChunkSchema>;

export const openAiModelsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });

export interface OpenAiProviderOptions extends Partial<Timeouts> {
  /** The `provider` part of model names; default `openai`. */
  name?: string;
  /** Base URL including the version, as the OpenAI SDKs take it: `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; omit for servers without auth. */
  apiKey?: string | undefined;
  headers?: Record<string, string>;
  /**
   * Which models take images (their own names; `*` matches anything). Undefined = not known: images
   * are sent and a model that refuses them gets `LLM_NO_VISION`.
   */
  visionModels?: readonly string[] | undefined;
  fetch?: FetchLike;
  /** Timeout of `/models`; default 10 s. */
  requestTimeoutMs?: number;
}

function errorText(e: z.infer<typeof openAiErrorSchema>['error']): { message: string; code?: string } {
  if (typeof e === 'string') return { message: e };
  const code = e.code === null || e.code === undefined ? undefined : String(e.code);
  return { message: e.message ?? code ?? 'error', ...(code === undefined ? {} : { code }) };
}

function codeFromOpenAi(code: string | undefined): LlmErrorCode | undefined {
  if (code === 'context_length_exceeded') return LlmErrorCode.ContextTooLong;
  if (code === 'model_not_found') return LlmErrorCode.UnknownModel;
  return undefined;
}

function finishReason(reason: string | undefined): FinishReason {
  if (reason === undefined || reason === 'stop') return 'stop';
  return reason === 'length' ? 'length' : 'other';
}

/** SSE → events. The answer is done at `[DONE]`, or at the end of a body that sent a finish reason. */
export function openAiParser(): StreamParser {
  let out: StreamEvent[] = [];
  let finish: string | undefined;
  let usage: Usage | undefined;
  let done = false;
  const onEvent = (ev: EventSourceMessage) => {
    if (done) return;
    if (ev.data.trim() === '[DONE]') {
      done = true;
      out.push({ type: 'done', usage, finishReason: finishReason(finish) });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(ev.data);
    } catch {
      out.push({ type: 'error', message: `not a JSON event: ${ev.data.slice(0, 100)}` });
      return;
    }
    const parsed = openAiChunkSchema.safeParse(json);
    if (!parsed.success) {
      out.push({ type: 'error', message: `unexpected event: ${ev.data.slice(0, 100)}` });
      return;
    }
    const c = parsed.data;
    if (c.error !== undefined || ev.event === 'error') {
      out.push({ type: 'error', message: c.error === undefined ? ev.data : errorText(c.error).message });
      return;
    }
    const choice = c.choices?.[0];
    const text = choice?.delta?.content;
    if (text) out.push({ type: 'delta', text });
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (c.usage) usage = { promptTokens: c.usage.prompt_tokens, completionTokens: c.usage.completion_tokens };
  };
  const parser = createParser({ onEvent });
  const take = () => {
    const events = out;
    out = [];
    return events;
  };
  return {
    feed(text) {
      parser.feed(text);
      return take();
    },
    end() {
      parser.reset({ consume: true });
      if (!done && finish !== undefined) {
        done = true;
        out.push({ type: 'done', usage, finishReason: finishReason(finish) });
      }
      return take();
    },
  };
}

export function openAiHttpError(status: number, body: string, details: LlmErrorDetails): LlmError {
  let message = body.slice(0, 300) || `HTTP ${status}`;
  let apiCode: string | undefined;
  try {
    const parsed = openAiErrorSchema.safeParse(JSON.parse(body));
    if (parsed.success) ({ message, code: apiCode } = errorText(parsed.data.error));
  } catch {
    // not JSON: keep the text
  }
  const code =
    codeFromOpenAi(apiCode) ??
    (status === 400 || status === 404 || status === 413 || status === 422
      ? codeFromMessage(message)
      : undefined) ??
    (status === 404 ? LlmErrorCode.UnknownModel : codeForStatus(status));
  return new LlmError(code, `${details.provider ?? 'openai'}: ${message}`, details);
}

/** `*` matches any run of characters; everything else literally. */
export function matchesModel(patterns: readonly string[], model: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      '^' +
        p
          .split('*')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    ).test(model),
  );
}

/**
 * @example
 * const openrouter = createOpenAiProvider({ name: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1', apiKey });
 * for await (const c of openrouter.chat({ model: 'meta-llama/llama-3.1-8b-instruct', messages, maxTokens: 512 })) …
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): LlmProvider {
  const name = options.name ?? 'openai';
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = {
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  const timeouts: Timeouts = {
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 30_000,
    stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
  };
  const visionOf = (model: string): boolean | undefined =>
    options.visionModels === undefined ? undefined : matchesModel(options.visionModels, model);

  return {
    name,
    protocol: 'openai',
    async *chat(req: ChatRequest) {
      const images = req.images ?? [];
      if (images.length > 0 && visionOf(req.model) === false)
        throw new LlmError(LlmErrorCode.NoVision, `${name}/${req.model} does not take images`, {
          provider: name,
          model: req.model,
        });
      const lastUser = req.messages.findLastIndex((m) => m.role === 'user');
      const messages = req.messages.map((m, i) =>
        i === lastUser && images.length > 0
          ? {
              role: m.role,
              content: [
                { type: 'text', text: m.content },
                ...images.map((img) => ({
                  type: 'image_url',
                  image_url: { url: `data:${img.mimeType};base64,${toBase64(img)}` },
                })),
              ],
            }
          : { role: m.role, content: m.content },
      );
      yield* streamChat({
        ...timeouts,
        provider: name,
        model: req.model,
        url: joinUrl(options.baseUrl, '/chat/completions'),
        headers: { accept: 'text/event-stream', ...headers },
        body: {
          model: req.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: req.maxTokens,
        },
        messages: req.messages,
        signal: req.signal,
        fetch: doFetch,
        parser: openAiParser(),
        httpError: (s, b, d) => openAiHttpError(s, b, { ...d, model: req.model }),
      });
    },
    async models(opts = {}) {
      const json = await getJson({
        provider: name,
        url: joinUrl(options.baseUrl, '/models'),
        headers,
        signal: opts.signal,
        fetch: doFetch,
        timeoutMs: options.requestTimeoutMs ?? 10_000,
        httpError: openAiHttpError,
      });
      const parsed = openAiModelsSchema.safeParse(json);
      if (!parsed.success)
        throw new LlmError(LlmErrorCode.BadResponse, `${name}: /models answered an unexpected shape`, {
          provider: name,
        });
      return parsed.data.data.map((m): ModelInfo => ({
        id: `${name}/${m.id}`,
        provider: name,
        name: m.id,
        vision: visionOf(m.id),
      }));
    },
  };
}
