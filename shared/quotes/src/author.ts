/**
 * The data files write quotes per author: `author(name, died, lang)` returns a function that makes
 * the full record of one quote (text, source, year, categories), with the license it is shipped under.
 */
import type { CategoryId, QuoteInput } from './schema.ts';

export const PUBLIC_DOMAIN = 'public domain';

export function author(name: string, died: number, lang: 'de' | 'en') {
  return (
    text: string,
    source: string | undefined,
    year: number | undefined,
    categories: CategoryId[],
  ): QuoteInput => ({
    text,
    author: name,
    authorDied: died,
    ...(source === undefined ? {} : { source }),
    ...(year === undefined ? {} : { year }),
    lang,
    categories,
    license: PUBLIC_DOMAIN,
  });
}
