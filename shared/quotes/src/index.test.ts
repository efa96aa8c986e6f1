import { describe, expect, it } from 'vitest';
import {
  CATEGORY_IDS,
  QUOTES,
  attribution,
  findCategory,
  normalizeText,
  quoteById,
  quoteOfTheDay,
  quoteSchema,
  quotesInCategory,
  randomQuote,
  searchQuotes,
} from './index.ts';

describe('the shipped quotes', () => {
  it('are at least 300, every one complete by the schema', () => {
    expect(QUOTES.length).toBeGreaterThanOrEqual(300);
    for (const q of QUOTES) expect(quoteSchema.safeParse(q).success, q.text).toBe(true);
  });

  it('are all public domain: each author died more than 70 years before this year', () => {
    const year = new Date().getUTCFullYear();
    for (const q of QUOTES) {
      expect(q.license).toBe('public domain');
      expect(year - q.authorDied, q.author).toBeGreaterThan(70);
      if (q.year !== undefined) expect(q.year, q.text).toBeLessThanOrEqual(year - 70);
    }
  });

  it('have no duplicates (by id, and by text ignoring case and accents)', () => {
    expect(new Set(QUOTES.map((q) => q.id)).size).toBe(QUOTES.length);
    expect(new Set(QUOTES.map((q) => normalizeText(q.text))).size).toBe(QUOTES.length);
  });

  it('fill every category and both languages', () => {
    for (const c of CATEGORY_IDS) expect(quotesInCategory(c).length, c).toBeGreaterThanOrEqual(5);
    const de = QUOTES.filter((q) => q.lang === 'de').length;
    const en = QUOTES.filter((q) => q.lang === 'en').length;
    expect(de).toBeGreaterThanOrEqual(100);
    expect(en).toBeGreaterThanOrEqual(100);
  });

  it('mostly name their source work', () => {
    expect(QUOTES.filter((q) => q.source).length / QUOTES.length).toBeGreaterThan(0.95);
  });
});

describe('quoteOfTheDay', () => {
  it('is the same for a date every time and differs between neighbouring days', () => {
    expect(quoteOfTheDay('2026-12-02').id).toBe(quoteOfTheDay('2026-12-02').id);
    expect(quoteOfTheDay('2026-12-02').id).not.toBe(quoteOfTheDay('2026-12-03').id);
  });

  it('shows every quote once before any repeats', () => {
    const start = Date.UTC(2027, 0, 1);
    const seen = new Set<string>();
    for (let i = 0; i < QUOTES.length; i++) {
      seen.add(quoteOfTheDay(new Date(start + i * 86_400_000).toISOString().slice(0, 10)).id);
    }
    expect(seen.size).toBe(QUOTES.length);
  });

  it('refuses what is not a date', () => {
    expect(() => quoteOfTheDay('2.12.2026')).toThrow(RangeError);
  });
});

describe('searchQuotes', () => {
  it('ignores case and accents and spelled-out umlauts', () => {
    const a = searchQuotes('HOLDERLIN').map((q) => q.id);
    expect(a.length).toBeGreaterThan(0);
    expect(searchQuotes('hoelderlin').map((q) => q.id)).toEqual(a);
    expect(searchQuotes('Hölderlin').map((q) => q.id)).toEqual(a);
    expect(searchQuotes('gotterfunken')[0]?.text).toContain('Götterfunken');
  });

  it('needs every word and finds nothing for an empty query', () => {
    const hits = searchQuotes('goethe faust');
    expect(hits.length).toBeGreaterThan(5);
    for (const q of hits) expect(q.author).toContain('Goethe');
    expect(searchQuotes('   ')).toEqual([]);
    expect(searchQuotes('xylophonquark')).toEqual([]);
  });
});

describe('categories and helpers', () => {
  it('finds categories by id, German or English name', () => {
    expect(findCategory('Liebe')).toBe('love');
    expect(findCategory('love')).toBe('love');
    expect(findCategory('GLÜCK')).toBe('happiness');
    expect(findCategory('glueck')).toBe('happiness');
    expect(findCategory('nonsense')).toBeUndefined();
  });

  it('randomQuote honours language, category and avoid', () => {
    const seq = [0, 0.5, 0.99];
    for (const r of seq) {
      const q = randomQuote({ lang: 'de', category: 'humor', random: () => r });
      expect(q.lang).toBe('de');
      expect(q.categories).toContain('humor');
    }
    const first = randomQuote({ random: () => 0 });
    expect(randomQuote({ random: () => 0, avoid: first.id }).id).not.toBe(first.id);
  });

  it('looks quotes up by id and names the source', () => {
    const q = QUOTES[0]!;
    expect(quoteById(q.id)).toBe(q);
    expect(quoteById('qdeadbeef')).toBeUndefined();
    expect(attribution(q)).toBe('Johann Wolfgang von Goethe, Faust. Der Tragödie erster Teil (1808)');
  });
});
