/**
 * The ollama bot's own settings (prefix `OLLAMA_BOT_`); the providers themselves are `LLM_*`
 * (`@mana/llm`'s `llmConfigSpec`: OLLAMA_URL, LLM_BASE_URL, LLM_API_KEY …).
 */
import { defineConfig, type ConfigOf } from '@mana/config';
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const ollamaBotConfigSpec = defineConfig('OLLAMA_BOT_', {
  maxTokens: {
    schema: int(16),
    default: '1024',
    doc: 'Most tokens one answer may generate (also bounded by what the credits hold pays for)',
  },
  memoryTokens: {
    schema: int(0),
    default: '3000',
    doc: 'Token budget of the conversation memory sent with each question (the newest turns that fit)',
  },
  maxConcurrentPerUser: {
    schema: int(1),
    default: '2',
    doc: 'Answers one user may have streaming at once; more wait in a queue (and are told their place)',
  },
  maxQueuedPerUser: {
    schema: int(0),
    default: '20',
    doc: 'Questions one user may have waiting; beyond that they are refused',
  },
  editIntervalMs: {
    schema: int(100),
    default: '1000',
    doc: 'At most one edit of a growing answer per this many ms',
  },
  largeModels: {
    schema: list,
    default: '',
    doc: 'provider/model names (* as wildcard) priced as large hosted models; other non-Ollama ones are small hosted',
  },
});

export type OllamaBotConfig = ConfigOf<typeof ollamaBotConfigSpec>;
