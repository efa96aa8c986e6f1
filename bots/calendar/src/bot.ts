/**
 * The calendar bot: events in the user's `calendar` sync stream, so the web app shows and edits the
 * same ones. Numbers (`details 2`) refer to the list the bot last showed that user; a parse it is
 * unsure of is echoed back for ✅/❌ instead of saved; reminders are delayed jobs that follow every
 * change of the event, the bot's own or the web app's (it watches the user's calendar stream).
 */
import {
  CommandError,
  defineBot,
  fileContent,
  formatDate,
  html,
  canonicalTimezone,
  noticeContent,
  SETTINGS_APP,
  SETTINGS_ROW,
  SETTINGS_TABLE,
  toReply,
  type BotCommand,
  type CommandContext,
  type Html,
  type JobContext,
  type Json,
  type Text,
} from '@mana/bot-runtime';
import { addDays, wallOf, wallToInstant } from '@mana/bot-runtime/zone';
import { createHash } from 'node:crypto';
import { CalendarError } from './errors.ts';
import {
  APP,
  asEvent,
  DEFAULT_CALENDAR,
  describeRule,
  nextStart,
  occurrencesIn,
  occursAt,
  whenText,
  type CalEvent,
  type Occurrence,
} from './events.ts';
import { exportIcs, importIcs, MAX_ICS_BYTES, type SkipReason } from './ics.ts';
import { parseEvent, type Lang } from './parse.ts';
import { checkSeries } from './recurrence.ts';
import {
  DEFAULT_REMINDER_MINUTES,
  extractLead,
  isReminderData,
  leadText,
  nextReminder,
  parseLead,
  planReminder,
  REMINDER_JOB,
} from './reminders.ts';

const LAST_LIST = 'lastList';
const PENDING = 'pending:';
const DAY_MS = 86_400_000;

/** A stable id from the command's event id: a re-run after a crash writes the same row. */
function idFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The calendar core's errors become the room's short lines. */
function refused(err: unknown): never {
  if (err instanceof CalendarError)
    throw new CommandError(`${err.code}: ${err.message}`, err.human, { cause: err });
  throw err;
}

async function allEvents(ctx: CommandContext): Promise<CalEvent[]> {
  const store = await ctx.store(APP);
  return (await store.list('events')).flatMap((r) => asEvent(r) ?? []);
}

/** Follows the user's calendar so web edits move reminders (best effort: a runner may lack sync). */
async function follow(ctx: CommandContext): Promise<void> {
  await ctx.watch(APP).catch((err: unknown) => ctx.log.debug({ err }, 'calendar watch not started'));
}

async function ensureCalendar(ctx: CommandContext): Promise<string> {
  const store = await ctx.store(APP);
  const calendars = await store.list('calendars');
  const first = calendars.find((c) => typeof c.name === 'string');
  if (first) return first.id;
  await store.upsert('calendars', DEFAULT_CALENDAR, {
    name: ctx.t({ de: 'Kalender', en: 'Calendar' }),
    visible: true,
  });
  return DEFAULT_CALENDAR;
}

// ── drafts: a parsed event not saved yet ────────────────────────────────────────────────────────

interface Draft {
  title: string;
  start: string;
  end: string;
  allDay: boolean;
  location?: string;
  rrule?: string;
  reminderMinutes: number | null;
}

function isDraft(v: unknown): v is Draft {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return typeof d.title === 'string' && typeof d.start === 'string' && typeof d.end === 'string';
}

function draftFrom(ctx: CommandContext, text: string): { draft: Draft; uncertain: boolean } {
  const { text: rest, minutes } = extractLead(text);
  let parsed;
  try {
    parsed = parseEvent(rest, { now: ctx.now, timezone: ctx.timezone, lang: ctx.lang });
    if (parsed.rrule) parsed.rrule = checkSeries(parsed.rrule);
  } catch (err) {
    refused(err);
  }
  const draft: Draft = {
    title: parsed.title.slice(0, 1000),
    start: parsed.start.toISOString(),
    end: parsed.end.toISOString(),
    allDay: parsed.allDay,
    ...(parsed.location ? { location: parsed.location.slice(0, 1000) } : {}),
    ...(parsed.rrule ? { rrule: parsed.rrule } : {}),
    // All-day events are not reminded of unless asked: "15 minutes before midnight" helps nobody.
    reminderMinutes: minutes === undefined ? (parsed.allDay ? null : DEFAULT_REMINDER_MINUTES) : minutes,
  };
  return { draft, uncertain: parsed.uncertain };
}

