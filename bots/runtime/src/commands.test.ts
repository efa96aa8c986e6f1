import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAliasIndex, parseCommand, usageLine, type CommandSpec } from './commands.ts';

const run = () => undefined;
const done: CommandSpec<unknown> = {
  name: 'done',
  aliases: { de: ['erledigt'], en: ['done'] },
  args: [{ name: 'n', kind: 'int', label: { de: 'Nummer', en: 'number' } }],
  help: { de: 'Hakt eine Aufgabe ab', en: 'Completes a task' },
  run,
};
const add: CommandSpec<unknown> = {
  name: 'add',
  aliases: { de: ['neu'], en: ['add'] },
  args: [{ name: 'text', kind: 'text' }],
  help: { de: 'Neue Aufgabe', en: 'New task' },
  run,
};
const list: CommandSpec<unknown> = {
  name: 'list',
  aliases: { de: ['liste'], en: ['list', 'ls'] },
  args: [{ name: 'project', kind: 'word', optional: true }],
  help: { de: 'Liste', en: 'List' },
  run,
};
const status: CommandSpec<unknown> = {
  name: 'status',
  aliases: { de: ['status'], en: ['status'] },
  help: { de: 's', en: 's' },
  run,
};
const index = buildAliasIndex([done, add, list, status]);

describe('parseCommand', () => {
  it('finds a command by German or English alias, case-insensitive, and tells the language', () => {
    const de = parseCommand(index, 'Erledigt 2');
    expect(de).toMatchObject({ kind: 'command', command: done, lang: 'de' });
    if (de.kind === 'command') expect(de.args.int('n')).toBe(2);
    expect(parseCommand(index, 'done #3')).toMatchObject({ kind: 'command', lang: 'en' });
  });
  it('an alias spelled the same in both languages carries no language', () => {
    const r = parseCommand(index, 'status');
    expect(r.kind).toBe('command');
    expect('lang' in r ? r.lang : undefined).toBeUndefined();
  });
  it('text arguments keep the rest of the line as typed', () => {
    const r = parseCommand(index, 'neu  Milch   kaufen @morgen');
    expect(r.kind === 'command' && r.args.str('text')).toBe('Milch   kaufen @morgen');
  });
  it('accepts ! and / markers', () => {
    expect(parseCommand(index, '!liste')).toMatchObject({ kind: 'command', command: list });
    expect(parseCommand(index, '/done 1')).toMatchObject({ kind: 'command', command: done });
  });
  it('help and hilfe, with a topic', () => {
    expect(parseCommand(index, 'hilfe')).toEqual({ kind: 'help', lang: 'de' });
    expect(parseCommand(index, 'help Done')).toEqual({ kind: 'help', lang: 'en', topic: 'done' });
  });
  it('malformed arguments are usage problems', () => {
    expect(parseCommand(index, 'erledigt')).toMatchObject({ kind: 'usage', problem: 'missing', arg: 'n' });
    expect(parseCommand(index, 'erledigt zwei')).toMatchObject({ kind: 'usage', problem: 'invalid' });
    expect(parseCommand(index, 'done 0')).toMatchObject({ kind: 'usage', problem: 'invalid' });
    expect(parseCommand(index, 'done 1 2')).toMatchObject({ kind: 'usage', problem: 'extra' });
    expect(parseCommand(index, 'add')).toMatchObject({ kind: 'usage', problem: 'missing' });
  });
  it('optional arguments may be left out', () => {
    expect(parseCommand(index, 'liste')).toMatchObject({ kind: 'command' });
    const r = parseCommand(index, 'liste Arbeit');
    expect(r.kind === 'command' && r.args.optionalStr('project')).toBe('Arbeit');
  });
  it('unknown words: fallback for plain text, unknown for marked words', () => {
    expect(parseCommand(index, 'Milch kaufen', { fallback: true })).toEqual({
      kind: 'fallback',
      text: 'Milch kaufen',
    });
    expect(parseCommand(index, 'Milch kaufen')).toEqual({ kind: 'unknown', word: 'Milch' });
    expect(parseCommand(index, '!foo', { fallback: true })).toEqual({ kind: 'unknown', word: '!foo' });
    expect(parseCommand(index, '!p1 Steuer', { fallback: true, fallbackWords: /^!p[1-4]$/i })).toMatchObject({
      kind: 'fallback',
    });
  });
  it('empty input', () => {
    expect(parseCommand(index, '   \n ')).toEqual({ kind: 'empty' });
  });
  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        (s) => {
          const r = parseCommand(index, s, { fallback: true });
          expect(['empty', 'help', 'command', 'usage', 'unknown', 'fallback']).toContain(r.kind);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('a parsed int argument is always a positive integer', () => {
    fc.assert(
      fc.property(fc.string(), (arg) => {
        const r = parseCommand(index, `done ${arg}`);
        if (r.kind === 'command')
          expect(Number.isInteger(r.args.int('n')) && r.args.int('n') >= 1).toBe(true);
      }),
    );
  });
  it('refuses tables with clashing aliases', () => {
    expect(() => buildAliasIndex([done, { ...add, aliases: { de: ['erledigt'], en: [] } }])).toThrow(
      /erledigt/,
    );
    expect(() => buildAliasIndex([{ ...add, aliases: { de: ['hilfe'], en: [] } }])).toThrow(/reserved/);
  });
});

describe('usageLine', () => {
  it('is one line in the requested language', () => {
    expect(usageLine(done, 'de')).toBe('So geht’s: erledigt <Nummer> — Hakt eine Aufgabe ab');
    expect(usageLine(done, 'en')).toBe('Usage: done <number> — Completes a task');
    expect(usageLine(list, 'en')).toContain('[project]');
  });
});
