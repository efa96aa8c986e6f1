/**
 * Timer durations: `25m`, `1h30m`, `1h 30m`, `90` (minutes), `1:30` (h:mm), `1:30:15`, `1,5h`,
 * and words in German and English (`25 Minuten`, `eine Stunde und 10 Minuten`, `two hours`,
 * `half an hour`, `eine halbe Stunde`).
 */
import { MAX_TIMER_MS } from '@mana/sync-protocol';
import { ClockError } from './errors.ts';

const UNIT_MS: Record<string, number> = {};
const units: [number, string[]][] = [
  [1000, ['s', 'sec', 'secs', 'sek', 'second', 'seconds', 'sekunde', 'sekunden']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes', 'minuten']],
  [3_600_000, ['h', 'hr', 'hrs', 'std', 'hour', 'hours', 'stunde', 'stunden']],
  [86_400_000, ['d', 'day', 'days', 'tag', 'tage', 'tagen']],
];
for (const [ms, names] of units) for (const n of names) UNIT_MS[n] = ms;

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  ein: 1,
  eine: 1,
  einen: 1,
  einer: 1,
  two: 2,
  zwei: 2,
  three: 3,
  drei: 3,
  four: 4,
  vier: 4,
  five: 5,
  fünf: 5,
  six: 6,
  sechs: 6,
  seven: 7,
  sieben: 7,
  eight: 8,
  acht: 8,
  nine: 9,
  neun: 9,
  ten: 10,
  zehn: 10,
  fifteen: 15,
  fünfzehn: 15,
  twenty: 20,
  zwanzig: 20,
  thirty: 30,
  dreißig: 30,
  forty: 40,
  vierzig: 40,
  'forty-five': 45,
  fünfundvierzig: 45,
  sixty: 60,
  sechzig: 60,
  ninety: 90,
  neunzig: 90,
};

const UNIT = Object.keys(UNIT_MS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const NUM = String.raw`\d+(?:[.,]\d+)?`;
const WORD = Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|');
/** One `<number><unit>` piece, the number a digit string or a word. */
const PIECE = new RegExp(String.raw`^(?:(${NUM})\s*|(${WORD})\s+)(${UNIT})(?!\p{L})`, 'iu');
const HALF = /^(?:(?:eine?\s+)?halbe\s+stunde|half\s+an\s+hour|(?:a\s+)?half\s+hour)\b/iu;
const CLOCK = /^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?(?=\s|$)/u;
const BARE = /^(\d{1,4})(?=\s|$)/u;
const JOIN = /^(?:,|\s|und\b|and\b)*/iu;

function invalid(input: string): ClockError {
  return new ClockError('ERR_DURATION_INVALID', `not a duration: ${JSON.stringify(input)}`, {
    de: `„${input}“ ist keine Dauer. Beispiele: 25m, 1h30m, 90 (Minuten), 1:30, 10 Sekunden.`,
    en: `"${input}" is not a duration. Examples: 25m, 1h30m, 90 (minutes), 1:30, 10 seconds.`,
  });
}

function checkRange(ms: number, input: string): number {
  if (ms <= 0 || ms > MAX_TIMER_MS)
    throw new ClockError('ERR_DURATION_RANGE', `duration out of range: ${ms} ms`, {
      de: `„${input}“: ein Timer läuft zwischen 1 Sekunde und 7 Tagen.`,
      en: `"${input}": a timer runs between 1 second and 7 days.`,
    });
  return Math.round(ms);
}

/**
 * A leading duration and the rest of the text (the timer's label), or undefined when the text
 * does not start with one.
 *
 * @example
 * splitDuration('25m Pizza') // { ms: 1_500_000, rest: 'Pizza' }
 */
export function splitDuration(input: string): { ms: number; rest: string } | undefined {
  const text = input.trim();
  const clock = CLOCK.exec(text);
  if (clock) {
    const ms = (Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3] ?? 0)) * 1000;
    return { ms: checkRange(ms, clock[0]), rest: text.slice(clock[0].length).trim() };
  }
  let ms = 0;
  let used = 0;
  let pieces = 0;
  for (;;) {
    const rest = text.slice(used);
    const half = HALF.exec(rest);
    const piece = half ? undefined : PIECE.exec(rest);
    if (!half && !piece) break;
    if (half) ms += 1_800_000;
    else if (piece) {
      const n =
        piece[1] !== undefined
          ? Number(piece[1].replace(',', '.'))
          : (NUMBER_WORDS[(piece[2] ?? '').toLowerCase()] ?? 0);
      ms += n * (UNIT_MS[(piece[3] ?? '').toLowerCase()] ?? 0);
    }
    used += (half ?? piece)?.[0].length ?? 0;
    pieces++;
    const join = JOIN.exec(text.slice(used));
    const next = text.slice(used + (join?.[0].length ?? 0));
    if (join && (HALF.test(next) || PIECE.test(next))) used += join[0].length;
    else break;
  }
  if (pieces > 0) {
    const consumed = text.slice(0, used);
    return { ms: checkRange(ms, consumed.trim()), rest: text.slice(used).trim() };
  }
  const bare = BARE.exec(text);
  if (bare)
    return { ms: checkRange(Number(bare[1]) * 60_000, bare[0]), rest: text.slice(bare[0].length).trim() };
  return undefined;
}

/**
 * The whole text as one duration in ms; anything else throws `ClockError` (`ERR_DURATION_INVALID`,
 * or `ERR_DURATION_RANGE` outside 1 s … 7 days).
 *
 * @example
 * parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(input: string): number {
  const hit = splitDuration(input);
  if (!hit || hit.rest !== '') throw invalid(input.trim());
  return hit.ms;
}

/** `1h 30m`, `25m`, `45s`, `2h 5m 10s`: a duration as the bot writes it. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : '0s';
}
