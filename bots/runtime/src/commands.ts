/**
 * Declarative command tables and the parser every bot shares.
 *
 * A bot lists its commands as data (name, German and English aliases, arguments, help, cost);
 * `parseCommand` turns a message into a command with arguments, a help request, a usage problem,
 * an unknown word or plain text for the bot's fallback.
 */
import { pick, type Lang, type Text } from './i18n.ts';
import type { ReplyInput } from './format.ts';

/** `int`: a positive whole number; `word`: one token; `text`: the rest of the line (last only). */
export type ArgKind = 'int' | 'word' | 'text';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  optional?: boolean;
  /** Shown in usage lines, e.g. `{ de: 'Nummer', en: 'number' }`. Default: the name. */
  label?: Text;
}

export interface CommandSpec<Ctx> {
  /** Canonical name; the `command` label of the metrics. */
  name: string;
  aliases: { de: readonly string[]; en: readonly string[] };
  args?: readonly ArgSpec[];
  help: Text;
  /** Credit operation (from the catalogue in `@mana/credits`) charged per successful run. */
  cost?: string;
  /** The operation chosen at run time when it depends on the user (their model); overrides `cost`. */
  operation?: (ctx: Ctx, args: Args) => Promise<string | undefined> | string | undefined;
  /** Hidden from `help` (still works). */
  hidden?: boolean;
  run(ctx: Ctx, args: Args): Promise<ReplyInput | undefined> | ReplyInput | undefined;
}

