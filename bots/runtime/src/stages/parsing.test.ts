import { describe, expect, it } from 'vitest';
import { defineBot } from '../bot.ts';
import { hostBots } from './hosted.ts';
import { immediateReply, labelOf, languageHint, parse } from './parsing.ts';

const [bot] = hostBots(
  [
    defineBot({
      id: 'todo',
      localpart: 'todo',
      displayName: 'Todo',
      description: { de: 'Aufgaben', en: 'Tasks' },
      commands: [
        {
          name: 'add',
          aliases: { de: ['neu'], en: ['add'] },
          args: [{ name: 'title', kind: 'text' }],
          help: { de: 'Neue Aufgabe', en: 'New task' },
          run: () => 'ok',
        },
      ],
    }),
  ],
  'mana.test',
);

describe('parsing', () => {
  it('a command with its language; the built-in language command is there', () => {
    const p = parse(bot!, 'neu Milch', 100);
    expect(p.kind).toBe('command');
    expect(labelOf(p)).toBe('add');
    expect(languageHint(p)).toBe('de');
    expect(parse(bot!, 'language en', 100).kind).toBe('command');
  });

  it('answers help, usage, unknown words and too-long messages without bot code', () => {
    expect(immediateReply(bot!, parse(bot!, 'hilfe', 100), 'de', 100)?.outcome).toBe('help');
    const usage = immediateReply(bot!, parse(bot!, 'neu', 100), 'de', 100);
    expect(usage?.outcome).toBe('usage');
    expect(usage?.reply.text).toContain('neu');
    expect(immediateReply(bot!, parse(bot!, 'quatsch', 100), 'en', 100)?.reply.text).toContain('quatsch');
    const long = immediateReply(bot!, parse(bot!, 'x'.repeat(101), 100), 'en', 100);
    expect(long?.outcome).toBe('too_long');
    expect(long?.reply.text).toContain('101');
    expect(immediateReply(bot!, parse(bot!, 'add x', 100), 'en', 100)).toBeUndefined();
  });
});