function describe(ctx: { lang: Lang; timezone: string }, e: Draft | CalEvent, o?: Occurrence): Html {
  const when = whenText(
    { start: o?.start ?? new Date(e.start), end: o?.end ?? new Date(e.end), allDay: e.allDay },
    ctx,
  );
  const de = ctx.lang === 'de';
  const rem = e.reminderMinutes;
  return html`<b>${e.title}</b> — ${when}${e.location ? html` · 📍 ${e.location}` : ''}${
    e.rrule
      ? html` · ↻ ${describeRule(e.rrule, ctx.lang, ('timezone' in e && e.timezone) || ctx.timezone)}`
      : ''
  }${rem !== null && rem !== undefined ? html` · ⏰ ${leadText(rem, ctx.lang)} ${de ? 'vorher' : 'before'}` : ''}`;
}

async function save(ctx: CommandContext, draft: Draft, id: string): Promise<Html> {
  const store = await ctx.store(APP);
  const calendarId = await ensureCalendar(ctx);
  const fields = { calendarId, timezone: ctx.timezone, ...draft };
  await store.upsert('events', id, fields);
  await store.flush();
  await follow(ctx);
  const saved = asEvent({ id, ...fields });
  if (saved)
    await planReminder(ctx, saved, {
      roomId: ctx.roomId,
      userId: ctx.sender,
      now: ctx.now,
      timezone: ctx.timezone,
    });
  return html`📅 ${ctx.t({ de: 'Neuer Termin', en: 'New event' })}: ${describe(ctx, draft)}`;
}

/** A new event from text: saved, or, when the parse guessed, echoed for ✅/❌. */
async function addEvent(ctx: CommandContext, text: string) {
  const { draft, uncertain } = draftFrom(ctx, text);
  if (!uncertain) return save(ctx, draft, idFrom(ctx.eventId, 'event'));
  const question = html`🤔 ${ctx.t({ de: 'Meinst du', en: 'Did you mean' })}: ${describe(ctx, draft)}<br>${ctx.t(
    {
      de: '✅ speichert ihn, ❌ verwirft ihn — oder schreib es genauer (z. B. „morgen 14:00“).',
      en: '✅ saves it, ❌ drops it — or say it more precisely (e.g. “tomorrow 14:00”).',
    },
  )}`;
  // Sent here, not returned, so the bot knows which message the ✅ will be on.
  const echo = await ctx.sendContent({ ...noticeContent(toReply(question), ctx.eventId) });
  await ctx.state.set(`${PENDING}${echo}`, { draft: { ...draft }, source: ctx.eventId });
  return undefined;
}

// ── lists ───────────────────────────────────────────────────────────────────────────────────────

function dayStart(ctx: CommandContext, offsetDays: number): Date {
  const w = wallOf(ctx.now, ctx.timezone);
  return wallToInstant(addDays(w, offsetDays), ctx.timezone);
}

interface Listed {
  id: string;
  start: string;
}

async function showList(
  ctx: CommandContext,
  o: { title: string; from: Date; to: Date; empty: string; withDay: boolean },
) {
  const occ = occurrencesIn(await allEvents(ctx), { from: o.from, to: o.to, timezone: ctx.timezone }).slice(
    0,
    100,
  );
  const listed: Listed[] = occ.map((x) => ({ id: x.event.id, start: x.start.toISOString() }));
  await ctx.state.set(LAST_LIST, listed as unknown as Json);
  if (occ.length === 0) return o.empty;
  let lastDay = '';
  const items = occ.map((x) => {
    const day = formatDate(x.start, { lang: ctx.lang, timezone: ctx.timezone, style: 'date' });
    const when = whenText({ start: x.start, end: x.end, allDay: x.event.allDay }, { ...ctx, withDay: false });
    const head = o.withDay && day !== lastDay ? day : '';
    lastDay = day;
    return html`<li>${head ? html`<i>${head}</i> ` : ''}${when} <b>${x.event.title}</b>${
      x.event.location ? html` · 📍 ${x.event.location}` : ''
    }${x.event.rrule ? ' ↻' : ''}</li>`;
  });
  return html`<p><b>${o.title}</b></p><ol>${items}</ol>`;
}

