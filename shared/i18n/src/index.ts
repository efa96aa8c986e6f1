/**
 * The languages of Mana, once for every package: German and English. Every human-facing string is a
 * `Text` with both languages (or a per-package message table keyed by `Lang`); `pick` chooses one.
 */
export const LANGUAGES = ['de', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** One message in every supported language. */
export interface Text {
  de: string;
  en: string;
}

export function isLang(value: unknown): value is Lang {
  return value === 'de' || value === 'en';
}

/** `{name}` placeholders are replaced by `params[name]`; unknown placeholders stay as they are. */
export function interpolate(
  template: string,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = params[key];
    return v === undefined ? whole : String(v);
  });
}

export function pick(
  lang: Lang,
  text: Text | string,
  params?: Readonly<Record<string, string | number>>,
): string {
  const s = typeof text === 'string' ? text : text[lang];
  return params ? interpolate(s, params) : s;
}

/** Parses what a user types after `language` / `sprache`. */
export function parseLang(input: string): Lang | undefined {
  const s = input.trim().toLowerCase();
  if (['de', 'deutsch', 'german', 'ger'].includes(s)) return 'de';
  if (['en', 'english', 'englisch', 'eng'].includes(s)) return 'en';
  return undefined;
}

/** The first of some BCP 47 tags (`de-AT`, `en-US`, …, best first) whose language Mana speaks. */
export function matchLang(tags: Iterable<string>): Lang | undefined {
  for (const tag of tags) {
    const base = tag.trim().toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return undefined;
}
