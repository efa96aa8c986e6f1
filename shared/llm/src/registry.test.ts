import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@mana/config';
import { CANNED_ANSWER, startFakeLlmServer, type FakeLlmServer } from './fake/index.ts';
import {
  createLlmRegistry,
  createLlmRegistryFromConfig,
  createOllamaProvider,
  createOpenAiProvider,
  hasProviders,
  llmConfigSpec,
  LlmErrorCode,
  parseModelRef,
} from './index.ts';

let a: FakeLlmServer;
let b: FakeLlmServer;
beforeAll(async () => {
  a = await startFakeLlmServer({ models: [{ name: 'llama3.2:3b', script: { tokens: ['from ', 'a'] } }] });
  b = await startFakeLlmServer({ models: [{ name: 'meta/llama-3', script: { tokens: ['from ', 'b'] } }] });
});
afterAll(async () => {
  await a.close();
  await b.close();
});

async function text(it: AsyncIterable<{ delta: string } | object>): Promise<string> {
  let s = '';
  for await (const c of it) if ('delta' in c) s += c.delta;
  return s;
}

describe('registry', () => {
  it('parses provider/model at the first slash', () => {
    expect(parseModelRef('ollama/llama3.2:3b')).toEqual({ provider: 'ollama', model: 'llama3.2:3b' });
    expect(parseModelRef('router/meta/llama-3')).toEqual({ provider: 'router', model: 'meta/llama-3' });
    expect(parseModelRef('llama')).toBeUndefined();
    expect(parseModelRef('/x')).toBeUndefined();
  });

  it('routes provider/model to the right provider and lists every model', async () => {
    const llm = createLlmRegistry({
      providers: [
        createOllamaProvider({ baseUrl: a.url }),
        createOpenAiProvider({ name: 'router', baseUrl: b.openAiUrl }),
      ],
    });
    expect(await text(llm.chat({ model: 'ollama/llama3.2:3b', messages: [], maxTokens: 9 }))).toBe('from a');
    expect(await text(llm.chat({ model: 'router/meta/llama-3', messages: [], maxTokens: 9 }))).toBe('from b');
    expect(b.streams.at(-1)!.request.model).toBe('meta/llama-3');
    expect((await llm.models()).map((m) => m.id)).toEqual(['ollama/llama3.2:3b', 'router/meta/llama-3']);
    for (const bad of ['nope/x', 'plain'])
      await expect(text(llm.chat({ model: bad, messages: [], maxTokens: 9 }))).rejects.toMatchObject({
        code: LlmErrorCode.UnknownModel,
      });
  });

  it('status shows a provider that is down next to the ones that are up', async () => {
    const gone = await startFakeLlmServer();
    await gone.close();
    const llm = createLlmRegistry({
      providers: [
        createOllamaProvider({ baseUrl: a.url }),
        createOllamaProvider({ name: 'gone', baseUrl: gone.url }),
      ],
    });
    const status = await llm.status();
    expect(status.map((s) => [s.provider, s.up, s.code])).toEqual([
      ['ollama', true, undefined],
      ['gone', false, LlmErrorCode.ProviderDown],
    ]);
    expect((await llm.models()).map((m) => m.id)).toEqual(['ollama/llama3.2:3b']);
  });

  it('refuses two providers of one name', () => {
    expect(() =>
      createLlmRegistry({
        providers: [createOllamaProvider({ baseUrl: a.url }), createOllamaProvider({ baseUrl: b.url })],
      }),
    ).toThrow(/two providers/);
  });
});

describe('config', () => {
  it('builds the providers from OLLAMA_URL, LLM_BASE_URL + key and LLM_PROVIDERS', async () => {
    const config = loadConfig(llmConfigSpec, {
      OLLAMA_URL: a.url,
      LLM_BASE_URL: b.openAiUrl,
      LLM_API_KEY: 'sk-1',
      LLM_PROVIDER_NAME: 'vllm',
      LLM_PROVIDERS: JSON.stringify([{ name: 'second', protocol: 'ollama', baseUrl: a.url }]),
      LLM_DEFAULT_MODEL: 'ollama/llama3.2:3b',
    });
    const llm = createLlmRegistryFromConfig(config);
    expect(llm.providers.map((p) => [p.name, p.protocol])).toEqual([
      ['ollama', 'ollama'],
      ['vllm', 'openai'],
      ['second', 'ollama'],
    ]);
    expect(llm.defaultModel).toBe('ollama/llama3.2:3b');
    expect(await text(llm.chat({ model: 'vllm/meta/llama-3', messages: [], maxTokens: 9 }))).toBe('from b');
    expect(b.streams.at(-1)!.headers.authorization).toBe('Bearer sk-1');
  });

  it('nothing configured is no providers; bad values name their variable', () => {
    expect(hasProviders(loadConfig(llmConfigSpec, {}))).toBe(false);
    expect(() => loadConfig(llmConfigSpec, { LLM_BASE_URL: 'not a url' })).toThrow(/LLM_BASE_URL/);
    expect(() => loadConfig(llmConfigSpec, { LLM_PROVIDERS: '[{"name":"x"}]' })).toThrow(/LLM_PROVIDERS/);
    expect(llmConfigSpec.vars.apiKey.secret).toBe(true);
  });
});

describe('the built-in fake of npm start', () => {
  it('says that it is the fake, streamed token by token', async () => {
    const fake = await startFakeLlmServer();
    try {
      const llm = createOllamaProvider({ baseUrl: fake.url });
      const chunks: unknown[] = [];
      for await (const c of llm.chat({
        model: 'fake',
        messages: [{ role: 'user', content: 'Hallo?' }],
        maxTokens: 500,
      }))
        chunks.push(c);
      expect(chunks.length).toBeGreaterThan(10);
      const s = await text(
        (async function* () {
          yield* chunks as { delta: string }[];
        })(),
      );
      expect(s).toContain(CANNED_ANSWER);
      expect(s).toContain('Hallo?');
    } finally {
      await fake.close();
    }
  });
});