async function byNumber(ctx: CommandContext, n: number): Promise<Occurrence> {
  const list = (await ctx.state.get<Json>(LAST_LIST)) ?? [];
  const hit = Array.isArray(list) ? list[n - 1] : undefined;
  const id = hit && typeof hit === 'object' && !Array.isArray(hit) ? hit.id : undefined;
  const start = hit && typeof hit === 'object' && !Array.isArray(hit) ? hit.start : undefined;
  const event = typeof id === 'string' ? asEvent(await (await ctx.store(APP)).get('events', id)) : undefined;
  if (!event || typeof start !== 'string') {
    throw new CommandError(`no event ${n} in last list`, {
      de: `Nummer ${n} gibt es in deiner letzten Liste nicht. Schreib „termine“ für die nächsten Termine.`,
      en: `There is no number ${n} in your last list. Send “upcoming” to see your next events.`,
    });
  }
  const at = new Date(start);
  // The series may have changed since the list was shown: then its first occurrence from now on.
  const s = event.rrule && !occursAt(event, at, ctx.timezone) ? nextStart(event, ctx.now, ctx.timezone) : at;
  const begin = event.rrule ? (s ?? new Date(event.start)) : new Date(event.start);
  return {
    event,
    start: begin,
    end: new Date(begin.getTime() + Date.parse(event.end) - Date.parse(event.start)),
  };
}

const N = { name: 'n', kind: 'int', label: { de: 'Nummer', en: 'number' } } as const;

// ── edits ───────────────────────────────────────────────────────────────────────────────────────

async function update(ctx: CommandContext, before: CalEvent, fields: Record<string, unknown>) {
  const store = await ctx.store(APP);
  await store.upsert('events', before.id, fields);
  await store.flush();
  await follow(ctx);
  const after = asEvent({ ...before, ...fields });
  await planReminder(ctx, after, {
    roomId: ctx.roomId,
    userId: ctx.sender,
    now: ctx.now,
    timezone: ctx.timezone,
    previous: before,
  });
  return after;
}

async function remove(ctx: CommandContext, n: number, scope: string | undefined) {
  const { event, start } = await byNumber(ctx, n);
  const store = await ctx.store(APP);
  const whole = scope !== undefined && /^(alle|all|serie|series)$/i.test(scope);
  if (scope !== undefined && !whole)
    throw new CommandError('bad delete scope', {
      de: 'So geht’s: löschen <Nummer> — ein Termin (bei Serien nur dieser); löschen <Nummer> alle — die ganze Serie.',
      en: 'Usage: delete <number> — one event (of a series, this one only); delete <number> all — the whole series.',
    });
  if (event.rrule && !whole) {
    const exdates = [...new Set([...(event.exdates ?? []), start.toISOString()])];
    if (exdates.length > 1000)
      throw new CommandError('too many exdates', {
        de: 'Diese Serie hat schon 1000 gelöschte Termine. Lösch die Serie („löschen N alle“) und leg sie neu an.',
        en: 'This series already has 1000 deleted events. Delete the series (“delete N all”) and create it again.',
      });
    await update(ctx, event, { exdates });
    const when = whenText(
      {
        start,
        end: new Date(start.getTime() + Date.parse(event.end) - Date.parse(event.start)),
        allDay: event.allDay,
      },
      ctx,
    );
    return html`🗑️ ${ctx.t({ de: 'Gelöscht (nur dieser Termin der Serie)', en: 'Deleted (this event of the series only)' })}: <b>${event.title}</b> — ${when}<br>${ctx.t(
      { de: '„löschen {n} alle“ löscht die ganze Serie.', en: '“delete {n} all” deletes the whole series.' },
      { n },
    )}`;
  }
  await store.delete('events', event.id);
  await store.flush();
  await planReminder(ctx, undefined, {
    roomId: ctx.roomId,
    userId: ctx.sender,
    now: ctx.now,
    timezone: ctx.timezone,
    previous: event,
  });
  return html`🗑️ ${ctx.t(event.rrule ? { de: 'Serie gelöscht', en: 'Series deleted' } : { de: 'Gelöscht', en: 'Deleted' })}: <b>${event.title}</b>`;
}

