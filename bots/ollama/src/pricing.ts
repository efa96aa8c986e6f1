/**
 * What an answer costs: the model's class (local Ollama, small or large hosted) picks the catalogue
 * operation (whose cost is the hold) and the per-token prices. The hold bounds the answer: `max_tokens`
 * is what the hold still pays for after the prompt, so the metered commit never exceeds the hold.
 */
import { getCreditCost, LLM_TOKEN_PRICES, type LlmModelClass, type LlmTokenPrice } from '@mana/credits';
import { matchesModel, type LlmRegistry, type Usage } from '@mana/llm';

export function modelClass(
  llm: Pick<LlmRegistry, 'provider'>,
  model: string,
  largeModels: readonly string[],
): LlmModelClass {
  const provider = llm.provider(model.split('/')[0] ?? '');
  if (provider?.protocol === 'ollama') return 'local';
  return matchesModel(largeModels, model) ? 'hosted_large' : 'hosted_small';
}

export function priceOf(cls: LlmModelClass): Readonly<LlmTokenPrice> {
  return LLM_TOKEN_PRICES[cls];
}

/** Milli-credits for the tokens used, rounded up. */
export function meteredCost(usage: Usage, price: Readonly<LlmTokenPrice>): number {
  return Math.ceil(
    (usage.promptTokens * price.promptPer1k + usage.completionTokens * price.completionPer1k) / 1000,
  );
}

/**
 * The most tokens an answer may generate: the configured maximum, or fewer when the hold (the
 * operation's cost) pays for fewer after the prompt. 0 when the prompt alone costs the whole hold.
 */
export function affordableTokens(
  promptTokens: number,
  price: Readonly<LlmTokenPrice>,
  maxTokens: number,
): number {
  const hold = getCreditCost(price.operation);
  const left = hold * 1000 - promptTokens * price.promptPer1k;
  return Math.max(0, Math.min(maxTokens, Math.floor(left / price.completionPer1k)));
}
