/**
 * The zitare bot: quotes from `@mana/quotes` (random, of the day, by search or category), the
 * user's favorites and named lists in the `zitare` sync app (the web app shows them), and an
 * optional quote of the day at a time of the user's choosing (a repeatable job in their zone).
 * Numbers (`zur liste 2 Morgen`) refer to the numbered list the bot last showed that user.
 */
import {
  CommandError,
  dailyJob,
  dayIn,
  defineBot,
  html,
  setDaily,
  usageLine,
  type BotCommand,
  type BotDefinition,
  type CommandContext,
  type StoredRow,
} from '@mana/bot-runtime';
import { parseTimeOfDay } from '@mana/bot-runtime/zone';
import {
  attribution,
  CATEGORY_IDS,
  CATEGORY_LABELS,
  findCategory,
  normalizeText,
  quoteById,
  quoteOfTheDay,
  quotesInCategory,
  randomQuote,
  searchQuotes,
  type CategoryId,
  type Quote,
} from '@mana/quotes';
import { createHash } from 'node:crypto';
import { loadZitareConfig, type ZitareConfig } from './config.ts';

const APP = 'zitare';
/** State: the id of the last single quote shown (`favorit` saves it). */
const LAST = 'last';
/** State: the ids of the last numbered list shown (`zur liste N …`, `favorit N`). */
const LAST_LIST = 'lastList';
/** State: the daily quote's time and zone, or null when off. */
const DAILY = 'daily';
/** The most lines a numbered list shows. */
const MAX_LINES = 10;

type Lang = 'de' | 'en';

/** The series key of a user's daily quote (one per user). */
export function dailyKey(userId: string): string {
  return `zitare:daily:${userId}`;
}

function quoteHtml(q: Quote, heading?: string) {
  return html`${heading ? html`<p><b>${heading}</b></p>` : ''}<blockquote>${q.text}</blockquote><p>— ${attribution(q)}</p>`;
}

async function show(ctx: CommandContext, q: Quote, heading?: string) {
  await ctx.state.set(LAST, q.id);
  return quoteHtml(q, heading);
}