async function move(ctx: CommandContext, n: number, when: string) {
  const occ = await byNumber(ctx, n);
  const { event } = occ;
  let parsed;
  try {
    parsed = parseEvent(when, { now: ctx.now, timezone: ctx.timezone, lang: ctx.lang });
  } catch (err) {
    refused(err);
  }
  const tz = ctx.timezone;
  let start: Date;
  if (parsed.allDay && !event.allDay && parsed.uncertain) {
    // Only a day was given: the same time of day on that day.
    const w = wallOf(occ.start, tz);
    const d = wallOf(parsed.start, tz);
    start = wallToInstant({ year: d.year, month: d.month, day: d.day, hour: w.hour, minute: w.minute }, tz);
  } else start = parsed.start;
  const delta = start.getTime() - occ.start.getTime();
  const rule = event.rrule ?? '';
  if (event.rrule && /BY(DAY|MONTHDAY)=/.test(rule)) {
    const a = wallOf(occ.start, tz);
    const b = wallOf(start, tz);
    if (a.year !== b.year || a.month !== b.month || a.day !== b.day)
      throw new CommandError('series day move', {
        de: 'Bei dieser Serie kann ich nur die Uhrzeit verschieben (z. B. „verschieben 2 15:00“). Für andere Tage lösch sie und leg sie neu an.',
        en: 'For this series I can only move the time (e.g. “move 2 15:00”). For other days delete it and create it again.',
      });
  }
  const shift = (iso: string) => new Date(Date.parse(iso) + delta).toISOString();
  const fields: Record<string, unknown> = {
    start: shift(event.start),
    end: shift(event.end),
    ...(event.exdates?.length ? { exdates: event.exdates.map(shift) } : {}),
  };
  const after = await update(ctx, event, fields);
  const shown = { start, end: new Date(start.getTime() + occ.end.getTime() - occ.start.getTime()) };
  return html`↪️ ${ctx.t(event.rrule ? { de: 'Serie verschoben', en: 'Series moved' } : { de: 'Verschoben', en: 'Moved' })}: ${describe(ctx, after ?? event, { event, ...shown })}`;
}

// ── export / import ─────────────────────────────────────────────────────────────────────────────

async function exportCalendar(ctx: CommandContext) {
  const events = await allEvents(ctx);
  if (events.length === 0)
    return ctx.t({
      de: 'Dein Kalender ist leer — nichts zu exportieren.',
      en: 'Your calendar is empty — nothing to export.',
    });
  const text = exportIcs(events, { timezone: ctx.timezone, now: ctx.now, name: 'Mana' });
  const bytes = new TextEncoder().encode(text);
  const filename = ctx.lang === 'de' ? 'kalender.ics' : 'calendar.ics';
  const mxc = await ctx.upload(bytes, { contentType: 'text/calendar', filename });
  await ctx.sendContent(fileContent({ mxc, mimetype: 'text/calendar', size: bytes.byteLength, filename }));
  return ctx.t(
    { de: '📤 {n} Termine als {file}.', en: '📤 {n} events as {file}.' },
    { n: events.length, file: filename },
  );
}

const SKIP_TEXT: Record<SkipReason, Text> = {
  duplicate: { de: 'schon im Kalender', en: 'already in the calendar' },
  'no-start': { de: 'ohne Beginn', en: 'no start' },
  'end-before-start': { de: 'Ende vor Beginn', en: 'ends before it starts' },
  'recurrence-override': {
    de: 'geänderter Einzeltermin einer Serie',
    en: 'a changed single event of a series',
  },
  'unsupported-rrule': { de: 'Wiederholung nicht unterstützt', en: 'recurrence not supported' },
  'too-many-exdates': { de: 'zu viele Ausnahmen', en: 'too many exceptions' },
  invalid: { de: 'ungültig', en: 'invalid' },
  limit: { de: 'mehr als 5000 Termine in der Datei', en: 'more than 5000 events in the file' },
};

const isIcs = (name: string, type: string | undefined) =>
  /\.(ics|ical|ifb|icalendar)$/i.test(name) || /text\/calendar/i.test(type ?? '');

async function importFile(
  ctx: CommandContext,
  media: {
    body: string;
    filename?: string | undefined;
    mimetype?: string | undefined;
    size?: number | undefined;
    download(): Promise<{ bytes: Uint8Array; contentType: string }>;
  },
) {
  const name = media.filename ?? media.body;
  if (!isIcs(name, media.mimetype))
    return ctx.t({
      de: 'Ich nehme nur Kalenderdateien (.ics) an.',
      en: 'I only take calendar files (.ics).',
    });
  const tooLarge = ctx.t({
    de: `Die Datei ist zu groß (höchstens ${MAX_ICS_BYTES / 1024 / 1024} MB) — nichts importiert.`,
    en: `The file is too large (at most ${MAX_ICS_BYTES / 1024 / 1024} MB) — nothing imported.`,
  });
  if (media.size !== undefined && media.size > MAX_ICS_BYTES) return tooLarge;
  const { bytes } = await media.download();
  if (bytes.byteLength > MAX_ICS_BYTES) return tooLarge;
  const store = await ctx.store(APP);
  const existing = await allEvents(ctx);
  // Our own export writes `<id>@mana` as the UID: importing it again adds nothing twice.
  const existingUids = new Set(existing.flatMap((e) => [e.uid ?? '', `${e.id}@mana`]).filter(Boolean));
  let summary;
  try {
    summary = importIcs(bytes, {
      calendarId: DEFAULT_CALENDAR,
      timezone: ctx.timezone,
      existingUids,
      lang: ctx.lang,
    });
  } catch (err) {
    if (err instanceof CalendarError)
      return `${ctx.t(err.human)} ${ctx.t({ de: 'Nichts importiert.', en: 'Nothing imported.' })}`;
    throw err;
  }
  if (summary.added.length > 0) {
    const calendarId = await ensureCalendar(ctx);
    for (const [i, row] of summary.added.entries())
      await store.upsert('events', idFrom(ctx.eventId, 'import', row.uid ?? String(i)), {
        ...row,
        calendarId,
      });
    await store.flush();
    await follow(ctx);
  }
  const head = ctx.t(
    {
      de: '📥 {added} Termine importiert, {skipped} übersprungen.',
      en: '📥 {added} events imported, {skipped} skipped.',
    },
    { added: summary.added.length, skipped: summary.skipped.length },
  );
  if (summary.skipped.length === 0) return head;
  const shown = summary.skipped.slice(0, 10);
  return html`<p>${head}</p><ul>${shown.map((s) => html`<li>${s.title ?? s.uid ?? '?'}: ${ctx.t(SKIP_TEXT[s.reason])}</li>`)}</ul>${
    summary.skipped.length > shown.length
      ? ctx.t(
          { de: '… und {n} weitere.', en: '… and {n} more.' },
          { n: summary.skipped.length - shown.length },
        )
      : ''
  }`;
}

