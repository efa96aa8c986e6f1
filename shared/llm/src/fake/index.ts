/**
 * A protocol-faithful fake of both wire protocols on one node:http server (Ollama under `/api/*`, the
 * OpenAI-compatible API under `/v1/*`), for tests and for `npm start` without a real provider.
 * Each model has a script: tokens, delays, a mid-stream error, a dropped connection, usage counts.
 * Every stream is recorded, so a test can see that a cancelled client closed the connection and the
 * fake stopped generating.
 *
 * @example
 * const fake = await startFakeLlmServer({ models: [{ name: 'm', script: { tokens: ['Hi', '!'] } }] });
 * createOllamaProvider({ baseUrl: fake.url }); createOpenAiProvider({ baseUrl: fake.openAiUrl });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FakeScript {
  /** Streamed one per chunk, in order. */
  tokens: readonly string[];
  /** Before the first token. */
  firstTokenDelayMs?: number;
  /** Between tokens. */
  tokenDelayMs?: number;
  /** After this many tokens, an in-stream protocol error (`errorMessage`) ends the stream. */
  errorAfter?: number;
  errorMessage?: string;
  /** After this many tokens the socket is destroyed (no final message). */
  dropAfter?: number;
  /** Reported usage; default: about 4 characters a token for the prompt, tokens sent for completion. */
  promptTokens?: number;
  completionTokens?: number;
}

export interface FakeRequest {
  protocol: 'ollama' | 'openai';
  model: string;
  messages: { role: string; content: unknown }[];
  maxTokens: number | undefined;
  images: number;
}

export interface FakeModel {
  name: string;
  vision?: boolean;
  /** Prompts longer than this (estimated tokens) are refused as over the context. */
  contextLength?: number;
  script?: FakeScript | ((req: FakeRequest) => FakeScript);
}

export type FakeOutcome = 'completed' | 'client-closed' | 'error' | 'dropped';

export interface FakeStream {
  request: FakeRequest;
  tokensSent: number;
  /** `performance.now()` when the first token was written (benchmarks time from it). */
  firstTokenAt?: number;
  /** Settles when the fake stops generating, saying why. */
  ended: Promise<FakeOutcome>;
  headers: IncomingMessage['headers'];
}

export interface FakeLlmServer {
  /** Ollama base URL (`OLLAMA_URL`). */
  url: string;
  /** OpenAI-compatible base URL, with `/v1` (`LLM_BASE_URL`). */
  openAiUrl: string;
  port: number;
  streams: FakeStream[];
  close(): Promise<void>;
}

export interface FakeLlmServerOptions {
  models?: readonly FakeModel[];
  port?: number;
  host?: string;
  /** Required as `Bearer` on `/v1/*` when set. */
  apiKey?: string;
}

export const CANNED_ANSWER =
  'No real provider is configured; this is the built-in fake. Set OLLAMA_URL or LLM_BASE_URL to talk to a real model.';

/** Words with their trailing space: roughly how a model's tokens look. */
export function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function lastUserText(req: FakeRequest): string {
  const m = req.messages.findLast((x) => x.role === 'user');
  if (!m) return '';
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content))
    return m.content
      .map((p: unknown) => (typeof p === 'object' && p !== null && 'text' in p ? String(p.text) : ''))
      .join('');
  return '';
}

/** The models of `npm start`: a canned answer that says what it is, streamed token by token. */
export function cannedModels(tokenDelayMs = 40): FakeModel[] {
  const script = (req: FakeRequest): FakeScript => {
    const q = lastUserText(req).slice(0, 200);
    const img = req.images > 0 ? ` I got ${req.images} image(s), but I cannot look at them.` : '';
    return { tokens: tokenize(`${CANNED_ANSWER}${img} You asked: “${q}”`), tokenDelayMs };
  };
  return [
    { name: 'fake', script },
    { name: 'fake-vision', vision: true, script },
  ];
}

