/**
 * World clocks: the time in a city (`zeit Tokio`) and the user's saved clocks (`worldClocks` rows of
 * the `clock` app, so the web app could show them too), each with its offset from the user's zone.
 */
import { CommandError, html, pick, type CommandContext, type Lang, type ReplyInput } from '@mana/bot-runtime';
import { offsetMinutes } from '@mana/bot-runtime/zone';
import { findCity } from './cities.ts';
import { ClockError } from './errors.ts';
import { APP, asWorldClock, idFrom, type WorldClockRow } from './rows.ts';

function clockIn(now: Date, timezone: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(now);
}

function offsetFromUser(now: Date, timezone: string, userZone: string, lang: Lang): string {
  const diff = offsetMinutes(now, timezone) - offsetMinutes(now, userZone);
  if (diff === 0) return pick(lang, { de: 'wie bei dir', en: 'same as yours' });
  const h = Math.abs(diff) / 60;
  const n = Number.isInteger(h) ? String(h) : h.toFixed(1).replace('.', lang === 'de' ? ',' : '.');
  return diff > 0
    ? pick(lang, { de: `${n} h vor dir`, en: `${n} h ahead of you` })
    : pick(lang, { de: `${n} h hinter dir`, en: `${n} h behind you` });
}

function cityOf(name: string) {
  try {
    return findCity(name);
  } catch (err) {
    // An unknown city: the reply names the closest known ones.
    if (err instanceof ClockError) throw new CommandError(err.message, err.human);
    throw err;
  }
}

async function worldClocks(ctx: CommandContext): Promise<WorldClockRow[]> {
  const store = await ctx.store(APP);
  return (await store.list('worldClocks'))
    .map(asWorldClock)
    .filter((w): w is WorldClockRow => w !== undefined)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || (a.label ?? '').localeCompare(b.label ?? ''));
}

export async function showWorldClocks(ctx: CommandContext) {
  const clocks = await worldClocks(ctx);
  const mine = html`🕐 ${ctx.t({ de: 'Bei dir', en: 'Your time' })}: <b>${clockIn(ctx.now, ctx.timezone, ctx.lang)}</b> (${ctx.timezone})`;
  if (clocks.length === 0)
    return html`${mine}<br>${ctx.t({ de: 'Noch keine Weltuhren: „weltuhr add Tokio“.', en: 'No world clocks yet: “worldclock add tokyo”.' })}`;
  return html`${mine}<ul>${clocks.map(
    (w) =>
      html`<li>${w.label ?? w.timezone}: <b>${clockIn(ctx.now, w.timezone, ctx.lang)}</b> — ${offsetFromUser(ctx.now, w.timezone, ctx.timezone, ctx.lang)}</li>`,
  )}</ul>`;
}

export async function timeCommand(ctx: CommandContext, city: string | undefined) {
  if (!city) return showWorldClocks(ctx);
  const c = cityOf(city);
  return html`🕐 ${c.name} (${c.country}): <b>${clockIn(ctx.now, c.timezone, ctx.lang)}</b> — ${offsetFromUser(ctx.now, c.timezone, ctx.timezone, ctx.lang)}`;
}

const ADD = /^(add|hinzufügen|hinzufuegen|neu|new|\+)\s+(.+)$/iu;
const REMOVE = /^(entfernen|löschen|loeschen|remove|delete|rm|-)\s+#?(\d+)$/iu;

export async function worldClockCommand(ctx: CommandContext, text: string | undefined): Promise<ReplyInput> {
  if (!text) return showWorldClocks(ctx);
  const store = await ctx.store(APP);
  const add = ADD.exec(text);
  if (add) {
    const c = cityOf(add[2] ?? '');
    const id = idFrom(ctx.sender, 'worldclock', c.timezone, c.name.toLowerCase());
    const order = (await worldClocks(ctx)).length;
    await store.upsert('worldClocks', id, { timezone: c.timezone, label: c.name, order });
    await store.flush();
    return html`🌍 ${ctx.t({ de: 'Weltuhr', en: 'World clock' })} ${c.name}: <b>${clockIn(ctx.now, c.timezone, ctx.lang)}</b>`;
  }
  const remove = REMOVE.exec(text);
  if (remove) {
    const clocks = await worldClocks(ctx);
    const w = clocks[Number(remove[2]) - 1];
    if (!w)
      throw new CommandError(`no world clock ${remove[2]}`, {
        de: `Weltuhr ${remove[2]} gibt es nicht. „weltuhren“ zeigt sie.`,
        en: `There is no world clock ${remove[2]}. “worldclocks” shows them.`,
      });
    await store.delete('worldClocks', w.id);
    await store.flush();
    return ctx.t(
      { de: '🗑️ Weltuhr {name} entfernt.', en: '🗑️ World clock {name} removed.' },
      { name: w.label ?? w.timezone },
    );
  }
  // `weltuhr Tokio` is read as `weltuhr add Tokio`.
  return worldClockCommand(ctx, `add ${text}`);
}