// ── the command table ───────────────────────────────────────────────────────────────────────────

export const calendarCommands: BotCommand[] = [
  {
    name: 'add',
    aliases: { de: ['termin', 'neu'], en: ['event', 'add', 'new'] },
    args: [{ name: 'text', kind: 'text', label: { de: 'Termin', en: 'event' } }],
    help: {
      de: 'Neuer Termin: „Zahnarzt Do 14 Uhr“, „am 15.02. 9:30–10:15 in Praxis“, „Team jeden Montag 9 Uhr“, „… erinnerung 30“ / „ohne erinnerung“. Einfacher Text geht auch.',
      en: 'New event: “dentist thu 2pm”, “next friday 3pm for 2h at the office”, “team every monday 9am”, “… reminder 1h” / “no reminder”. Plain text works too.',
    },
    cost: 'calendar_event_create',
    run: (ctx, args) => addEvent(ctx, args.str('text')),
  },
  {
    name: 'today',
    aliases: { de: ['heute'], en: ['today'] },
    // "morgen 14 Uhr Zahnarzt" is an event, not the list with extra words.
    args: [{ name: 'text', kind: 'text', optional: true }],
    help: {
      de: 'Die Termine von heute. Mit Text dahinter: ein neuer Termin („heute 18 Uhr Sport“).',
      en: 'Today’s events. With text after it: a new event (“today 6pm gym”).',
    },
    run: (ctx, args) => {
      const text = args.optionalStr('text');
      if (text) return addEvent(ctx, `${ctx.t({ de: 'heute', en: 'today' })} ${text}`);
      return showList(ctx, {
        title: ctx.t({ de: 'Heute', en: 'Today' }),
        from: dayStart(ctx, 0),
        to: dayStart(ctx, 1),
        empty: ctx.t({ de: 'Heute hast du keine Termine.', en: 'No events today.' }),
        withDay: false,
      });
    },
  },
  {
    name: 'tomorrow',
    aliases: { de: ['morgen'], en: ['tomorrow'] },
    // "morgen 14 Uhr Zahnarzt" is an event, not the list with extra words.
    args: [{ name: 'text', kind: 'text', optional: true }],
    help: {
      de: 'Die Termine von morgen. Mit Text dahinter: ein neuer Termin („morgen 18 Uhr Sport“).',
      en: 'Tomorrow’s events. With text after it: a new event (“tomorrow 6pm gym”).',
    },
    run: (ctx, args) => {
      const text = args.optionalStr('text');
      if (text) return addEvent(ctx, `${ctx.t({ de: 'morgen', en: 'tomorrow' })} ${text}`);
      return showList(ctx, {
        title: ctx.t({ de: 'Morgen', en: 'Tomorrow' }),
        from: dayStart(ctx, 1),
        to: dayStart(ctx, 2),
        empty: ctx.t({ de: 'Morgen hast du keine Termine.', en: 'No events tomorrow.' }),
        withDay: false,
      });
    },
  },
  {
    name: 'week',
    aliases: { de: ['woche'], en: ['week'] },
    help: { de: 'Die nächsten 7 Tage.', en: 'The next 7 days.' },
    run: (ctx) =>
      showList(ctx, {
        title: ctx.t({ de: 'Diese Woche', en: 'This week' }),
        from: dayStart(ctx, 0),
        to: dayStart(ctx, 7),
        empty: ctx.t({ de: 'In den nächsten 7 Tagen keine Termine.', en: 'No events in the next 7 days.' }),
        withDay: true,
      }),
  },
  {
    name: 'upcoming',
    aliases: { de: ['termine'], en: ['upcoming', 'events'] },
    help: { de: 'Die nächsten 14 Tage, nummeriert.', en: 'The next 14 days, numbered.' },
    run: (ctx) =>
      showList(ctx, {
        title: ctx.t({ de: 'Nächste Termine', en: 'Upcoming' }),
        from: ctx.now,
        to: new Date(ctx.now.getTime() + 14 * DAY_MS),
        empty: ctx.t({ de: 'In den nächsten 14 Tagen keine Termine.', en: 'No events in the next 14 days.' }),
        withDay: true,
      }),
  },
  {
    name: 'details',
    aliases: { de: ['details', 'info'], en: ['details', 'show'] },
    args: [N],
    help: { de: 'Alles über Termin N der letzten Liste.', en: 'Everything about event N of the last list.' },
    async run(ctx, args) {
      const occ = await byNumber(ctx, args.int('n'));
      const e = occ.event;
      const de = ctx.lang === 'de';
      const next = e.rrule ? nextStart(e, ctx.now, ctx.timezone) : undefined;
      const rem = nextReminder(e, ctx.now, ctx.timezone);
      return html`<p><b>${e.title}</b></p><ul><li>${whenText({ ...occ, allDay: e.allDay }, ctx)}</li>${
        e.location ? html`<li>📍 ${e.location}</li>` : ''
      }${
        e.rrule
          ? html`<li>↻ ${describeRule(e.rrule, ctx.lang, e.timezone ?? ctx.timezone)}${
              e.exdates?.length ? ` (${e.exdates.length} ${de ? 'ausgelassen' : 'skipped'})` : ''
            }${next ? html` — ${de ? 'nächster' : 'next'}: ${ctx.formatDate(next)}` : ''}</li>`
          : ''
      }<li>⏰ ${
        e.reminderMinutes === null || e.reminderMinutes === undefined
          ? de
            ? 'keine Erinnerung'
            : 'no reminder'
          : html`${leadText(e.reminderMinutes, ctx.lang)} ${de ? 'vorher' : 'before'}${
              rem ? html` (${ctx.formatDate(rem.at)})` : ''
            }`
      }</li>${e.notes ? html`<li>📝 ${e.notes.slice(0, 500)}</li>` : ''}</ul>`;
    },
  },
  {
    name: 'delete',
    aliases: { de: ['löschen', 'loeschen', 'lösche'], en: ['delete', 'del', 'rm'] },
    args: [N, { name: 'scope', kind: 'word', optional: true, label: { de: 'alle', en: 'all' } }],
    help: {
      de: 'Löscht Termin N der letzten Liste; bei Serien nur diesen Termin, mit „alle“ die ganze Serie.',
      en: 'Deletes event N of the last list; of a series this one only, with “all” the whole series.',
    },
    run: (ctx, args) => remove(ctx, args.int('n'), args.optionalStr('scope')),
  },
  {
    name: 'move',
    aliases: { de: ['verschieben', 'verschiebe'], en: ['move', 'reschedule'] },
    args: [N, { name: 'when', kind: 'text', label: { de: 'wann', en: 'when' } }],
    help: {
      de: 'Verschiebt Termin N, z. B. „verschieben 2 morgen 15 Uhr“ oder „verschieben 2 16:30“.',
      en: 'Moves event N, e.g. “move 2 tomorrow 3pm” or “move 2 16:30”.',
    },
    run: (ctx, args) => move(ctx, args.int('n'), args.str('when')),
  },
  {
    name: 'reminder',
    aliases: { de: ['erinnerung', 'erinnere'], en: ['reminder', 'remind'] },
    args: [N, { name: 'lead', kind: 'text', label: { de: 'Vorlauf', en: 'lead' } }],
    help: {
      de: 'Erinnerung für Termin N: „erinnerung 2 30“ (Minuten), „erinnerung 2 1h“, „erinnerung 2 keine“. Standard: 15 Min. vorher.',
      en: 'Reminder for event N: “reminder 2 30” (minutes), “reminder 2 1h”, “reminder 2 none”. Default: 15 min before.',
    },
    async run(ctx, args) {
      const lead = parseLead(args.str('lead'));
      if (lead === undefined)
        throw new CommandError('bad lead', {
          de: 'So geht’s: erinnerung <Nummer> 30 | 1h | 1h30 | 1 tag | keine',
          en: 'Usage: reminder <number> 30 | 1h | 1h30 | 1 day | none',
        });
      const { event } = await byNumber(ctx, args.int('n'));
      const after = await update(ctx, event, { reminderMinutes: lead });
      const planned = after ? nextReminder(after, ctx.now, ctx.timezone) : undefined;
      if (lead === null)
        return html`🔕 ${ctx.t({ de: 'Keine Erinnerung mehr für', en: 'No more reminder for' })} <b>${event.title}</b>`;
      return html`⏰ <b>${event.title}</b>: ${leadText(lead, ctx.lang)} ${ctx.t({ de: 'vorher', en: 'before' })}${
        planned
          ? html` — ${ctx.t({ de: 'nächste Erinnerung', en: 'next reminder' })} ${ctx.formatDate(planned.at)}`
          : html` — ${ctx.t({ de: 'keine Erinnerung mehr fällig', en: 'no reminder due any more' })}`
      }`;
    },
  },
  {
    name: 'calendars',
    aliases: { de: ['kalender'], en: ['calendars'] },
    help: {
      de: 'Deine Kalender und wie viele Termine darin sind.',
      en: 'Your calendars and how many events they hold.',
    },
    async run(ctx) {
      const store = await ctx.store(APP);
      const calendars = (await store.list('calendars')).filter((c) => typeof c.name === 'string');
      const events = await allEvents(ctx);
      if (calendars.length === 0)
        return ctx.t(
          {
            de: 'Ein Kalender („Kalender“) mit {n} Terminen.',
            en: 'One calendar (“Calendar”) with {n} events.',
          },
          { n: events.length },
        );
      return html`<p><b>${ctx.t({ de: 'Kalender', en: 'Calendars' })}</b></p><ul>${calendars.map(
        (c) =>
          html`<li>${String(c.name)} (${events.filter((e) => e.calendarId === c.id).length})${c.visible === false ? ' 👁‍🗨' : ''}</li>`,
      )}</ul>`;
    },
  },
  {
    name: 'export',
    aliases: { de: ['export', 'exportieren'], en: ['export', 'ics'] },
    help: { de: 'Schickt deinen Kalender als .ics-Datei.', en: 'Sends your calendar as an .ics file.' },
    run: (ctx) => exportCalendar(ctx),
  },
  {
    name: 'status',
    aliases: { de: ['status', 'stand'], en: ['status', 'stats'] },
    help: {
      de: 'Wie viele Termine, Serien und Erinnerungen du hast.',
      en: 'How many events, series and reminders you have.',
    },
    async run(ctx) {
      const events = await allEvents(ctx);
      const soon = occurrencesIn(events, {
        from: ctx.now,
        to: new Date(ctx.now.getTime() + 14 * DAY_MS),
        timezone: ctx.timezone,
      });
      const reminders = events.filter((e) => nextReminder(e, ctx.now, ctx.timezone)).length;
      const next = soon.find((o) => o.start >= ctx.now);
      const line = ctx.t(
        {
          de: '{n} Termine ({series} Serien) · {soon} in den nächsten 14 Tagen · {rem} Erinnerungen geplant',
          en: '{n} events ({series} series) · {soon} in the next 14 days · {rem} reminders planned',
        },
        { n: events.length, series: events.filter((e) => e.rrule).length, soon: soon.length, rem: reminders },
      );
      return next
        ? html`${line}<br>${ctx.t({ de: 'Als Nächstes', en: 'Next' })}: <b>${next.event.title}</b> — ${whenText({ ...next, allDay: next.event.allDay }, ctx)}`
        : line;
    },
  },
];

