/**
 * The app's state and actions. Rows come from the replica (IndexedDB through the sync engine or,
 * in follower tabs, Dexie live queries); every action writes to the replica and returns at once.
 */
import { CREDITS_AUDIENCE, SYNC_AUDIENCE } from '@mana/auth-client/urns';
import { createCreditsClient, type CreditsClient } from '@mana/credits';
import type { Row } from '@mana/sync-client';
import { createDexieStorage } from '@mana/sync-client/dexie';
import type { SyncStorage } from '@mana/sync-client';
import { Dexie } from 'dexie';
import type { AppConfig } from './config.ts';
import { dropLeftoverSeeds, GUEST_DB, mergeGuestInto, seedIfNew } from './guest.ts';
import { translate, type Lang, type MessageKey } from './i18n.ts';
import { withLock } from './locks.ts';
import { openReplica, type Replica, type ReplicaStatus } from './replica.ts';
import { SESSION_KEY, SessionError, type Session } from './session.ts';

export type Task = Row<'todo', 'tasks'>;
export type Project = Row<'todo', 'projects'>;
export type Calendar = Row<'calendar', 'calendars'>;
export type CalEvent = Row<'calendar', 'events'>;
export type Favorite = Row<'zitare', 'favorites'>;
export type QuoteList = Row<'zitare', 'lists'>;
export type Timer = Row<'clock', 'timers'>;
export type Alarm = Row<'clock', 'alarms'>;
/** The views, each reachable as `#/<route>` and as the path `/<route>` (the links bots send). */
export const ROUTES = ['todo', 'calendar', 'clock', 'quotes', 'account', 'credits'] as const;
export type Route = (typeof ROUTES)[number];
export interface User {
  sub: string;
  username: string | null;
  email: string | null;
}

export const LANG_KEY = 'mana:lang';
const CLIENT_ID_KEY = 'mana:clientId';
export const DEFAULT_CALENDAR = 'default';

const isRoute = (v: string | undefined): v is Route => (ROUTES as readonly string[]).includes(v ?? '');

export function routeOf(hash: string, current: Route = 'todo'): Route {
  const m = /^#\/([a-z]+)\b/.exec(hash)?.[1];
  return isRoute(m) ? m : hash.startsWith('#/') || hash === '' ? 'todo' : current;
}

/**
 * The hash route a path such as `/credits` (a link a bot sent) names, or null for any other path.
 * The app routes by hash; start-up rewrites such a path to `/#/credits`.
 */
export function routeOfPath(pathname: string): Route | null {
  const m = /^\/([a-z]+)\/?$/.exec(pathname)?.[1];
  return isRoute(m) ? m : null;
}

