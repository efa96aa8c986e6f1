import { describe, expect, it } from 'vitest';
import {
  CREDIT_OPERATIONS,
  formatCredits,
  getCreditCost,
  getOperation,
  isOperation,
  LLM_TOKEN_PRICES,
  OPERATION_IDS,
  UnknownOperationError,
} from './index.ts';

describe('catalogue', () => {
  it('prices every operation as a non-negative integer of milli-credits, described in en and de', () => {
    expect(OPERATION_IDS.length).toBeGreaterThanOrEqual(8);
    for (const op of OPERATION_IDS) {
      const entry = CREDIT_OPERATIONS[op];
      expect(Number.isSafeInteger(entry.cost) && entry.cost >= 0, op).toBe(true);
      expect(entry.description.en.length, op).toBeGreaterThan(0);
      expect(entry.description.de.length, op).toBeGreaterThan(0);
      expect(op).toMatch(/^[a-z][a-z0-9_]*$/);
    }
    for (const op of [
      'ai_chat_ollama',
      'ai_chat_remote',
      'tts_synthesis',
      'stt_transcription',
      'task_create',
      'ai_task_breakdown',
      'calendar_event_create',
      'zitare_quote',
    ])
      expect(isOperation(op), op).toBe(true);
  });

  it('getCreditCost throws on an unknown operation instead of returning 0', () => {
    expect(getCreditCost('ai_chat_ollama')).toBe(100);
    expect(getCreditCost('task_create')).toBe(0);
    for (const bad of ['nope', '', 'toString', '__proto__', 'constructor', 'AI_CHAT_OLLAMA']) {
      expect(() => getCreditCost(bad), bad).toThrow(UnknownOperationError);
      expect(isOperation(bad), bad).toBe(false);
    }
    try {
      getOperation('nope');
    } catch (e) {
      expect(e).toMatchObject({ code: 'CREDITS_UNKNOWN_OPERATION', operation: 'nope' });
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(CREDIT_OPERATIONS)).toBe(true);
    expect(() => {
      (CREDIT_OPERATIONS as Record<string, unknown>).free_lunch = { cost: 0 };
    }).toThrow(TypeError);
  });

  it('formats milli-credits exactly', () => {
    expect(formatCredits(0)).toBe('0');
    expect(formatCredits(20)).toBe('0.02');
    expect(formatCredits(1)).toBe('0.001');
    expect(formatCredits(1000)).toBe('1');
    expect(formatCredits(12_500)).toBe('12.5');
    expect(formatCredits(1_234_567)).toBe('1,234.567');
    expect(formatCredits(-250)).toBe('-0.25');
    expect(formatCredits(1_234_500, 'de')).toBe('1.234,5');
    expect(() => formatCredits(0.5)).toThrow(RangeError);
  });

  it('prices LLM tokens per 1k by model class, booked as a catalogue operation, frozen', () => {
    expect(Object.keys(LLM_TOKEN_PRICES).sort()).toEqual(['hosted_large', 'hosted_small', 'local']);
    for (const [cls, p] of Object.entries(LLM_TOKEN_PRICES)) {
      expect(isOperation(p.operation), cls).toBe(true);
      expect(CREDIT_OPERATIONS[p.operation].category, cls).toBe('ai');
      for (const price of [p.promptPer1k, p.completionPer1k])
        expect(Number.isSafeInteger(price) && price > 0, cls).toBe(true);
      // Generating costs at least as much as reading.
      expect(p.completionPer1k, cls).toBeGreaterThanOrEqual(p.promptPer1k);
      expect(Object.isFrozen(p), cls).toBe(true);
    }
    expect(Object.isFrozen(LLM_TOKEN_PRICES)).toBe(true);
    expect(LLM_TOKEN_PRICES.local.completionPer1k).toBeLessThan(
      LLM_TOKEN_PRICES.hosted_small.completionPer1k,
    );
    expect(LLM_TOKEN_PRICES.hosted_small.completionPer1k).toBeLessThan(
      LLM_TOKEN_PRICES.hosted_large.completionPer1k,
    );
    // The flat hold of ai_chat_remote still covers a 500-token answer of a large model.
    const { completionPer1k } = LLM_TOKEN_PRICES.hosted_large;
    expect((500 * completionPer1k) / 1000).toBeLessThanOrEqual(CREDIT_OPERATIONS.ai_chat_remote.cost);
  });
});
