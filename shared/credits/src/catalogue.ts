/**
 * The one price list of the platform. Bots, the web app and the ledger all read costs from here, so a
 * price changes in one place. Costs are integers in milli-credits (1 credit = 1000), so 0.02 credits is
 * `20` and nothing ever rounds.
 */

import type { Lang, Text } from '@mana/i18n';

/** What an operation is, for grouping in the UI and in reports. */
export type CreditCategory = 'ai' | 'speech' | 'productivity' | 'content';

export interface CreditOperation {
  /** Milli-credits held on reserve and charged on commit (a metered commit may charge less). */
  cost: number;
  category: CreditCategory;
  description: Text;
}

/** Milli-credits per credit. */
export const MILLI_PER_CREDIT = 1000;

const catalogue = {
  ai_chat_ollama: {
    cost: 100,
    category: 'ai',
    description: {
      en: 'AI chat reply from the local model (Ollama)',
      de: 'KI-Chat-Antwort vom lokalen Modell (Ollama)',
    },
  },
  ai_chat_remote: {
    cost: 2000,
    category: 'ai',
    description: {
      en: 'AI chat reply from a hosted model (charged by use, up to this amount)',
      de: 'KI-Chat-Antwort von einem gehosteten Modell (nach Verbrauch, höchstens dieser Betrag)',
    },
  },
  ai_task_breakdown: {
    cost: 500,
    category: 'ai',
    description: {
      en: 'Break a task into subtasks with AI',
      de: 'Aufgabe mit KI in Teilaufgaben zerlegen',
    },
  },
  ai_summary: {
    cost: 300,
    category: 'ai',
    description: {
      en: 'AI summary of a conversation or text',
      de: 'KI-Zusammenfassung eines Gesprächs oder Textes',
    },
  },
  tts_synthesis: {
    cost: 250,
    category: 'speech',
    description: { en: 'Text to speech (one message)', de: 'Sprachausgabe (eine Nachricht)' },
  },
  stt_transcription: {
    cost: 100,
    category: 'speech',
    description: { en: 'Speech to text (one voice message)', de: 'Spracherkennung (eine Sprachnachricht)' },
  },
  task_create: {
    cost: 0,
    category: 'productivity',
    description: { en: 'Create a task', de: 'Aufgabe anlegen' },
  },
  calendar_event_create: {
    cost: 0,
    category: 'productivity',
    description: { en: 'Create a calendar event', de: 'Kalendertermin anlegen' },
  },
  clock_alarm_create: {
    cost: 0,
    category: 'productivity',
    description: { en: 'Set an alarm or timer', de: 'Wecker oder Timer stellen' },
  },
  zitare_quote: {
    cost: 10,
    category: 'content',
    description: { en: 'Quote of the day', de: 'Zitat des Tages' },
  },
} as const satisfies Record<string, CreditOperation>;

export type OperationId = keyof typeof catalogue;

/** Every operation, frozen so nobody changes a price at run time. */
export const CREDIT_OPERATIONS: Readonly<Record<OperationId, Readonly<CreditOperation>>> =
  Object.freeze(catalogue);

export const OPERATION_IDS = Object.freeze(Object.keys(catalogue) as OperationId[]);

/**
 * Classes of LLM models and their operation. Which class a model is in is the deployment's choice
 * (a local Ollama model is `local`, a hosted one `hosted_small` or `hosted_large`).
 */
export type LlmModelClass = 'local' | 'hosted_small' | 'hosted_large';

export interface LlmTokenPrice {
  /** The catalogue operation an answer of this class is booked as. */
  operation: OperationId;
  /** Milli-credits per 1000 prompt tokens. */
  promptPer1k: number;
  /** Milli-credits per 1000 generated tokens. */
  completionPer1k: number;
}

/**
 * Per-1k-token prices of LLM answers. The hold is what `max_tokens` (plus the prompt) could cost at
 * these prices, the commit the metered amount from the provider's token counts, rounded up to whole
 * milli-credits.
 *
 * @example
 * const p = LLM_TOKEN_PRICES.local;
 * Math.ceil((usage.promptTokens * p.promptPer1k + usage.completionTokens * p.completionPer1k) / 1000)
 */
export const LLM_TOKEN_PRICES: Readonly<Record<LlmModelClass, Readonly<LlmTokenPrice>>> = Object.freeze({
  local: Object.freeze({ operation: 'ai_chat_ollama', promptPer1k: 20, completionPer1k: 100 }),
  hosted_small: Object.freeze({ operation: 'ai_chat_remote', promptPer1k: 100, completionPer1k: 400 }),
  hosted_large: Object.freeze({ operation: 'ai_chat_remote', promptPer1k: 1000, completionPer1k: 4000 }),
});

/** Narrowing guard; `Object.hasOwn` so `toString` or `__proto__` never count as operations. */
export function isOperation(op: unknown): op is OperationId {
  return typeof op === 'string' && Object.hasOwn(catalogue, op);
}

/** Thrown for an operation id the catalogue does not know; never a silent zero cost. */
export class UnknownOperationError extends Error {
  readonly code = 'CREDITS_UNKNOWN_OPERATION';
  readonly operation: string;
  constructor(operation: string) {
    super(`Unknown credit operation: ${JSON.stringify(operation)}`);
    this.name = 'UnknownOperationError';
    this.operation = operation;
  }
}

/**
 * The catalogue entry of an operation.
 *
 * @example
 * getOperation('tts_synthesis').description.de // 'Sprachausgabe (eine Nachricht)'
 */
export function getOperation(op: string): Readonly<CreditOperation> {
  if (!isOperation(op)) throw new UnknownOperationError(op);
  return CREDIT_OPERATIONS[op];
}

/**
 * Cost of an operation in milli-credits; throws `UnknownOperationError` for an unknown id.
 *
 * @example
 * getCreditCost('ai_chat_ollama') // 100 (= 0.1 credits)
 */
export function getCreditCost(op: string): number {
  return getOperation(op).cost;
}

/**
 * Milli-credits for people: up to three decimals, trailing zeros dropped, locale-aware separators.
 *
 * @example
 * formatCredits(20)         // '0.02'
 * formatCredits(12_500)     // '12.5'
 * formatCredits(1_234_000, 'de') // '1.234'
 */
export function formatCredits(milli: number, locale: Lang = 'en'): string {
  if (!Number.isSafeInteger(milli))
    throw new RangeError(`milli-credits must be a safe integer, got ${milli}`);
  // Integer arithmetic for the split, so 0.1 + 0.2 style float noise can never show up.
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  const whole = Math.floor(abs / MILLI_PER_CREDIT);
  const frac = abs % MILLI_PER_CREDIT;
  const wholeText = new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-US', {
    maximumFractionDigits: 0,
  }).format(whole);
  const sep = locale === 'de' ? ',' : '.';
  const fracText = frac === 0 ? '' : sep + String(frac).padStart(3, '0').replace(/0+$/, '');
  return sign + wholeText + fracText;
}

/**
 * Credits as people type them (`2`, `2.5`, `2,5`, `0.001`) → milli-credits; undefined for anything
 * else: negative, more than three decimals (finer than a milli-credit), not a number, too large.
 *
 * @example
 * parseCredits('2,5') // 2500
 * parseCredits('0.0001') // undefined
 */
export function parseCredits(text: string): number | undefined {
  const m = /^(\d{1,9})(?:[.,](\d{1,3}))?$/.exec(text.trim());
  if (!m) return undefined;
  const milli = Number(m[1]) * MILLI_PER_CREDIT + Number((m[2] ?? '').padEnd(3, '0'));
  return Number.isSafeInteger(milli) ? milli : undefined;
}
