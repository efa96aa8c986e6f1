import { LLM_TOKEN_PRICES } from '@mana/credits';
import { describe, expect, it } from 'vitest';
import { createUserLimiter, QueueFullError } from './limiter.ts';
import { renderMarkdown } from './markdown.ts';
import { conversationId, turnIds, withinBudget, type Turn } from './memory.ts';
import { findModel, isFileName, isGarbage } from './parse.ts';
import { affordableTokens, meteredCost } from './pricing.ts';

describe('limiter', () => {
  it('runs max per user, queues the rest in order with their place, frees on release and on abort', async () => {
    const l = createUserLimiter({ max: 1, maxQueued: 2 });
    const signal = new AbortController().signal;
    const first = await l.acquire('a', { signal });
    const places: number[] = [];
    const second = l.acquire('a', { signal, onQueued: (p) => places.push(p) });
    const leaving = new AbortController();
    const third = l.acquire('a', { signal: leaving.signal, onQueued: (p) => places.push(p) });
    expect(places).toEqual([1, 2]);
    await expect(l.acquire('a', { signal })).rejects.toBeInstanceOf(QueueFullError);
    // Another user is not held up.
    (await l.acquire('b', { signal })).release();
    leaving.abort(new Error('stop'));
    await expect(third).rejects.toThrow('stop');
    expect(l.waiting('a')).toBe(1);
    first.release();
    (await second).release();
    expect(l.running('a')).toBe(0);
  });
});

describe('memory', () => {
  const turn = (i: number, role: Turn['role'], content: string): Turn => ({
    id: `t${i}`,
    role,
    content,
    createdAt: new Date(i * 1000).toISOString(),
  });
  it('keeps the newest turns within the budget, starting with a question', () => {
    const history = [
      turn(1, 'user', 'a'.repeat(400)),
      turn(2, 'assistant', 'b'.repeat(40)),
      turn(3, 'user', 'c'),
      turn(4, 'assistant', 'd'),
    ];
    expect(withinBudget(history, 10_000).map((m) => m.content[0])).toEqual(['a', 'b', 'c', 'd']);
    // 400 characters are ~100 tokens: over a budget of 40, so only the newer turns; b's answer then leads and goes.
    expect(withinBudget(history, 40).map((m) => m.content[0])).toEqual(['c', 'd']);
    expect(withinBudget(history, 0)).toEqual([]);
  });
  it('ids: one conversation per room and thread, one question/answer pair per event', () => {
    expect(conversationId('!r:x', undefined)).not.toBe(conversationId('!r:x', '$thread'));
    expect(conversationId('!r:x', '$t')).toBe(conversationId('!r:x', '$t'));
    const ids = turnIds('$e');
    expect(ids.question).not.toBe(ids.answer);
    expect(ids.answer.length).toBeLessThanOrEqual(128);
  });
});

describe('pricing', () => {
  it('meters by tokens, rounded up; max_tokens is what the hold still pays for', () => {
    const p = LLM_TOKEN_PRICES.local; // 20 / 100 per 1k, hold 100
    expect(meteredCost({ promptTokens: 1000, completionTokens: 1000 }, p)).toBe(120);
    expect(meteredCost({ promptTokens: 1, completionTokens: 0 }, p)).toBe(1);
    expect(affordableTokens(0, p, 5000)).toBe(1000);
    expect(affordableTokens(1000, p, 5000)).toBe(800);
    expect(affordableTokens(1000, p, 256)).toBe(256);
    expect(affordableTokens(6000, p, 256)).toBe(0);
  });
});

describe('input', () => {
  it('tells garbage from text (German, emoji and code are text)', () => {
    expect(isGarbage('Grüß dich 👋 — wie geht’s?\n\tconst x = 1;')).toBe(false);
    expect(isGarbage('\u0000\u0001\u0002binary')).toBe(true);
    expect(isGarbage('PNG\uFFFD\uFFFD\uFFFD\u001A')).toBe(true);
  });
  it('finds a model by full id or unique short name', () => {
    const models = [
      { id: 'ollama/llama3.2:3b', provider: 'ollama', name: 'llama3.2:3b' },
      { id: 'openai/llama3.2', provider: 'openai', name: 'llama3.2' },
      { id: 'ollama/qwen', provider: 'ollama', name: 'qwen' },
    ];
    expect(findModel(models, 'qwen')?.id).toBe('ollama/qwen');
    expect(findModel(models, 'OpenAI/llama3.2')?.id).toBe('openai/llama3.2');
    expect(findModel(models, 'llama3.2')).toBeUndefined(); // two fit
    expect(isFileName('IMG_2041.jpeg')).toBe(true);
    expect(isFileName('what is on this picture?')).toBe(false);
  });
});

describe('markdown', () => {
  it('renders code blocks, escapes raw HTML, drops unsafe links', () => {
    const r = renderMarkdown(
      '**hi** <script>alert(1)</script>\n\n```js\nlet a = 1 < 2;\n```\n\n[x](javascript:alert(1))',
    );
    expect(r.html).toContain('<strong>hi</strong>');
    expect(r.html).toContain('&lt;script&gt;');
    expect(r.html).toContain('<pre><code class="language-js">let a = 1 &lt; 2;');
    expect(r.html).not.toMatch(/href="javascript/);
    expect(r.text).toContain('**hi**');
  });
});