// ── reminders firing, and changes from elsewhere ────────────────────────────────────────────────

async function fireReminder(ctx: JobContext, data: Json) {
  if (!isReminderData(data)) return;
  const lang: Lang = await ctx.lang(data.userId);
  const store = await ctx.store(data.userId, APP);
  const event = asEvent(await store.get('events', data.eventId));
  const occurrence = new Date(data.occurrence);
  // Gone, moved, this occurrence deleted, or no reminder wanted any more: a newer job (if any) says it.
  if (!event || event.reminderMinutes === null || event.reminderMinutes === undefined) return;
  if (!occursAt(event, occurrence, data.timezone)) return;
  const end = new Date(occurrence.getTime() + Date.parse(event.end) - Date.parse(event.start));
  const tz = event.timezone ?? data.timezone;
  if (ctx.now.getTime() < end.getTime()) {
    const minutes = Math.max(0, Math.round((occurrence.getTime() - ctx.now.getTime()) / 60_000));
    const lead =
      minutes === 0
        ? lang === 'de'
          ? 'Jetzt'
          : 'Now'
        : `${lang === 'de' ? 'In' : 'In'} ${leadText(minutes, lang)}`;
    await ctx.post(
      data.roomId,
      html`⏰ ${lead}: ${describe({ lang, timezone: tz }, { ...event, reminderMinutes: null }, { event, start: occurrence, end })}${
        event.notes ? html`<br>📝 ${event.notes.slice(0, 300)}` : ''
      }`,
    );
  }
  // A series: the next occurrence's reminder (counted from this one, should the job run a little early).
  if (event.rrule) {
    const after = Math.max(ctx.now.getTime(), occurrence.getTime() - event.reminderMinutes * 60_000 + 1);
    await planReminder(ctx, event, {
      roomId: data.roomId,
      userId: data.userId,
      now: new Date(after),
      timezone: tz,
    });
  }
}