function short(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** A numbered list of quotes, remembered so `zur liste 2 …` means the second line. */
async function showList(ctx: CommandContext, title: string, quotes: readonly Quote[], more = 0) {
  await ctx.state.set(
    LAST_LIST,
    quotes.map((q) => q.id),
  );
  return html`<p><b>${title}</b></p><ol>${quotes.map(
    (q) => html`<li>„${short(q.text)}“ — ${q.author}</li>`,
  )}</ol>${
    more > 0 ? html`<p>${ctx.t({ de: '… und {n} weitere.', en: '… and {n} more.' }, { n: more })}</p>` : ''
  }`;
}

function categoryLabel(c: CategoryId, lang: Lang): string {
  return CATEGORY_LABELS[c][lang];
}

function unknownCategory(ctx: CommandContext, name: string): CommandError {
  const names = CATEGORY_IDS.map((c) => categoryLabel(c, ctx.lang).toLowerCase()).join(', ');
  return new CommandError(`unknown category ${name}`, {
    de: `„${name}“ ist keine Kategorie. Es gibt: ${names}.`,
    en: `"${name}" is not a category. There are: ${names}.`,
  });
}

/** A stable row id from a name: the same list name always means the same row. */
function listRowId(name: string): string {
  return `list-${createHash('sha256').update(normalizeText(name)).digest('hex').slice(0, 24)}`;
}

type ListRow = StoredRow<'zitare', 'lists'>;

async function findList(ctx: CommandContext, name: string): Promise<ListRow | undefined> {
  const store = await ctx.store(APP);
  const want = normalizeText(name);
  const lists: ListRow[] = await store.list('lists');
  return lists.find((l) => typeof l.name === 'string' && normalizeText(l.name) === want);
}

async function lastShown(ctx: CommandContext): Promise<Quote> {
  const id = await ctx.state.get<string>(LAST);
  const q = id ? quoteById(id) : undefined;
  if (!q)
    throw new CommandError('no quote shown yet', {
      de: 'Ich habe dir noch kein Zitat gezeigt. Schreib „zitat“ oder „heute“.',
      en: 'I have not shown you a quote yet. Send “quote” or “today”.',
    });
  return q;
}

async function fromLastList(ctx: CommandContext, n: number): Promise<Quote> {
  const ids = (await ctx.state.get<string[]>(LAST_LIST)) ?? [];
  const id = ids[n - 1];
  const q = id ? quoteById(id) : undefined;
  if (!q)
    throw new CommandError(`no quote ${n} in last list`, {
      de: `Nummer ${n} gibt es in deiner letzten Liste nicht. Schreib „favoriten“ oder „suche …“ für eine Liste.`,
      en: `There is no number ${n} in your last list. Send “favorites” or “search …” for a list.`,
    });
  return q;
}

type FavoriteRow = StoredRow<'zitare', 'favorites'>;

async function favorites(ctx: CommandContext): Promise<Quote[]> {
  const store = await ctx.store(APP);
  const rows: FavoriteRow[] = await store.list('favorites');
  return rows
    .filter((r) => typeof r.quoteId === 'string')
    .sort((a, b) => (a.addedAt ?? '').localeCompare(b.addedAt ?? ''))
    .map((r) => quoteById(r.quoteId ?? ''))
    .filter((q): q is Quote => q !== undefined);
}

/** `[liste] [N] <name>` after `zur`; the name is not a bare number (`zur liste 5` lacks it). */
function parseListTarget(input: string): { n?: number; name: string } | undefined {
  const rest = input.trim().replace(/^(liste|list)(\s+|$)/iu, '');
  const m = /^(?:(\d{1,4})\s+)?(\S.*)$/u.exec(rest);
  const name = m?.[2]?.trim();
  if (!m || !name || /^\d+$/.test(name) || name.length > 200) return undefined;
  return m[1] ? { n: Number(m[1]), name } : { name };
}

const addToList: BotCommand = {
  name: 'addto',
  aliases: { de: ['zur'], en: ['to', 'addto'] },
  args: [{ name: 'target', kind: 'text', label: { de: 'liste [N] Name', en: 'list [N] name' } }],
  help: {
    de: 'Legt Zitat N der letzten Liste (ohne N: das zuletzt gezeigte) in eine Liste, z. B. „zur liste 2 Morgen“.',
    en: 'Puts quote N of the last list (without N: the last one shown) into a list, e.g. “to list 2 mornings”.',
  },
  async run(ctx, args) {
    const target = parseListTarget(args.str('target'));
    if (!target) throw new CommandError('bad list target', usageLine(addToList, ctx.lang));
    const { name } = target;
    const q = target.n === undefined ? await lastShown(ctx) : await fromLastList(ctx, target.n);
    const store = await ctx.store(APP);
    const existing = await findList(ctx, name);
    const ids = existing?.quoteIds ?? [];
    if (ids.includes(q.id)) {
      return ctx.t(
        { de: 'Steht schon in „{list}“.', en: 'Already in “{list}”.' },
        { list: existing?.name ?? name },
      );
    }
    if (existing) await store.upsert('lists', existing.id, { quoteIds: [...ids, q.id] });
    else await store.upsert('lists', listRowId(name), { name, quoteIds: [q.id] });
    await store.flush();
    return html`📑 ${ctx.t(
      { de: 'In „{list}“ ({n})', en: 'Added to “{list}” ({n})' },
      { list: existing?.name ?? name, n: ids.length + 1 },
    )}: „${short(q.text, 80)}“ — ${q.author}`;
  },
};

function dailyUsage(ctx: CommandContext, command: BotCommand): CommandError {
  return new CommandError('bad daily time', usageLine(command, ctx.lang));
}

const daily: BotCommand = {
  name: 'daily',
  aliases: { de: ['täglich', 'taeglich'], en: ['daily'] },
  args: [{ name: 'when', kind: 'text', optional: true, label: { de: 'HH:MM|aus', en: 'HH:MM|off' } }],
  help: {
    de: 'Jeden Tag das Zitat des Tages um diese Uhrzeit (deine Zeitzone); „täglich aus“ stoppt es.',
    en: 'The quote of the day every day at that time (your time zone); “daily off” stops it.',
  },
  async run(ctx, args) {
    const when = args.optionalStr('when')?.trim().toLowerCase();
    const key = dailyKey(ctx.sender);
    if (when === undefined) {
      const current = await ctx.state.get<{ time: string; tz: string } | null>(DAILY);
      return current
        ? ctx.t(
            {
              de: 'Du bekommst das Zitat des Tages täglich um {time} ({tz}). „täglich aus“ stoppt es.',
              en: 'You get the quote of the day daily at {time} ({tz}). “daily off” stops it.',
            },
            { time: current.time, tz: current.tz },
          )
        : ctx.t({
            de: 'Kein tägliches Zitat eingestellt. Beispiel: „täglich 8:00“.',
            en: 'No daily quote set. Example: “daily 08:00”.',
          });
    }
    if (['aus', 'off', 'stop', 'stopp', 'nein', 'no'].includes(when)) {
      const removed = await ctx.removeRepeatable(key);
      await ctx.state.set(DAILY, null);
      return removed
        ? ctx.t({ de: 'Tägliches Zitat ist aus.', en: 'Daily quote is off.' })
        : ctx.t({ de: 'Es war kein tägliches Zitat eingestellt.', en: 'There was no daily quote set.' });
    }
    const t = parseTimeOfDay(when);
    if (!t) throw dailyUsage(ctx, daily);
    const set = await setDaily(ctx, { job: 'daily', key, time: t });
    await ctx.state.set(DAILY, set);
    return ctx.t(
      {
        de: '⏰ Ab jetzt jeden Tag um {time} ({tz}) das Zitat des Tages.',
        en: '⏰ From now on the quote of the day every day at {time} ({tz}).',
      },
      set,
    );
  },
};

export const zitareCommands: BotCommand[] = [
  {
    name: 'quote',
    aliases: { de: ['zitat'], en: ['quote'] },
    args: [{ name: 'category', kind: 'text', optional: true, label: { de: 'Kategorie', en: 'category' } }],
    help: {
      de: 'Ein zufälliges Zitat (optional aus einer Kategorie).',
      en: 'A random quote (optionally from a category).',
    },
    async run(ctx, args) {
      const name = args.optionalStr('category');
      const category = name === undefined ? undefined : findCategory(name);
      if (name !== undefined && !category) throw unknownCategory(ctx, name);
      const avoid = await ctx.state.get<string>(LAST);
      return show(
        ctx,
        randomQuote({ lang: ctx.lang, ...(category ? { category } : {}), ...(avoid ? { avoid } : {}) }),
      );
    },
  },
  {
    name: 'today',
    aliases: { de: ['heute'], en: ['today'] },
    help: {
      de: 'Das Zitat des Tages — für alle dasselbe an einem Tag.',
      en: 'The quote of the day — the same for everyone on a date.',
    },
    cost: 'zitare_quote',
    run: (ctx) =>
      show(
        ctx,
        quoteOfTheDay(dayIn(ctx.now, ctx.timezone)),
        ctx.t({ de: 'Zitat des Tages', en: 'Quote of the day' }),
      ),
  },
  {
    name: 'search',
    aliases: { de: ['suche', 'suchen'], en: ['search', 'find'] },
    args: [{ name: 'text', kind: 'text', label: { de: 'Text', en: 'text' } }],
    help: {
      de: 'Zitate, deren Text, Autor oder Werk alle Wörter enthält (Groß-/Kleinschreibung und Akzente egal).',
      en: 'Quotes whose text, author or work contain every word (case and accents ignored).',
    },
    async run(ctx, args) {
      const text = args.str('text');
      const hits = searchQuotes(text);
      if (hits.length === 0)
        return ctx.t(
          { de: 'Nichts gefunden für „{q}“.', en: 'Nothing found for “{q}”.' },
          { q: short(text, 60) },
        );
      if (hits.length === 1 && hits[0]) return show(ctx, hits[0]);
      return showList(
        ctx,
        ctx.t(
          { de: '{n} Treffer für „{q}“', en: '{n} matches for “{q}”' },
          { n: hits.length, q: short(text, 60) },
        ),
        hits.slice(0, MAX_LINES),
        hits.length - MAX_LINES,
      );
    },
  },
  {
    name: 'category',
    aliases: { de: ['kategorie'], en: ['category'] },
    args: [{ name: 'name', kind: 'text', label: { de: 'Kategorie', en: 'category' } }],
    help: { de: 'Ein Zitat aus einer Kategorie.', en: 'A quote from one category.' },
    async run(ctx, args) {
      const name = args.str('name');
      const category = findCategory(name);
      if (!category) throw unknownCategory(ctx, name);
      const avoid = await ctx.state.get<string>(LAST);
      return show(
        ctx,
        randomQuote({ lang: ctx.lang, category, ...(avoid ? { avoid } : {}) }),
        categoryLabel(category, ctx.lang),
      );
    },
  },
  {
    name: 'categories',
    aliases: { de: ['kategorien'], en: ['categories'] },
    help: {
      de: 'Alle Kategorien mit der Zahl ihrer Zitate.',
      en: 'Every category with its number of quotes.',
    },
    run: (ctx) =>
      html`<p><b>${ctx.t({ de: 'Kategorien', en: 'Categories' })}</b></p><ul>${CATEGORY_IDS.map(
        (c) => html`<li>${categoryLabel(c, ctx.lang)} (${quotesInCategory(c).length})</li>`,
      )}</ul><p>${ctx.t({ de: 'Beispiel: „kategorie liebe“', en: 'Example: “category love”' })}</p>`,
  },
  {
    name: 'motivation',
    aliases: { de: ['motivation'], en: ['motivation', 'motivate'] },
    help: { de: 'Ein motivierendes Zitat.', en: 'A motivating quote.' },
    async run(ctx) {
      const avoid = await ctx.state.get<string>(LAST);
      return show(
        ctx,
        randomQuote({ lang: ctx.lang, category: 'motivation', ...(avoid ? { avoid } : {}) }),
        '💪',
      );
    },
  },
  {
    name: 'fav',
    aliases: { de: ['favorit'], en: ['fav', 'favorite'] },
    args: [{ name: 'n', kind: 'int', optional: true, label: { de: 'Nummer', en: 'number' } }],
    help: {
      de: 'Speichert das zuletzt gezeigte Zitat (oder Nummer N der letzten Liste) als Favorit.',
      en: 'Saves the last quote shown (or number N of the last list) as a favorite.',
    },
    async run(ctx, args) {
      const n = args.optionalInt('n');
      const q = n === undefined ? await lastShown(ctx) : await fromLastList(ctx, n);
      const store = await ctx.store(APP);
      if (await store.get('favorites', q.id))
        return ctx.t({ de: 'Ist schon ein Favorit. ⭐', en: 'Already a favorite. ⭐' });
      // The quote id is the row id: saving the same quote twice (or from two devices) is one row.
      await store.upsert('favorites', q.id, { quoteId: q.id, addedAt: ctx.now.toISOString() });
      await store.flush();
      return html`⭐ ${ctx.t({ de: 'Favorit gespeichert', en: 'Saved as favorite' })}: „${short(q.text, 80)}“ — ${q.author}`;
    },
  },
  {
    name: 'favorites',
    aliases: { de: ['favoriten'], en: ['favorites', 'favs'] },
    help: { de: 'Deine Favoriten, nummeriert.', en: 'Your favorites, numbered.' },
    async run(ctx) {
      const favs = await favorites(ctx);
      if (favs.length === 0)
        return ctx.t({
          de: 'Noch keine Favoriten. Nach einem Zitat: „favorit“.',
          en: 'No favorites yet. After a quote: “fav”.',
        });
      return showList(ctx, ctx.t({ de: 'Deine Favoriten', en: 'Your favorites' }), favs);
    },
  },
  {
    name: 'unfav',
    aliases: { de: ['entfavorisieren', 'unfavorit'], en: ['unfav'] },
    args: [{ name: 'n', kind: 'int', label: { de: 'Nummer', en: 'number' } }],
    help: { de: 'Entfernt Favorit N (aus „favoriten“).', en: 'Removes favorite N (from “favorites”).' },
    async run(ctx, args) {
      const q = await fromLastList(ctx, args.int('n'));
      const store = await ctx.store(APP);
      if (!(await store.get('favorites', q.id)))
        return ctx.t({ de: 'Das ist kein Favorit.', en: 'That is not a favorite.' });
      await store.delete('favorites', q.id);
      await store.flush();
      return ctx.t({ de: 'Favorit entfernt.', en: 'Favorite removed.' });
    },
  },
  {
    name: 'lists',
    aliases: { de: ['listen'], en: ['lists'] },
    help: { de: 'Deine Zitatlisten.', en: 'Your quote lists.' },
    async run(ctx) {
      const store = await ctx.store(APP);
      const lists = (await store.list('lists'))
        .filter((l) => typeof l.name === 'string')
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
      if (lists.length === 0)
        return ctx.t({
          de: 'Noch keine Listen. Nach einem Zitat: „zur liste Morgen“.',
          en: 'No lists yet. After a quote: “to list mornings”.',
        });
      return html`<p><b>${ctx.t({ de: 'Deine Listen', en: 'Your lists' })}</b></p><ul>${lists.map(
        (l) => html`<li>${l.name ?? ''} (${(l.quoteIds ?? []).length})</li>`,
      )}</ul>`;
    },
  },
  {
    name: 'list',
    aliases: { de: ['liste'], en: ['list'] },
    args: [{ name: 'name', kind: 'text', label: { de: 'Name', en: 'name' } }],
    help: { de: 'Die Zitate einer Liste, nummeriert.', en: 'The quotes of one list, numbered.' },
    async run(ctx, args) {
      const name = args.str('name');
      const list = await findList(ctx, name);
      if (!list)
        return ctx.t(
          {
            de: 'Keine Liste „{name}“. „listen“ zeigt deine Listen.',
            en: 'No list “{name}”. “lists” shows yours.',
          },
          { name: short(name, 60) },
        );
      const quotes = (list.quoteIds ?? [])
        .map((id) => quoteById(id))
        .filter((q): q is Quote => q !== undefined);
      if (quotes.length === 0)
        return ctx.t(
          { de: 'Die Liste „{name}“ ist leer.', en: 'The list “{name}” is empty.' },
          { name: list.name ?? name },
        );
      return showList(ctx, list.name ?? name, quotes);
    },
  },
  addToList,
  daily,
];

const EXAMPLES = [
  { de: 'heute', en: 'today' },
  { de: 'suche goethe', en: 'search twain' },
  { de: 'täglich 8:00', en: 'daily 08:00' },
];

export function createZitareBot(config: ZitareConfig): BotDefinition {
  return defineBot({
    id: 'zitare',
    localpart: 'zitare',
    displayName: 'Zitare',
    description: {
      de: 'Zitate: zufällig, des Tages, Suche, Kategorien, Favoriten und Listen',
      en: 'Quotes: random, of the day, search, categories, favorites and lists',
    },
    apps: [APP],
    commands: zitareCommands,
    examples: EXAMPLES,
    jobs: {
      daily: dailyJob({
        what: 'daily quote',
        graceMs: config.dailyGraceMs,
        keyOf: dailyKey,
        async send(ctx, target, day) {
          const lang = await ctx.lang(target.userId);
          await ctx.post(
            target.roomId,
            quoteHtml(quoteOfTheDay(day.date), lang === 'de' ? 'Zitat des Tages' : 'Quote of the day'),
          );
        },
      }),
    },
  });
}

export const zitareBot = createZitareBot(loadZitareConfig());
