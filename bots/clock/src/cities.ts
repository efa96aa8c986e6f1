/**
 * City → IANA time zone for the world clock, from the `city-timezones` dataset (≈7,300 cities,
 * English names) plus German names of the cities people ask for most. Names are matched without
 * case, accents or punctuation (`sao paulo` = `São Paulo`, `Muenchen` = `München`); among cities of
 * one name the most populous wins. An unknown name gets the closest known names as suggestions.
 */
import cityTimezones from 'city-timezones';
import { ClockError } from './errors.ts';

export interface City {
  name: string;
  country: string;
  timezone: string;
}

/** German (and other common) names → the dataset's English name. */
const ALIASES: Record<string, string> = {
  tokio: 'Tokyo',
  münchen: 'Munich',
  muenchen: 'Munich',
  köln: 'Cologne',
  koeln: 'Cologne',
  nürnberg: 'Nuremberg',
  wien: 'Vienna',
  rom: 'Rome',
  mailand: 'Milan',
  neapel: 'Naples',
  venedig: 'Venice',
  florenz: 'Florence',
  turin: 'Turin',
  genua: 'Genoa',
  prag: 'Prague',
  warschau: 'Warsaw',
  krakau: 'Krakow',
  moskau: 'Moscow',
  'sankt petersburg': 'St. Petersburg',
  peking: 'Beijing',
  schanghai: 'Shanghai',
  kairo: 'Cairo',
  lissabon: 'Lisbon',
  brüssel: 'Brussels',
  kopenhagen: 'Copenhagen',
  athen: 'Athens',
  genf: 'Geneva',
  nizza: 'Nice',
  kiew: 'Kyiv',
  kiev: 'Kyiv',
  bukarest: 'Bucharest',
  belgrad: 'Belgrade',
  'neu-delhi': 'New Delhi',
  singapur: 'Singapore',
  kapstadt: 'Cape Town',
  'mexiko-stadt': 'Mexico City',
  mexiko: 'Mexico City',
  teheran: 'Tehran',
  jerusalem: 'Jerusalem',
  damaskus: 'Damascus',
  algier: 'Algiers',
  havanna: 'Havana',
  neuyork: 'New York',
  'new york city': 'New York',
  nyc: 'New York',
  la: 'Los Angeles',
  sf: 'San Francisco',
  'frankfurt am main': 'Frankfurt',
  hannover: 'Hanover',
  luxemburg: 'Luxembourg',
  straßburg: 'Strasbourg',
  antwerpen: 'Antwerp',
  den_haag: 'The Hague',
  'den haag': 'The Hague',
  bombay: 'Mumbai',
  kalkutta: 'Kolkata',
  seoul: 'Seoul',
  taipeh: 'Taipei',
  hanoi: 'Hanoi',
  rio: 'Rio de Janeiro',
};

/** Lower case, accents and punctuation gone, ß → ss, single spaces. */
export function normalizeCity(name: string): string {
  return name
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface Entry extends City {
  pop: number;
}

let index: Map<string, Entry> | undefined;
/** Normalized name → the most populous city of that name, built on first use. */
function cities(): Map<string, Entry> {
  if (index) return index;
  index = new Map();
  for (const c of cityTimezones.cityMapping) {
    if (!c.timezone) continue;
    const entry = { name: c.city, country: c.country, timezone: c.timezone, pop: c.pop };
    for (const n of new Set([normalizeCity(c.city), normalizeCity(c.city_ascii)])) {
      const old = index.get(n);
      if (n && (!old || old.pop < entry.pop)) index.set(n, entry);
    }
  }
  for (const [alias, target] of Object.entries(ALIASES)) {
    const hit = index.get(normalizeCity(target));
    const key = normalizeCity(alias);
    if (hit && !index.has(key)) index.set(key, hit);
  }
  return index;
}

/** Edit distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/** Up to `limit` known city names closest to `name` (edit distance ≤ a third of its length, at least 2). */
export function suggestCities(name: string, limit = 3): string[] {
  const q = normalizeCity(name).slice(0, 60);
  if (q.length < 2) return [];
  const max = Math.max(2, Math.floor(q.length / 3));
  const scored: { name: string; d: number; pop: number }[] = [];
  const seen = new Set<Entry>();
  for (const [key, entry] of cities()) {
    const d = key.startsWith(q) && key !== q ? 1 : distance(q, key, max);
    if (d > max || seen.has(entry)) continue;
    seen.add(entry);
    scored.push({ name: entry.name, d, pop: entry.pop });
  }
  scored.sort((a, b) => a.d - b.d || b.pop - a.pop);
  return scored.slice(0, limit).map((s) => s.name);
}

/** An IANA zone name typed directly (`Europe/Berlin`, `asia/tokyo`), canonically spelled. */
function asZone(name: string): City | undefined {
  const s = name.trim().replace(/ /g, '_');
  if (!s.includes('/')) return undefined;
  const zone = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === s.toLowerCase());
  return zone
    ? { name: zone.split('/').at(-1)?.replace(/_/g, ' ') ?? zone, country: '', timezone: zone }
    : undefined;
}

/**
 * @example
 * findCity('Tokio') // { name: 'Tokyo', country: 'Japan', timezone: 'Asia/Tokyo' }
 * findCity('Berlim') // throws ClockError ERR_CITY_UNKNOWN, suggestions ['Berlin', …]
 */
export function findCity(name: string): City {
  const zone = asZone(name);
  if (zone) return zone;
  const hit = cities().get(normalizeCity(name));
  if (hit) return { name: hit.name, country: hit.country, timezone: hit.timezone };
  throw new UnknownCityError(name, suggestCities(name));
}

export class UnknownCityError extends ClockError {
  readonly suggestions: readonly string[];
  constructor(input: string, suggestions: string[]) {
    const also = suggestions.join(', ');
    super('ERR_CITY_UNKNOWN', `unknown city ${JSON.stringify(input)}`, {
      de: `Die Stadt „${input}“ kenne ich nicht.${also ? ` Meintest du ${also}?` : ''}`,
      en: `I don't know the city "${input}".${also ? ` Did you mean ${also}?` : ''}`,
    });
    this.name = 'UnknownCityError';
    this.suggestions = suggestions;
  }
}