async function userZone(ctx: JobContext, userId: string): Promise<string> {
  const row = await (await ctx.store(userId, SETTINGS_APP)).get(SETTINGS_TABLE, SETTINGS_ROW);
  const tz = typeof row?.timezone === 'string' ? canonicalTimezone(row.timezone) : undefined;
  return tz ?? 'Europe/Berlin';
}

async function onCalendarChange(
  ctx: JobContext,
  change: {
    userId: string;
    roomId: string;
    changes: readonly { table: string; row?: { id: string; [k: string]: unknown } | undefined }[];
  },
) {
  let zone: string | undefined;
  for (const c of change.changes) {
    if (c.table !== 'events' || !c.row) continue;
    const event = asEvent(c.row);
    if (!event) continue;
    // The web app writes no zone with an event: the user's setting then.
    zone ??= event.timezone ?? (await userZone(ctx, change.userId));
    // The old version is not known here; its job, if another, finds its occurrence gone and keeps quiet.
    await planReminder(ctx, event, {
      roomId: change.roomId,
      userId: change.userId,
      now: ctx.now,
      timezone: event.timezone ?? zone,
    });
  }
}

async function confirm(ctx: CommandContext, target: string, yes: boolean) {
  const key = `${PENDING}${target}`;
  const pending = await ctx.state.get<Json>(key);
  if (!pending || typeof pending !== 'object' || Array.isArray(pending)) return undefined;
  const draft = pending.draft;
  const source = typeof pending.source === 'string' ? pending.source : target;
  await ctx.state.set(key, null);
  if (!isDraft(draft)) return undefined;
  if (!yes) return html`🗑️ ${ctx.t({ de: 'Verworfen', en: 'Dropped' })}: ${draft.title}`;
  return save(ctx, draft, idFrom(source, 'event'));
}

