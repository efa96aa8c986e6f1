/**
 * The morning summary: today's and overdue tasks (todo), today's events (calendar), alarms that
 * ring today (clock), the quote of the day and the credit balance. It reads the other apps' rows
 * through sync, so it works whether or not their bots run; a section appears only with data.
 */
import {
  formatCredits,
  html,
  type AppId,
  type CreditBalance,
  type Html,
  type Lang,
  type StoredRow,
  type TypedAppStore,
} from '@mana/bot-runtime';
import { addDays, wallOf, wallToInstant } from '@mana/bot-runtime/zone';
import { attribution, quoteOfTheDay, type Quote } from '@mana/quotes';
import { occurrencesOn, type EventRow, type Occurrence } from './occurrences.ts';

export interface SummarySources {
  now: Date;
  timezone: string;
  /** The user's rows of one sync app. */
  store<A extends AppId>(appId: A): Promise<TypedAppStore<A>>;
  balance(): Promise<CreditBalance>;
}

export interface SummaryTask {
  title: string;
  dueDate: string;
  dueTime?: string | undefined;
  priority: number;
  overdue: boolean;
}

export interface SummaryAlarm {
  time: string;
  label?: string | undefined;
}

export interface SummaryData {
  /** `YYYY-MM-DD` in the user's zone. */
  day: string;
  timezone: string;
  tasks: SummaryTask[];
  events: Occurrence[];
  alarms: SummaryAlarm[];
  quote: Quote;
  /** Available milli-credits; undefined when the credits service did not answer. */
  available?: number | undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

function isoDay(w: { year: number; month: number; day: number }): string {
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

function tasksOf(rows: StoredRow<'todo', 'tasks'>[], day: string): SummaryTask[] {
  return rows
    .flatMap((r): SummaryTask[] => {
      const { title, dueDate } = r;
      if (!title || !dueDate || r.completed === true || dueDate > day) return [];
      const priority = r.priority ?? 4;
      return [{ title, dueDate, dueTime: r.dueTime ?? undefined, priority, overdue: dueDate < day }];
    })
    .sort(
      (a, b) =>
        Number(b.overdue) - Number(a.overdue) ||
        a.dueDate.localeCompare(b.dueDate) ||
        (a.dueTime ?? '99').localeCompare(b.dueTime ?? '99') ||
        a.priority - b.priority,
    );
}

function isEventRow(r: StoredRow<'calendar', 'events'>): r is EventRow {
  return r.title !== undefined && r.start !== undefined && r.end !== undefined && r.allDay !== undefined;
}

/** Enabled alarms that ring today: on today's weekday, or once and still ahead today. */
function alarmsOf(rows: StoredRow<'clock', 'alarms'>[], now: Date, timezone: string): SummaryAlarm[] {
  const w = wallOf(now, timezone);
  const nowTime = `${pad(w.hour)}:${pad(w.minute)}`;
  return rows
    .flatMap((r): SummaryAlarm[] => {
      const { time } = r;
      if (!time || r.enabled !== true) return [];
      const days = r.days ?? [];
      const today = days.length === 0 ? time >= nowTime : days.includes(w.weekday);
      return today ? [{ time, label: r.label ?? undefined }] : [];
    })
    .sort((a, b) => a.time.localeCompare(b.time));
}

/** Reads what the summary shows. An app the user never used simply has no rows. */
export async function gatherSummary(src: SummarySources): Promise<SummaryData> {
  const w = wallOf(src.now, src.timezone);
  const day = isoDay(w);
  const dayStart = wallToInstant(
    { year: w.year, month: w.month, day: w.day, hour: 0, minute: 0 },
    src.timezone,
  );
  const dayEnd = wallToInstant(addDays(w, 1), src.timezone);
  const [todo, calendar, clock] = await Promise.all([
    src.store('todo'),
    src.store('calendar'),
    src.store('clock'),
  ]);
  const [tasks, events, alarms, balance] = await Promise.all([
    todo.list('tasks'),
    calendar.list('events'),
    clock.list('alarms'),
    src.balance().catch(() => undefined),
  ]);
  return {
    day,
    timezone: src.timezone,
    tasks: tasksOf(tasks, day),
    events: events
      .filter(isEventRow)
      .flatMap((e) => occurrencesOn(e, { start: dayStart, end: dayEnd, timezone: src.timezone }))
      .sort((a, b) => Number(b.allDay) - Number(a.allDay) || a.start.getTime() - b.start.getTime()),
    alarms: alarmsOf(alarms, src.now, src.timezone),
    quote: quoteOfTheDay(day),
    available: balance?.available,
  };
}

const T = {
  title: { de: 'Guten Morgen! ☀️ Dein Tag', en: 'Good morning! ☀️ Your day' },
  tasks: { de: 'Aufgaben', en: 'Tasks' },
  overdue: { de: 'überfällig', en: 'overdue' },
  events: { de: 'Termine', en: 'Events' },
  allDay: { de: 'ganztägig', en: 'all day' },
  alarms: { de: 'Wecker', en: 'Alarms' },
  quote: { de: 'Zitat des Tages', en: 'Quote of the day' },
  credits: { de: 'Guthaben', en: 'Credits' },
  available: { de: 'verfügbar', en: 'available' },
} as const;

function timeIn(d: Date, timezone: string): string {
  const w = wallOf(d, timezone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

function dateLabel(day: string, lang: Lang): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)));
}

/** The summary as one message; sections without data are left out. */
export function renderSummary(data: SummaryData, lang: Lang): Html {
  const t = (k: keyof typeof T) => T[k][lang];
  const due = (task: SummaryTask) =>
    task.overdue
      ? html` — <i>⚠ ${t('overdue')} (${task.dueDate})</i>`
      : task.dueTime
        ? html` — ${task.dueTime}`
        : '';
  return html`<p><b>${t('title')}</b> — ${dateLabel(data.day, lang)}</p>${
    data.tasks.length > 0
      ? html`<p><b>✅ ${t('tasks')}</b></p><ul>${data.tasks.map((task) => html`<li>${task.title}${due(task)}</li>`)}</ul>`
      : ''
  }${
    data.events.length > 0
      ? html`<p><b>📅 ${t('events')}</b></p><ul>${data.events.map(
          (e) =>
            html`<li>${e.allDay ? t('allDay') : `${timeIn(e.start, data.timezone)}–${timeIn(e.end, data.timezone)}`} ${e.title}${
              e.location ? ` (${e.location})` : ''
            }</li>`,
        )}</ul>`
      : ''
  }${
    data.alarms.length > 0
      ? html`<p><b>⏰ ${t('alarms')}</b></p><ul>${data.alarms.map(
          (a) => html`<li>${a.time}${a.label ? ` ${a.label}` : ''}</li>`,
        )}</ul>`
      : ''
  }<p><b>💬 ${t('quote')}</b></p><blockquote>${data.quote.text}</blockquote><p>— ${attribution(data.quote)}</p>${
    data.available === undefined
      ? ''
      : html`<p><b>🪙 ${t('credits')}</b>: ${formatCredits(data.available, lang)} ${t('available')}</p>`
  }`;
}