/** Stable per browser profile; part of every clock this device issues. */
export function deviceClientId(storage: Storage = localStorage): string {
  let id = storage.getItem(CLIENT_ID_KEY);
  if (!id || !/^web-[a-z0-9]{6,32}$/.test(id)) {
    id = `web-${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
    storage.setItem(CLIENT_ID_KEY, id);
  }
  return id;
}

export const newId = (): string => crypto.randomUUID();

/** A due date and time as the editor's inputs give them (`''` is empty): no time without a date. */
export function dueFields(date: string, time: string): { dueDate: string | null; dueTime: string | null } {
  const dueDate = date || null;
  return { dueDate, dueTime: dueDate && time ? time : null };
}

/** Notes as the editor gives them: surrounding blank space dropped, empty is none. */
export const notesValue = (text: string): string | null => text.trim() || null;

export interface AppOptions {
  config: AppConfig;
  session: Session;
  lang: Lang;
  /** A message to show at start (a failed sign-in). */
  notice?: string | null;
}

export class AppState {
  tasks = $state.raw<Task[]>([]);
  projects = $state.raw<Project[]>([]);
  calendars = $state.raw<Calendar[]>([]);
  events = $state.raw<CalEvent[]>([]);
  /** The zitare bot's favorites and lists (quote ids; the texts ship with `@mana/quotes`). */
  favorites = $state.raw<Favorite[]>([]);
  quoteLists = $state.raw<QuoteList[]>([]);
  timers = $state.raw<Timer[]>([]);
  alarms = $state.raw<Alarm[]>([]);
  status = $state.raw<ReplicaStatus>({ state: 'local', pending: 0, leader: false });
  lang = $state<Lang>('en');
  user = $state.raw<User | null>(null);
  notice = $state<string | null>(null);
  route = $state<Route>('todo');
  /** True once the first rows arrived from the local store. */
  loaded = $state(false);

  readonly config: AppConfig;
  readonly session: Session;
  readonly credits: CreditsClient;
  replica: Replica | undefined;
  private offs: (() => void)[] = [];

  constructor(o: AppOptions) {
    this.config = o.config;
    this.session = o.session;
    this.lang = o.lang;
    this.notice = o.notice ?? null;
    this.credits = createCreditsClient({
      baseUrl: o.config.creditsUrl,
      getToken: () => o.session.getToken(CREDITS_AUDIENCE),
    });
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string =>
    translate(this.lang, key, params);

  setLang(lang: Lang): void {
    this.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
    document.documentElement.lang = lang;
  }

  start(): void {
    const current = this.session.current;
    this.user = current ? { sub: current.sub, username: current.username, email: current.email } : null;
    const clientId = deviceClientId();
    const onError = (err: unknown) => {
      if (err instanceof SessionError && err.code === 'ERR_SESSION_EXPIRED')
        this.notice = this.t('sessionExpired');
    };
    this.replica = current
      ? openReplica({
          dbName: `mana-sync:${current.sub}`,
          clientId,
          network: { baseUrl: this.config.syncUrl, getToken: () => this.session.getToken(SYNC_AUDIENCE) },
          prepare: (storage) => uploadGuestData(storage),
          afterFirstSync: dropLeftoverSeeds,
          onError,
        })
      : openReplica({
          dbName: GUEST_DB,
          clientId,
          network: null,
          prepare: (storage) => seedIfNew(storage, this.lang).then(() => {}),
          onError,
        });
    const r = this.replica;
    this.offs.push(
      r.subscribe('todo', 'tasks', (rows) => {
        this.tasks = rows;
        this.loaded = true;
      }),
      r.subscribe('todo', 'projects', (rows) => (this.projects = rows)),
      r.subscribe('calendar', 'calendars', (rows) => (this.calendars = rows)),
      r.subscribe('calendar', 'events', (rows) => (this.events = rows)),
      r.subscribe('zitare', 'favorites', (rows) => (this.favorites = rows)),
      r.subscribe('zitare', 'lists', (rows) => (this.quoteLists = rows)),
      r.subscribe('clock', 'timers', (rows) => (this.timers = rows)),
      r.subscribe('clock', 'alarms', (rows) => (this.alarms = rows)),
      r.onStatus((s) => (this.status = s)),
    );
    // Signed in or out in another tab: this tab follows.
    const onStorage = (e: StorageEvent) => {
      if (e.key !== SESSION_KEY) return;
      if ((this.session.current?.sub ?? null) !== (this.user?.sub ?? null)) location.reload();
    };
    window.addEventListener('storage', onStorage);
    this.offs.push(() => window.removeEventListener('storage', onStorage));
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    await this.replica?.close();
  }

  // ── tasks ──────────────────────────────────────────────────────────────────────────────────────
  async addTask(t: {
    title: string;
    priority: number;
    dueDate?: string | null;
    dueTime?: string | null;
    projectId?: string | null;
  }): Promise<string> {
    const id = newId();
    const maxOrder = this.tasks.reduce((m, x) => Math.max(m, x.order ?? 0), 0);
    await this.write().put('todo', 'tasks', id, {
      title: t.title,
      priority: t.priority,
      completed: false,
      ...dueFields(t.dueDate ?? '', t.dueTime ?? ''),
      projectId: t.projectId ?? null,
      order: maxOrder + 1,
      createdAt: new Date().toISOString(),
    });
    return id;
  }

  updateTask(id: string, fields: Partial<Omit<Task, 'id'>>): Promise<void> {
    return this.write().put('todo', 'tasks', id, fields);
  }

  toggleTask(task: Task): Promise<void> {
    const completed = !task.completed;
    return this.updateTask(task.id, { completed, completedAt: completed ? new Date().toISOString() : null });
  }

  deleteTask(id: string): Promise<void> {
    return this.write().delete('todo', 'tasks', id);
  }

  async addProject(name: string): Promise<string> {
    const id = newId();
    await this.write().put('todo', 'projects', id, { name, order: this.projects.length });
    return id;
  }

  async deleteProject(id: string): Promise<void> {
    const r = this.write();
    await Promise.all(
      this.tasks
        .filter((t) => t.projectId === id)
        .map((t) => r.put('todo', 'tasks', t.id, { projectId: null })),
    );
    await r.delete('todo', 'projects', id);
  }

  // ── calendar ───────────────────────────────────────────────────────────────────────────────────
  private async ensureCalendar(): Promise<string> {
    const existing = this.calendars[0];
    if (existing) return existing.id;
    // A fixed id: two devices creating "the default calendar" create the same row.
    await this.write().put('calendar', 'calendars', DEFAULT_CALENDAR, {
      name: this.t('defaultCalendar'),
      visible: true,
    });
    return DEFAULT_CALENDAR;
  }

  async saveEvent(
    id: string | null,
    e: {
      title: string;
      start: string;
      end: string;
      allDay: boolean;
      location?: string | null;
      reminderMinutes?: number | null;
    },
  ): Promise<string> {
    const eventId = id ?? newId();
    const calendarId = id ? undefined : await this.ensureCalendar();
    await this.write().put('calendar', 'events', eventId, {
      ...(calendarId ? { calendarId } : {}),
      title: e.title,
      start: e.start,
      end: e.end,
      allDay: e.allDay,
      location: e.location || null,
      ...(e.reminderMinutes === undefined ? {} : { reminderMinutes: e.reminderMinutes }),
    });
    return eventId;
  }

  deleteEvent(id: string): Promise<void> {
    return this.write().delete('calendar', 'events', id);
  }

  // ── quotes ─────────────────────────────────────────────────────────────────────────────────────
  removeFavorite(id: string): Promise<void> {
    return this.write().delete('zitare', 'favorites', id);
  }

  removeFromList(list: QuoteList, quoteId: string): Promise<void> {
    return this.write().put('zitare', 'lists', list.id, {
      quoteIds: (list.quoteIds ?? []).filter((q) => q !== quoteId),
    });
  }

  deleteQuoteList(id: string): Promise<void> {
    return this.write().delete('zitare', 'lists', id);
  }

  // ── clock ──────────────────────────────────────────────────────────────────────────────────────
  // The same fields the clock bot writes: a running timer has `endsAt`, a paused one `remainingMs`;
  // the bot watches these rows and moves or cancels its end job.
  async startTimer(durationMs: number, label: string | null): Promise<string> {
    const id = newId();
    const now = Date.now();
    await this.write().put('clock', 'timers', id, {
      label,
      durationMs,
      state: 'running',
      startedAt: new Date(now).toISOString(),
      remainingMs: durationMs,
      endsAt: new Date(now + durationMs).toISOString(),
      doneAt: null,
    });
    return id;
  }

  pauseTimer(t: Timer): Promise<void> {
    const left = t.endsAt
      ? Math.max(0, Date.parse(t.endsAt) - Date.now())
      : (t.remainingMs ?? t.durationMs ?? 0);
    return this.write().put('clock', 'timers', t.id, { state: 'paused', remainingMs: left, endsAt: null });
  }

  resumeTimer(t: Timer): Promise<void> {
    const left = t.remainingMs ?? t.durationMs ?? 0;
    const now = Date.now();
    return this.write().put('clock', 'timers', t.id, {
      state: 'running',
      startedAt: new Date(now).toISOString(),
      remainingMs: left,
      endsAt: new Date(now + left).toISOString(),
    });
  }

  deleteTimer(id: string): Promise<void> {
    return this.write().delete('clock', 'timers', id);
  }

  async addAlarm(time: string, days: number[], label: string | null): Promise<string> {
    const id = newId();
    await this.write().put('clock', 'alarms', id, {
      time,
      days,
      label,
      enabled: true,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    return id;
  }

  toggleAlarm(a: Alarm): Promise<void> {
    return this.write().put('clock', 'alarms', a.id, { enabled: !a.enabled, snoozedUntil: null });
  }

  deleteAlarm(id: string): Promise<void> {
    return this.write().delete('clock', 'alarms', id);
  }

  // ── account ────────────────────────────────────────────────────────────────────────────────────
  signIn(): Promise<never> {
    return this.session.signIn(location.hash || '#/todo');
  }

  async signOut(): Promise<void> {
    const sub = this.user?.sub;
    const r = this.replica;
    if (r && r.status.pending > 0) {
      r.syncNow();
      await waitFor(() => r.status.pending === 0, 3000);
    }
    const clean = (r?.status.pending ?? 0) === 0;
    await this.stop();
    const url = await this.session.signOut();
    // Keep a replica that still holds unsent changes: they go out at the next sign-in.
    if (sub && clean) await Dexie.delete(`mana-sync:${sub}`).catch(() => {});
    location.assign(url ?? '/#/todo');
  }

  private write(): Replica {
    if (!this.replica) throw new Error('the app has not started');
    return this.replica;
  }
}

function waitFor(check: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const tick = () => (check() || Date.now() > deadline ? resolve() : setTimeout(tick, 50));
    tick();
  });
}

/**
 * Runs in the account replica's leader before its engine starts: moves the guest replica's rows in,
 * then deletes it. Holds the guest replica's leader lock, so no guest tab writes meanwhile.
 */
export async function uploadGuestData(target: SyncStorage): Promise<void> {
  await withLock(`mana:leader:${GUEST_DB}`, async () => {
    if (!(await Dexie.exists(GUEST_DB))) return;
    const guest = createDexieStorage({ name: GUEST_DB });
    await mergeGuestInto(guest, target);
    await guest.close?.();
    await Dexie.delete(GUEST_DB);
  });
}