export const calendarBot = defineBot({
  id: 'calendar',
  localpart: 'calendar',
  displayName: 'Kalender',
  description: {
    de: 'Termine, Serien und Erinnerungen — dieselben wie in der Web-App',
    en: 'Events, series and reminders — the same as in the web app',
  },
  commands: calendarCommands,
  examples: [
    { de: 'termin Zahnarzt Do 14 Uhr', en: 'event dentist thu 2pm' },
    { de: 'termine', en: 'upcoming' },
    { de: 'Team jeden Montag 9 Uhr', en: 'team every monday 9am' },
  ],
  apps: [APP],
  // Plain text that reads as an event creates one: the same (free) operation as `termin`.
  fallbackCost: 'calendar_event_create',
  fallback: async (ctx, text) => {
    try {
      return await addEvent(ctx, text);
    } catch (err) {
      if (
        err instanceof CommandError &&
        err.cause instanceof CalendarError &&
        err.cause.code === 'ERR_DATE_MISSING'
      )
        throw new CommandError('not an event', {
          de: 'Das habe ich nicht als Termin verstanden — es fehlt, wann. Zum Beispiel: „Zahnarzt Do 14 Uhr“. „hilfe“ zeigt alle Befehle.',
          en: 'I did not read that as an event — when is it? For example: “dentist thu 2pm”. “help” lists all commands.',
        });
      throw err;
    }
  },
  jobs: { [REMINDER_JOB]: fireReminder },
  reactions: {
    '✅': (ctx, { target }) => confirm(ctx, target, true),
    '✔️': (ctx, { target }) => confirm(ctx, target, true),
    '👍': (ctx, { target }) => confirm(ctx, target, true),
    '❌': (ctx, { target }) => confirm(ctx, target, false),
  },
  media: {
    accepts: ['file'],
    handle: (ctx, media) => importFile(ctx, media),
  },
  onDataChange: (ctx, change) => onCalendarChange(ctx, change),
});