/** Parsed arguments with typed accessors. */
export class Args {
  readonly #values: ReadonlyMap<string, string | number>;
  constructor(values: ReadonlyMap<string, string | number>) {
    this.#values = values;
  }
  int(name: string): number {
    const v = this.#values.get(name);
    if (typeof v !== 'number') throw new TypeError(`argument ${name} is not a parsed int`);
    return v;
  }
  str(name: string): string {
    const v = this.#values.get(name);
    if (typeof v !== 'string') throw new TypeError(`argument ${name} is missing`);
    return v;
  }
  optionalInt(name: string): number | undefined {
    const v = this.#values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
  optionalStr(name: string): string | undefined {
    const v = this.#values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  toJSON(): Record<string, string | number> {
    return Object.fromEntries(this.#values);
  }
}

export const HELP_ALIASES: Readonly<Record<string, Lang>> = { help: 'en', hilfe: 'de', '?': 'en' };

export type ParseResult<Ctx> =
  | { kind: 'empty' }
  | { kind: 'help'; lang?: Lang; topic?: string }
  | { kind: 'command'; command: CommandSpec<Ctx>; args: Args; alias: string; lang?: Lang }
  | {
      kind: 'usage';
      command: CommandSpec<Ctx>;
      alias: string;
      lang?: Lang;
      problem: 'missing' | 'invalid' | 'extra';
      arg?: string;
    }
  | { kind: 'unknown'; word: string }
  | { kind: 'fallback'; text: string };

export interface ParseOptions {
  /** The bot takes plain text (todo: plain text becomes a task). */
  fallback?: boolean;
  /** Marker-prefixed words that still count as plain text (todo: `!p1` … `!p4`). */
  fallbackWords?: RegExp;
}

/** Command markers people type out of habit (`!list`, `/list`). */
const MARKER = /^[!/]/;

function normalizeWord(w: string): string {
  return w.normalize('NFC').toLowerCase();
}

/** Which command an alias belongs to, and in which language the alias is. */
export function buildAliasIndex<Ctx>(
  commands: readonly CommandSpec<Ctx>[],
): Map<string, { command: CommandSpec<Ctx>; lang?: Lang }> {
  const index = new Map<string, { command: CommandSpec<Ctx>; lang?: Lang }>();
  for (const command of commands) {
    const de = command.aliases.de.map(normalizeWord);
    const en = command.aliases.en.map(normalizeWord);
    for (const alias of [...de, ...en, normalizeWord(command.name)]) {
      if (alias in HELP_ALIASES) throw new Error(`alias "${alias}" is reserved for help`);
      const existing = index.get(alias);
      if (existing && existing.command !== command) {
        throw new Error(`alias "${alias}" is used by both ${existing.command.name} and ${command.name}`);
      }
      // An alias spelled the same in both languages says nothing about the language.
      const lang =
        de.includes(alias) && en.includes(alias)
          ? undefined
          : de.includes(alias)
            ? 'de'
            : en.includes(alias)
              ? 'en'
              : undefined;
      index.set(alias, lang ? { command, lang } : { command });
    }
  }
  return index;
}

/**
 * Parses one message against a command table.
 *
 * @example
 * parseCommand(index, 'erledigt 2') // { kind: 'command', command: done, args: { n: 2 }, lang: 'de' }
 */
export function parseCommand<Ctx>(
  index: ReadonlyMap<string, { command: CommandSpec<Ctx>; lang?: Lang }>,
  input: string,
  options: ParseOptions = {},
): ParseResult<Ctx> {
  const text = input.trim();
  if (text === '') return { kind: 'empty' };
  const firstMatch = /^\S+/.exec(text);
  const first = firstMatch ? firstMatch[0] : text;
  const marked = MARKER.test(first);
  const word = normalizeWord(marked ? first.slice(1) : first);
  const rest = text.slice(first.length).trim();

  const helpLang = HELP_ALIASES[word];
  if (helpLang !== undefined) {
    const topic = rest.split(/\s+/)[0];
    return topic
      ? { kind: 'help', lang: helpLang, topic: normalizeWord(topic) }
      : { kind: 'help', lang: helpLang };
  }

  const hit = word === '' ? undefined : index.get(word);
  if (!hit) {
    if (options.fallback && (!marked || options.fallbackWords?.test(first)))
      return { kind: 'fallback', text };
    return { kind: 'unknown', word: first };
  }
  const { command, lang } = hit;
  const base = { command, alias: word, ...(lang ? { lang } : {}) };
  const values = new Map<string, string | number>();
  let remaining = rest;
  for (const spec of command.args ?? []) {
    if (remaining === '') {
      if (spec.optional) continue;
      return { kind: 'usage', ...base, problem: 'missing', arg: spec.name };
    }
    if (spec.kind === 'text') {
      values.set(spec.name, remaining);
      remaining = '';
      continue;
    }
    const m = /^(\S+)\s*/.exec(remaining);
    const token = m?.[1] ?? remaining;
    remaining = remaining.slice(m?.[0].length ?? remaining.length);
    if (spec.kind === 'int') {
      const digits = token.replace(/^#/, '');
      if (!/^\d{1,9}$/.test(digits) || Number(digits) < 1) {
        return { kind: 'usage', ...base, problem: 'invalid', arg: spec.name };
      }
      values.set(spec.name, Number(digits));
    } else {
      values.set(spec.name, token);
    }
  }
  if (remaining !== '') return { kind: 'usage', ...base, problem: 'extra' };
  return { kind: 'command', ...base, args: new Args(values) };
}

/** The alias people of that language see first. */
export function primaryAlias<Ctx>(command: CommandSpec<Ctx>, lang: Lang): string {
  return command.aliases[lang][0] ?? command.aliases.de[0] ?? command.aliases.en[0] ?? command.name;
}

export function signature<Ctx>(command: CommandSpec<Ctx>, lang: Lang): string {
  const args = (command.args ?? []).map((a) => {
    const label = a.label ? a.label[lang] : a.name;
    return a.optional ? `[${label}]` : `<${label}>`;
  });
  return [primaryAlias(command, lang), ...args].join(' ');
}

const USAGE: Text = { de: 'So geht’s: {sig} — {help}', en: 'Usage: {sig} — {help}' };

/** The one-line usage reply for a malformed command. */
export function usageLine<Ctx>(command: CommandSpec<Ctx>, lang: Lang): string {
  return pick(lang, USAGE, { sig: signature(command, lang), help: command.help[lang] });
}
