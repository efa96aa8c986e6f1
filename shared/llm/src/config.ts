/**
 * The deployment's providers, as data (the `@mana/config` way): `OLLAMA_URL` adds an Ollama provider
 * named `ollama`, `LLM_BASE_URL` (+ `LLM_API_KEY`) an OpenAI-compatible one named `LLM_PROVIDER_NAME`,
 * and `LLM_PROVIDERS` any number more as JSON. Whoever hosts the LLM users (the bot runner) loads this
 * once at start-up.
 *
 * @example
 * const llm = createLlmRegistryFromConfig(loadConfig(llmConfigSpec));
 */
import { defineConfig, type ConfigOf } from '@mana/config';
import { z } from 'zod';
import { createOllamaProvider } from './ollama.ts';
import { createOpenAiProvider } from './openai.ts';
import { createLlmRegistry, parseModelRef, type LlmRegistry } from './registry.ts';
import type { FetchLike } from './stream.ts';
import type { LlmProvider } from './types.ts';

const providerName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only');
const optionalUrl = z.union([z.literal(''), z.url()]).transform((v) => (v === '' ? undefined : v));
const ms = z.coerce.number().int().min(0);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const providerEntrySchema = z.strictObject({
  name: providerName,
  protocol: z.enum(['ollama', 'openai']),
  baseUrl: z.url(),
  apiKey: z.string().optional(),
});
export type ProviderEntry = z.infer<typeof providerEntrySchema>;

const providersJson = z.string().transform((s, ctx) => {
  if (s.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {name, protocol, baseUrl, apiKey?}' });
    return z.NEVER;
  }
  const parsed = z.array(providerEntrySchema).safeParse(json);
  if (!parsed.success) {
    ctx.addIssue({
      code: 'custom',
      message: parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; '),
    });
    return z.NEVER;
  }
  return parsed.data;
});

export const llmConfigSpec = defineConfig('LLM_', {
  ollamaUrl: {
    schema: optionalUrl,
    default: '',
    fallback: ['OLLAMA_URL'],
    example: 'http://127.0.0.1:11434',
    doc: 'Base URL of an Ollama server, provider "ollama" (falls back to OLLAMA_URL); empty = none',
  },
  baseUrl: {
    schema: optionalUrl,
    default: '',
    example: 'http://127.0.0.1:8000/v1',
    doc: 'Base URL, with /v1, of an OpenAI-compatible API (vLLM, llama.cpp, LocalAI, OpenRouter…); empty = none',
  },
  apiKey: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: 'API key for LLM_BASE_URL (sent as Bearer); empty = none',
  },
  providerName: {
    schema: providerName,
    default: 'openai',
    doc: 'Name of the LLM_BASE_URL provider, the prefix of its models (openai/gpt-4o-mini)',
  },
  providers: {
    schema: providersJson,
    default: '',
    secret: true,
    doc: 'More providers as JSON: [{"name":"openrouter","protocol":"openai","baseUrl":"…/v1","apiKey":"…"}]',
  },
  defaultModel: {
    schema: z.union([z.literal(''), z.string().regex(/^[^/]+\/.+$/, 'must be provider/model')]),
    default: '',
    doc: 'Model (provider/model) for users who chose none; empty = the first one listed',
  },
  visionModels: {
    schema: list,
    default: '',
    doc: 'Comma-separated provider/model names (* as wildcard) that take images; empty = ask Ollama, let others refuse',
  },
  firstTokenTimeoutMs: {
    schema: ms,
    default: '60000',
    doc: 'How long to wait for the first token before giving up (0 = forever)',
  },
  stallTimeoutMs: {
    schema: ms,
    default: '60000',
    doc: 'Longest silence between two tokens of a streaming answer (0 = forever)',
  },
});

export type LlmConfig = ConfigOf<typeof llmConfigSpec>;

/** Every provider the configuration names, in order: Ollama, LLM_BASE_URL, then LLM_PROVIDERS. */
export function providerEntries(config: LlmConfig): ProviderEntry[] {
  return [
    ...(config.ollamaUrl ? [{ name: 'ollama', protocol: 'ollama' as const, baseUrl: config.ollamaUrl }] : []),
    ...(config.baseUrl
      ? [
          {
            name: config.providerName,
            protocol: 'openai' as const,
            baseUrl: config.baseUrl,
            ...(config.apiKey ? { apiKey: config.apiKey } : {}),
          },
        ]
      : []),
    ...config.providers,
  ];
}

/** True when at least one real provider is configured (else `npm start` runs the fake). */
export function hasProviders(config: LlmConfig): boolean {
  return providerEntries(config).length > 0;
}

export function createLlmRegistryFromConfig(
  config: LlmConfig,
  options: { fetch?: FetchLike } = {},
): LlmRegistry {
  const timeouts = { firstTokenTimeoutMs: config.firstTokenTimeoutMs, stallTimeoutMs: config.stallTimeoutMs };
  const extra = options.fetch ? { fetch: options.fetch } : {};
  const providers = providerEntries(config).map((e): LlmProvider => {
    if (e.protocol === 'ollama')
      return createOllamaProvider({ name: e.name, baseUrl: e.baseUrl, ...timeouts, ...extra });
    const vision = config.visionModels.flatMap((id) => {
      const ref = parseModelRef(id);
      return ref && ref.provider === e.name ? [ref.model] : [];
    });
    return createOpenAiProvider({
      name: e.name,
      baseUrl: e.baseUrl,
      apiKey: e.apiKey,
      ...(config.visionModels.length > 0 ? { visionModels: vision } : {}),
      ...timeouts,
      ...extra,
    });
  });
  return createLlmRegistry({ providers, defaultModel: config.defaultModel || undefined });
}
