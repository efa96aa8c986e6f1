// Both wire clients against the fake server over real HTTP, one suite run once per protocol.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, tokenize, type FakeLlmServer } from './fake/index.ts';
import {
  createOllamaProvider,
  createOpenAiProvider,
  LlmError,
  LlmErrorCode,
  type ChatChunk,
  type ChatRequest,
  type LlmProvider,
} from './index.ts';

const words = tokenize('The quick brown fox jumps over the lazy dog.');
const many = Array.from({ length: 200 }, (_, i) => `t${i} `);
let fake: FakeLlmServer;

beforeAll(async () => {
  fake = await startFakeLlmServer({
    apiKey: 'sk-test',
    models: [
      { name: 'plain', script: { tokens: words, promptTokens: 11, completionTokens: 9 } },
      { name: 'long', script: { tokens: many, tokenDelayMs: 20 } },
      { name: 'slow', script: { tokens: words, firstTokenDelayMs: 2000 } },
      { name: 'broken', script: { tokens: words, errorAfter: 3, errorMessage: 'CUDA out of memory' } },
      { name: 'dropping', script: { tokens: words, dropAfter: 3, tokenDelayMs: 5 } },
      { name: 'tiny', contextLength: 5, script: { tokens: words } },
      { name: 'eyes', vision: true, script: (r) => ({ tokens: [`${r.images} image(s)`] }) },
    ],
  });
});
afterAll(() => fake.close());

const msg = (content: string) => [{ role: 'user' as const, content }];

async function collect(p: LlmProvider, req: ChatRequest) {
  const chunks: ChatChunk[] = [];
  let error: unknown;
  try {
    for await (const c of p.chat(req)) chunks.push(c);
  } catch (e) {
    error = e;
  }
  const text = chunks.flatMap((c) => ('delta' in c ? [c.delta] : [])).join('');
  return { chunks, text, error };
}

const protocols: [string, () => LlmProvider][] = [
  ['ollama', () => createOllamaProvider({ baseUrl: fake.url, firstTokenTimeoutMs: 300 })],
  [
    'openai',
    () => createOpenAiProvider({ baseUrl: fake.openAiUrl, apiKey: 'sk-test', firstTokenTimeoutMs: 300 }),
  ],
];

