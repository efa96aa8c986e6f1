/**
 * The quotes Mana ships: German and English, public domain, each with author, source, year,
 * license and categories. Used by the zitare bot, the mana hub's morning summary and the web app.
 *
 * @example
 * quoteOfTheDay('2026-12-02'); // the same quote for everybody on that date
 * searchQuotes('goethe faust'); // every word must match (case and accents ignored)
 * findCategory('Liebe'); // 'love'
 */
import type { Text } from '@mana/i18n';
import { GERMAN_QUOTES } from './data-de.ts';
import { ENGLISH_QUOTES } from './data-en.ts';
import { CATEGORY_IDS, quoteInputSchema, type CategoryId, type Quote } from './schema.ts';

export { CATEGORY_IDS, quoteSchema, type CategoryId, type Quote } from './schema.ts';
export { PUBLIC_DOMAIN } from './author.ts';

/** FNV-1a, 32 bit: a stable id from author and text that works the same in Node and the browser. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function quoteId(authorName: string, text: string): string {
  return `q${fnv1a(`${authorName}\n${text}`)}`;
}

/** Every quote, validated once when the module loads (a bad entry fails start-up, not a user). */
export const QUOTES: readonly Quote[] = Object.freeze(
  [...GERMAN_QUOTES, ...ENGLISH_QUOTES].map((raw) => {
    const q = quoteInputSchema.parse(raw);
    return Object.freeze({ ...q, id: quoteId(q.author, q.text) });
  }),
);

const BY_ID = new Map(QUOTES.map((q) => [q.id, q]));

export function quoteById(id: string): Quote | undefined {
  return BY_ID.get(id);
}

export const CATEGORY_LABELS: Readonly<Record<CategoryId, Text>> = {
  motivation: { de: 'Motivation', en: 'Motivation' },
  life: { de: 'Leben', en: 'Life' },
  wisdom: { de: 'Weisheit', en: 'Wisdom' },
  humor: { de: 'Humor', en: 'Humor' },
  love: { de: 'Liebe', en: 'Love' },
  work: { de: 'Arbeit', en: 'Work' },
  friendship: { de: 'Freundschaft', en: 'Friendship' },
  nature: { de: 'Natur', en: 'Nature' },
  learning: { de: 'Lernen', en: 'Learning' },
  happiness: { de: 'Glück', en: 'Happiness' },
  courage: { de: 'Mut', en: 'Courage' },
  time: { de: 'Zeit', en: 'Time' },
  freedom: { de: 'Freiheit', en: 'Freedom' },
};

/** Lower case, no accents, `ß` → `ss`: what search and category names compare. */
export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[’'‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** German umlauts spelled out (`ö` → `oe`), so "Hoelderlin" finds "Hölderlin" too. */
function transliterate(s: string): string {
  return normalizeText(
    s.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss'),
  );
}

/** A category by its id or its German or English name (`liebe`, `Love`, `glueck`). */
export function findCategory(input: string): CategoryId | undefined {
  const want = normalizeText(input);
  if (want === '') return undefined;
  for (const id of CATEGORY_IDS) {
    const { de, en } = CATEGORY_LABELS[id];
    if ([id, de, en].some((name) => normalizeText(name) === want || transliterate(name) === want)) return id;
  }
  return undefined;
}

export function quotesInCategory(category: CategoryId): Quote[] {
  return QUOTES.filter((q) => q.categories.includes(category));
}

const HAYSTACKS = new Map(
  QUOTES.map((q) => {
    const raw = `${q.text} ${q.author} ${q.source ?? ''}`;
    return [q.id, [normalizeText(raw), transliterate(raw)] as const];
  }),
);

/**
 * Quotes whose text, author or source contain every word of `query`, ignoring case and accents.
 * An empty query finds nothing.
 */
export function searchQuotes(query: string): Quote[] {
  const words = normalizeText(query)
    .split(' ')
    .filter((w) => w.length > 0);
  if (words.length === 0) return [];
  return QUOTES.filter((q) => {
    const hay = HAYSTACKS.get(q.id);
    return hay !== undefined && words.every((w) => hay.some((h) => h.includes(w)));
  });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A step coprime with the count: day n → (n·STEP) mod N visits every quote once before repeating. */
const STEP = (() => {
  let s = Math.floor(QUOTES.length * 0.618) | 1;
  while (gcd(s, QUOTES.length) !== 1) s += 2;
  return s;
})();

/**
 * The quote of a calendar day (`YYYY-MM-DD`, the day in the reader's zone): the same for everybody
 * on that date, and no quote twice until all have had their day.
 */
export function quoteOfTheDay(day: string): Quote {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${day}`);
  const dayNumber = Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000);
  const n = QUOTES.length;
  const index = (((dayNumber * STEP) % n) + n) % n;
  const q = QUOTES[index];
  if (!q) throw new Error('no quotes');
  return q;
}

/**
 * A random quote, from one language and/or category when given; `avoid` (the last one shown) is not
 * picked again unless it is the only choice.
 */
export function randomQuote(
  options: { lang?: 'de' | 'en'; category?: CategoryId; avoid?: string; random?: () => number } = {},
): Quote {
  let pool = QUOTES.filter(
    (q) =>
      (options.lang === undefined || q.lang === options.lang) &&
      (options.category === undefined || q.categories.includes(options.category)),
  );
  if (pool.length === 0) pool = [...QUOTES];
  const fresh = pool.filter((q) => q.id !== options.avoid);
  const from = fresh.length > 0 ? fresh : pool;
  const pick = from[Math.floor((options.random ?? Math.random)() * from.length)] ?? from[0];
  if (!pick) throw new Error('no quotes');
  return pick;
}

/** `Johann Wolfgang von Goethe, Faust. Der Tragödie erster Teil (1808)` */
export function attribution(q: Quote): string {
  const work = q.source ? `, ${q.source}${q.year ? ` (${q.year})` : ''}` : q.year ? ` (${q.year})` : '';
  return `${q.author}${work}`;
}
