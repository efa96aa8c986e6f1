/**
 * German or English? A small tested heuristic: frequent function words of each language, plus
 * umlauts and ß as strong German signs. Undefined when the text does not tell (too short, a tie).
 */
import type { Lang } from '@mana/bot-runtime';

const DE = new Set(
  'der die das und ist nicht ich du er sie wir ihr ein eine einen dem den des zu mit auf für von im ins ist sind war bin bist hat habe haben wird werden auch noch nur schon aber oder wie was wer wo warum heute morgen bitte danke ja nein mein dein sein kein über unter nach bei aus gut sehr'.split(
    ' ',
  ),
);
const EN = new Set(
  'the and is are was were not i you he she we they a an of to in on for with at by from it this that be have has had will would can do does did what who where why today tomorrow please thanks yes no my your his her our good very'.split(
    ' ',
  ),
);

export function detectLanguage(text: string): Lang | undefined {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let de = 0;
  let en = 0;
  for (const w of words) {
    if (DE.has(w)) de++;
    if (EN.has(w)) en++;
    if (/[äöüß]/.test(w)) de += 2;
  }
  if (de === en) return undefined;
  return de > en ? 'de' : 'en';
}