describe.each(protocols)('%s client', (protocol, make) => {
  it('streams the deltas in order, then usage once at the end', async () => {
    const { chunks, text, error } = await collect(make(), {
      model: 'plain',
      messages: msg('hi'),
      maxTokens: 100,
    });
    expect(error).toBeUndefined();
    expect(chunks.slice(0, -1)).toEqual(words.map((delta) => ({ delta })));
    expect(chunks.at(-1)).toEqual({
      done: true,
      usage: { promptTokens: 11, completionTokens: 9 },
      finishReason: 'stop',
    });
    expect(text).toBe(words.join(''));
    const s = fake.streams.at(-1)!;
    expect(s.request).toMatchObject({ protocol, model: 'plain', maxTokens: 100 });
    expect(await s.ended).toBe('completed');
  });

  it('passes maxTokens upstream and reports a length finish', async () => {
    const { chunks } = await collect(make(), { model: 'plain', messages: msg('hi'), maxTokens: 2 });
    expect(chunks).toHaveLength(3);
    expect(chunks.at(-1)).toMatchObject({ done: true, finishReason: 'length' });
  });

  it('cancellation closes the upstream connection and the fake stops generating', async () => {
    const ctrl = new AbortController();
    const got: string[] = [];
    let error: unknown;
    try {
      for await (const c of make().chat({
        model: 'long',
        messages: msg('go'),
        maxTokens: 1000,
        signal: ctrl.signal,
      })) {
        if ('delta' in c) got.push(c.delta);
        if (got.length === 3) ctrl.abort(new Error('user pressed stop'));
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: LlmErrorCode.Aborted, received: got.join('') });
    expect((error as LlmError).usage?.completionTokens).toBe(3);
    const s = fake.streams.at(-1)!;
    expect(await s.ended).toBe('client-closed');
    const sent = s.tokensSent;
    await sleep(100);
    expect(s.tokensSent).toBe(sent);
    expect(sent).toBeLessThan(20);
  });

  it('leaving the loop early closes the connection too', async () => {
    for await (const c of make().chat({ model: 'long', messages: msg('go'), maxTokens: 1000 }))
      if ('delta' in c) break;
    expect(await fake.streams.at(-1)!.ended).toBe('client-closed');
  });

  it('gives up on a slow first token and closes the connection', async () => {
    const started = Date.now();
    const { error, chunks } = await collect(make(), { model: 'slow', messages: msg('hi'), maxTokens: 100 });
    expect(error).toMatchObject({ code: LlmErrorCode.FirstTokenTimeout });
    expect(chunks).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await fake.streams.at(-1)!.ended).toBe('client-closed');
  });

  it('a mid-stream error keeps what arrived', async () => {
    const { error, text } = await collect(make(), { model: 'broken', messages: msg('hi'), maxTokens: 100 });
    expect(text).toBe(words.slice(0, 3).join(''));
    expect(error).toMatchObject({ code: LlmErrorCode.MidStream, received: text });
    expect((error as Error).message).toContain('CUDA out of memory');
  });

  it('a dropped connection is its own error, with what arrived', async () => {
    const { error, text } = await collect(make(), { model: 'dropping', messages: msg('hi'), maxTokens: 100 });
    expect(text).toBe(words.slice(0, 3).join(''));
    expect(error).toMatchObject({ code: LlmErrorCode.ConnectionDropped, received: text });
  });

  it('an unknown model, a prompt over the context, images for a blind model', async () => {
    const p = make();
    expect((await collect(p, { model: 'nope', messages: msg('hi'), maxTokens: 9 })).error).toMatchObject({
      code: LlmErrorCode.UnknownModel,
      status: 404,
    });
    expect(
      (await collect(p, { model: 'tiny', messages: msg('x'.repeat(100)), maxTokens: 9 })).error,
    ).toMatchObject({
      code: LlmErrorCode.ContextTooLong,
    });
    const image = { data: new Uint8Array([1, 2, 3]), mimeType: 'image/png' };
    expect(
      (await collect(p, { model: 'plain', messages: msg('see'), maxTokens: 9, images: [image] })).error,
    ).toMatchObject({
      code: LlmErrorCode.NoVision,
    });
    expect(
      (await collect(p, { model: 'eyes', messages: msg('see'), maxTokens: 9, images: [image, image] })).text,
    ).toBe('2 image(s)');
  });

  it('lists the models as provider/model', async () => {
    const models = await make().models();
    expect(models.map((m) => m.id)).toContain(`${protocol}/plain`);
  });

  it('a provider that is not there is down, not a crash', async () => {
    const closed = await startFakeLlmServer();
    await closed.close();
    const p =
      protocol === 'ollama'
        ? createOllamaProvider({ baseUrl: closed.url })
        : createOpenAiProvider({ baseUrl: closed.openAiUrl });
    expect((await collect(p, { model: 'fake', messages: msg('hi'), maxTokens: 9 })).error).toMatchObject({
      code: LlmErrorCode.ProviderDown,
    });
    await expect(p.models()).rejects.toMatchObject({ code: LlmErrorCode.ProviderDown });
  });
});

describe('openai client', () => {
  it('sends the API key; a wrong one is an upstream 401', async () => {
    await collect(protocols[1]![1](), { model: 'plain', messages: msg('hi'), maxTokens: 9 });
    expect(fake.streams.at(-1)!.headers.authorization).toBe('Bearer sk-test');
    const bad = createOpenAiProvider({ baseUrl: fake.openAiUrl, apiKey: 'wrong' });
    expect((await collect(bad, { model: 'plain', messages: msg('hi'), maxTokens: 9 })).error).toMatchObject({
      code: LlmErrorCode.Upstream,
      status: 401,
    });
  });
});
