/** The ollama bot (LLM chat). See README.md for its commands and configuration. */
import { loadConfig } from '@mana/config';
import { createLlmRegistryFromConfig, llmConfigSpec } from '@mana/llm';
import { createOllamaBot } from './bot.ts';
import { ollamaBotConfigSpec } from './config.ts';

export { createOllamaBot, type OllamaBotDeps } from './bot.ts';
export { ollamaBotConfigSpec, type OllamaBotConfig } from './config.ts';
export { renderMarkdown } from './markdown.ts';

/** The bot as the runner hosts it: providers (`LLM_*`) and settings (`OLLAMA_BOT_*`) from the environment. */
export const ollamaBot = createOllamaBot(() => ({
  llm: createLlmRegistryFromConfig(loadConfig(llmConfigSpec)),
  config: loadConfig(ollamaBotConfigSpec),
}));