function promptChars(req: FakeRequest): number {
  return req.messages.reduce(
    (n, m) => n + (typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content).length),
    0,
  );
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}

export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  const models = new Map((options.models ?? cannedModels()).map((m) => [m.name, m]));
  const streams: FakeStream[] = [];

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ollamaError = (res: ServerResponse, status: number, error: string) => send(res, status, { error });
  const openAiError = (res: ServerResponse, status: number, message: string, code: string | null) =>
    send(res, status, { error: { message, type: 'invalid_request_error', param: null, code } });

  async function chat(protocol: 'ollama' | 'openai', req: IncomingMessage, res: ServerResponse) {
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch {
      return protocol === 'ollama'
        ? ollamaError(res, 400, 'invalid JSON')
        : openAiError(res, 400, 'invalid JSON', null);
    }
    const rawMessages = Array.isArray(body.messages) ? (body.messages as FakeRequest['messages']) : [];
    const images = rawMessages.reduce((n, m: Record<string, unknown>) => {
      if (Array.isArray(m.images)) return n + m.images.length;
      if (Array.isArray(m.content))
        return (
          n + m.content.filter((p: unknown) => typeof p === 'object' && p !== null && 'image_url' in p).length
        );
      return n;
    }, 0);
    const options = (body.options ?? {}) as Record<string, unknown>;
    const maxTokens = protocol === 'ollama' ? options.num_predict : body.max_tokens;
    const request: FakeRequest = {
      protocol,
      model: typeof body.model === 'string' ? body.model : '',
      messages: rawMessages,
      maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      images,
    };
    const model = models.get(request.model);
    if (!model)
      return protocol === 'ollama'
        ? ollamaError(res, 404, `model "${request.model}" not found, try pulling it first`)
        : openAiError(res, 404, `The model \`${request.model}\` does not exist.`, 'model_not_found');
    if (images > 0 && !model.vision)
      return protocol === 'ollama'
        ? ollamaError(res, 400, `model "${request.model}" does not support image input`)
        : openAiError(res, 400, `model ${request.model} does not support image input`, null);
    const prompt = Math.ceil(promptChars(request) / 4);
    if (model.contextLength !== undefined && prompt > model.contextLength)
      return protocol === 'ollama'
        ? ollamaError(
            res,
            400,
            `input length (${prompt} tokens) exceeds the context length (${model.contextLength})`,
          )
        : openAiError(
            res,
            400,
            `This model's maximum context length is ${model.contextLength} tokens. However, you requested ${prompt} tokens.`,
            'context_length_exceeded',
          );
    const script =
      typeof model.script === 'function'
        ? model.script(request)
        : (model.script ?? { tokens: tokenize(CANNED_ANSWER) });
    const tokens = script.tokens.slice(0, request.maxTokens ?? Infinity);
    const truncated = tokens.length < script.tokens.length;

    let resolveEnded!: (o: FakeOutcome) => void;
    const stream: FakeStream = {
      request,
      tokensSent: 0,
      ended: new Promise((r) => (resolveEnded = r)),
      headers: req.headers,
    };
    streams.push(stream);
    const closed = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) closed.abort();
    });

    const id = `chatcmpl-fake${streams.length}`;
    const created = Math.floor(Date.now() / 1000);
    const now = () => new Date().toISOString();
    const ollamaLine = (o: unknown) => res.write(JSON.stringify(o) + '\n');
    const sse = (o: unknown) => res.write(`data: ${typeof o === 'string' ? o : JSON.stringify(o)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      system_fingerprint: 'fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });

    res.writeHead(200, {
      'content-type': protocol === 'ollama' ? 'application/x-ndjson' : 'text/event-stream',
      ...(protocol === 'openai' ? { 'cache-control': 'no-cache', connection: 'keep-alive' } : {}),
    });
    if (protocol === 'openai') sse(chunk({ role: 'assistant', content: '' }, null));
    try {
      for (let i = 0; i < tokens.length; i++) {
        const delay = i === 0 ? (script.firstTokenDelayMs ?? 0) : (script.tokenDelayMs ?? 0);
        if (delay > 0) await sleep(delay, undefined, { signal: closed.signal });
        if (closed.signal.aborted) throw closed.signal.reason;
        if (script.dropAfter !== undefined && i >= script.dropAfter) {
          res.socket?.destroy();
          return resolveEnded('dropped');
        }
        if (script.errorAfter !== undefined && i >= script.errorAfter) {
          const message = script.errorMessage ?? 'the model runner crashed';
          if (protocol === 'ollama') ollamaLine({ error: message });
          else sse({ error: { message, type: 'server_error', param: null, code: null } });
          res.end();
          return resolveEnded('error');
        }
        const text = tokens[i] ?? '';
        if (protocol === 'ollama')
          ollamaLine({
            model: request.model,
            created_at: now(),
            message: { role: 'assistant', content: text },
            done: false,
          });
        else sse(chunk({ content: text }, null));
        stream.tokensSent += 1;
        if (stream.tokensSent === 1) stream.firstTokenAt = performance.now();
      }
      if (script.dropAfter !== undefined) {
        res.socket?.destroy();
        return resolveEnded('dropped');
      }
      const promptTokens = script.promptTokens ?? prompt;
      const completionTokens = script.completionTokens ?? stream.tokensSent;
      const finish = truncated ? 'length' : 'stop';
      if (protocol === 'ollama')
        ollamaLine({
          model: request.model,
          created_at: now(),
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: finish,
          total_duration: 1_000_000,
          load_duration: 1000,
          prompt_eval_count: promptTokens,
          prompt_eval_duration: 1000,
          eval_count: completionTokens,
          eval_duration: 1000,
        });
      else {
        sse(chunk({}, finish));
        if ((body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true)
          sse({
            id,
            object: 'chat.completion.chunk',
            created,
            model: request.model,
            choices: [],
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens,
              total_tokens: promptTokens + completionTokens,
            },
          });
        sse('[DONE]');
      }
      res.end();
      resolveEnded('completed');
    } catch {
      resolveEnded('client-closed');
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handle = async () => {
      if (
        path.startsWith('/v1/') &&
        options.apiKey &&
        req.headers.authorization !== `Bearer ${options.apiKey}`
      )
        return openAiError(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
      if (req.method === 'POST' && path === '/api/chat') return chat('ollama', req, res);
      if (req.method === 'POST' && path === '/v1/chat/completions') return chat('openai', req, res);
      if (req.method === 'GET' && path === '/api/tags')
        return send(res, 200, {
          models: [...models.values()].map((m) => ({
            name: m.name,
            model: m.name,
            modified_at: new Date(0).toISOString(),
            size: 0,
            digest: 'fake',
            details: { format: 'gguf', family: 'fake', parameter_size: '0B', quantization_level: 'none' },
          })),
        });
      if (req.method === 'POST' && path === '/api/show') {
        const body: Record<string, unknown> = await readJson(req).catch(() => ({}));
        const m = typeof body.model === 'string' ? models.get(body.model) : undefined;
        if (!m) return ollamaError(res, 404, `model '${String(body.model)}' not found`);
        return send(res, 200, {
          capabilities: m.vision ? ['completion', 'vision'] : ['completion'],
          details: {},
        });
      }
      if (req.method === 'GET' && path === '/api/version') return send(res, 200, { version: '0.0.0-fake' });
      if (req.method === 'GET' && path === '/v1/models')
        return send(res, 200, {
          object: 'list',
          data: [...models.values()].map((m) => ({
            id: m.name,
            object: 'model',
            created: 0,
            owned_by: 'fake',
          })),
        });
      if (req.method === 'GET' && path === '/') return send(res, 200, { status: 'Ollama is running (fake)' });
      return send(res, 404, { error: 'not found' });
    };
    handle().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    openAiUrl: `${url}/v1`,
    port,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
