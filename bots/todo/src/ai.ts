/**
 * `zerlegen` / `breakdown` with an LLM through `@mana/llm`'s provider interface: the task's title in,
 * one subtask per line out. The providers are the deployment's (`LLM_*`, read once on first use);
 * without one the command says so and charges nothing.
 */
import { loadConfig } from '@mana/config';
import {
  createLlmRegistryFromConfig,
  hasProviders,
  llmConfigSpec,
  type LlmProvider,
  type LlmRegistry,
} from '@mana/llm';

/** The providers, or undefined when none is configured. */
export type LlmSource = () => Pick<LlmRegistry, 'defaultModel' | 'models' | 'chat'> | undefined;

let fromEnv: { llm: LlmRegistry | undefined } | undefined;
export const llmFromEnv: LlmSource = () => {
  if (!fromEnv) {
    const config = loadConfig(llmConfigSpec);
    fromEnv = { llm: hasProviders(config) ? createLlmRegistryFromConfig(config) : undefined };
  }
  return fromEnv.llm;
};

const PROMPT =
  'Split the task the user sends into 2 to 8 short, concrete subtasks, in the language of the task. Reply with one subtask per line and nothing else: no numbering, no bullets, no introduction.';

/** The model's lines as subtasks: bullets and numbers stripped, empty and overlong lines dropped. */
export function parseSteps(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/\*\*/g, '')
        .replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '')
        .trim(),
    )
    .filter((l) => l.length > 0 && l.length <= 200)
    .slice(0, 8);
}

export async function aiSteps(
  llm: NonNullable<ReturnType<LlmSource>>,
  title: string,
  signal: AbortSignal,
): Promise<string[]> {
  const model = llm.defaultModel ?? (await llm.models({ signal }))[0]?.id;
  if (!model) return [];
  let text = '';
  const chat: LlmProvider['chat'] = (r) => llm.chat(r);
  for await (const c of chat({
    model,
    messages: [
      { role: 'system', content: PROMPT },
      { role: 'user', content: title },
    ],
    maxTokens: 256,
    signal,
  }))
    if ('delta' in c) text += c.delta;
  return parseSteps(text);
}
