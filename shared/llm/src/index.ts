/**
 * LLM providers behind one streaming interface: Ollama and OpenAI-compatible wire protocols, a
 * registry of several providers (`provider/model`), their config, typed errors. The fake server of
 * both protocols is in `@mana/llm/fake`.
 *
 * @example
 * import { createLlmRegistryFromConfig, llmConfigSpec } from '@mana/llm';
 * const llm = createLlmRegistryFromConfig(loadConfig(llmConfigSpec));
 * for await (const c of llm.chat({ model: 'ollama/llama3.2', messages, maxTokens: 512, signal }))
 *   if ('delta' in c) show(c.delta); else charge(c.usage);
 */
export { codeFromMessage, isLlmError, LlmError, LlmErrorCode, type LlmErrorDetails } from './errors.ts';
export {
  isDelta,
  type ChatChunk,
  type ChatImage,
  type ChatMessage,
  type ChatRequest,
  type ChatRole,
  type FinishReason,
  type LlmProvider,
  type ModelInfo,
  type Usage,
} from './types.ts';
export { estimatePromptTokens, estimateTokens, type FetchLike } from './stream.ts';
export { createOllamaProvider, type OllamaProviderOptions } from './ollama.ts';
export { createOpenAiProvider, matchesModel, type OpenAiProviderOptions } from './openai.ts';
export {
  createLlmRegistry,
  parseModelRef,
  type LlmRegistry,
  type LlmRegistryOptions,
  type ModelRef,
  type ProviderStatus,
} from './registry.ts';
export {
  createLlmRegistryFromConfig,
  hasProviders,
  llmConfigSpec,
  providerEntries,
  providerEntrySchema,
  type LlmConfig,
  type ProviderEntry,
} from './config.ts';
