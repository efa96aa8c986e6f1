import { describe, expect, it } from 'vitest';
import { parseSpeed } from './bot.ts';
import { detectLanguage } from './language.ts';
import { hasWords, speakableText } from './text.ts';

describe('detectLanguage', () => {
  it.each([
    ['Ich gehe heute nicht in die Stadt', 'de'],
    ['Das Wetter ist schön', 'de'],
    ['Grüße aus München', 'de'],
    ['I am not going to the city today', 'en'],
    ['What is the weather like?', 'en'],
    ['The meeting is at noon', 'en'],
  ])('%s → %s', (text, lang) => expect(detectLanguage(text)).toBe(lang));
  it('says nothing when the text does not tell', () => {
    expect(detectLanguage('Kubernetes')).toBeUndefined();
    expect(detectLanguage('')).toBeUndefined();
  });
});

describe('speakableText', () => {
  it('drops markup, link targets and emoji, keeps the words', () => {
    expect(speakableText('**Hallo** <b>Welt</b> 👋 [hier](https://x.org) `code`')).toBe(
      'Hallo Welt hier code',
    );
    expect(speakableText('see https://example.org/a?b=c now')).toBe('see now');
  });
  it('only emoji or markup leaves nothing to say', () => {
    for (const t of ['😀🎉👍🏽', '🇩🇪 ❤️', '**__~~**', '<br/><hr>', '👨‍👩‍👧'])
      expect(hasWords(speakableText(t)), t).toBe(false);
    expect(hasWords(speakableText('42 😀'))).toBe(true);
  });
});

describe('parseSpeed', () => {
  it('reads 1,5 / 1.5 / 2x and refuses words', () => {
    expect(parseSpeed('1,5')).toBe(1.5);
    expect(parseSpeed('1.25')).toBe(1.25);
    expect(parseSpeed('2x')).toBe(2);
    expect(parseSpeed('fast')).toBeUndefined();
    expect(parseSpeed('-1')).toBeUndefined();
  });
});
