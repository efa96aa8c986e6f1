/** German and English texts; `de` is the reference, `en` must have every key (a test checks). */
import { interpolate, isLang, matchLang, type Lang } from '@mana/i18n';

// The one Lang of the monorepo, re-exported under the names the components import.
export { isLang, LANGUAGES as LANGS, type Lang } from '@mana/i18n';

const de = {
  appName: 'Mana',
  navTodo: 'Aufgaben',
  navCalendar: 'Kalender',
  navAccount: 'Konto',
  mainNav: 'Hauptnavigation',
  language: 'Sprache',
  skipToContent: 'Zum Inhalt springen',
  loading: 'Wird geladen …',
  // sync indicator
  syncLocal: 'Gast · nur auf diesem Gerät',
  syncSynced: 'Synchronisiert',
  syncSyncing: 'Synchronisiere …',
  syncPending: 'Ausstehend',
  syncOffline: 'Offline',
  syncError: 'Sync-Fehler',
  syncPendingCount: '{n} ausstehend',
  syncNow: 'Jetzt synchronisieren',
  // todo
  lists: 'Listen',
  allTasks: 'Alle Aufgaben',
  inbox: 'Eingang',
  newList: 'Neue Liste',
  addList: 'Liste anlegen',
  deleteList: 'Liste „{name}“ löschen',
  newTask: 'Neue Aufgabe',
  newTaskPlaceholder: 'Was ist zu tun?',
  add: 'Hinzufügen',
  priority: 'Priorität',
  prio1: 'P1 · dringend',
  prio2: 'P2 · hoch',
  prio3: 'P3 · mittel',
  prio4: 'P4 · normal',
  dueDate: 'Fällig',
  dueTime: 'Uhrzeit',
  setDueTime: 'Uhrzeit für „{title}“ festlegen',
  editDueTime: 'Uhrzeit von „{title}“ ändern',
  notes: 'Notizen',
  editNotes: 'Notizen zu „{title}“ bearbeiten',
  list: 'Liste',
  noList: 'Keine Liste',
  complete: '„{title}“ erledigt',
  editTitle: 'Titel von „{title}“ bearbeiten',
  deleteTask: '„{title}“ löschen',
  save: 'Speichern',
  cancel: 'Abbrechen',
  edit: 'Bearbeiten',
  delete: 'Löschen',
  openTasks: 'Offen',
  completedTasks: 'Erledigt ({n})',
  noTasks: 'Keine offenen Aufgaben. Schön!',
  overdue: 'überfällig',
  today: 'heute',
  // calendar
  agenda: 'Termine',
  upcoming: 'Demnächst',
  noEvents: 'Keine anstehenden Termine.',
  newEvent: 'Neuer Termin',
  editEvent: 'Termin bearbeiten',
  title: 'Titel',
  date: 'Datum',
  start: 'Beginn',
  end: 'Ende',
  allDay: 'Ganztägig',
  location: 'Ort',
  endBeforeStart: 'Das Ende liegt vor dem Beginn.',
  defaultCalendar: 'Persönlich',
  // account
  account: 'Konto',
  guestTitle: 'Du nutzt Mana als Gast',
  guestText:
    'Deine Aufgaben und Termine bleiben auf diesem Gerät. Melde dich an, um sie mit deinen anderen Geräten und den Bots in Matrix zu synchronisieren – was du als Gast angelegt oder geändert hast, kommt mit.',
  signIn: 'Anmelden',
  signOut: 'Abmelden',
  signedInAs: 'Angemeldet als {name}',
  credits: 'Credits',
  creditsGuest:
    'Credits bezahlen aufwendige Arbeit der Bots. Melde dich an, um dein Guthaben und deine Buchungen zu sehen.',
  balance: 'Guthaben',
  available: 'Verfügbar',
  held: 'Reserviert',
  transactions: 'Letzte Buchungen',
  noTransactions: 'Noch keine Buchungen.',
  when: 'Wann',
  what: 'Was',
  amount: 'Betrag',
  creditsUnavailable: 'Credits können gerade nicht geladen werden.',
  reload: 'Neu laden',
  kind_grant: 'Gutschrift',
  kind_reserve: 'Reserviert',
  kind_commit: 'Abgerechnet',
  kind_release: 'Freigegeben',
  kind_refund: 'Erstattung',
  kind_gift: 'Geschenk',
  signInFailed: 'Anmeldung fehlgeschlagen: {error}',
  sessionExpired: 'Deine Sitzung ist abgelaufen. Bitte melde dich erneut an.',
  configError: 'Die App ist falsch konfiguriert: {error}',
};

export type MessageKey = keyof typeof de;
type Messages = Record<MessageKey, string>;

const en: Messages = {
  appName: 'Mana',
  navTodo: 'Tasks',
  navCalendar: 'Calendar',
  navAccount: 'Account',
  mainNav: 'Main navigation',
  language: 'Language',
  skipToContent: 'Skip to content',
  loading: 'Loading…',
  syncLocal: 'Guest · on this device only',
  syncSynced: 'Synced',
  syncSyncing: 'Syncing…',
  syncPending: 'Pending',
  syncOffline: 'Offline',
  syncError: 'Sync error',
  syncPendingCount: '{n} pending',
  syncNow: 'Sync now',
  lists: 'Lists',
  allTasks: 'All tasks',
  inbox: 'Inbox',
  newList: 'New list',
  addList: 'Add list',
  deleteList: 'Delete list “{name}”',
  newTask: 'New task',
  newTaskPlaceholder: 'What needs doing?',
  add: 'Add',
  priority: 'Priority',
  prio1: 'P1 · urgent',
  prio2: 'P2 · high',
  prio3: 'P3 · medium',
  prio4: 'P4 · normal',
  dueDate: 'Due',
  dueTime: 'Time',
  setDueTime: 'Set a time for “{title}”',
  editDueTime: 'Change the time of “{title}”',
  notes: 'Notes',
  editNotes: 'Edit the notes of “{title}”',
  list: 'List',
  noList: 'No list',
  complete: 'Complete “{title}”',
  editTitle: 'Edit title of “{title}”',
  deleteTask: 'Delete “{title}”',
  save: 'Save',
  cancel: 'Cancel',
  edit: 'Edit',
  delete: 'Delete',
  openTasks: 'Open',
  completedTasks: 'Completed ({n})',
  noTasks: 'No open tasks. Nice!',
  overdue: 'overdue',
  today: 'today',
  agenda: 'Agenda',
  upcoming: 'Upcoming',
  noEvents: 'No upcoming events.',
  newEvent: 'New event',
  editEvent: 'Edit event',
  title: 'Title',
  date: 'Date',
  start: 'Start',
  end: 'End',
  allDay: 'All day',
  location: 'Location',
  endBeforeStart: 'The end is before the start.',
  defaultCalendar: 'Personal',
  account: 'Account',
  guestTitle: 'You are using Mana as a guest',
  guestText:
    'Your tasks and events stay on this device. Sign in to sync them with your other devices and the bots in Matrix – what you added or changed as a guest comes along.',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signedInAs: 'Signed in as {name}',
  credits: 'Credits',
  creditsGuest: 'Credits pay for the bots’ costly work. Sign in to see your balance and transactions.',
  balance: 'Balance',
  available: 'Available',
  held: 'Held',
  transactions: 'Recent transactions',
  noTransactions: 'No transactions yet.',
  when: 'When',
  what: 'What',
  amount: 'Amount',
  creditsUnavailable: 'Credits cannot be loaded right now.',
  reload: 'Reload',
  kind_grant: 'Grant',
  kind_reserve: 'Reserved',
  kind_commit: 'Charged',
  kind_release: 'Released',
  kind_refund: 'Refund',
  kind_gift: 'Gift',
  signInFailed: 'Sign-in failed: {error}',
  sessionExpired: 'Your session has expired. Please sign in again.',
  configError: 'The app is misconfigured: {error}',
};

export const messages: Record<Lang, Messages> = { de, en };

/** The locale dates and times are shown in (24-hour clock in both). */
export function localeOf(lang: Lang): string {
  return lang === 'de' ? 'de-DE' : 'en-GB';
}

/** A stored `HH:MM` (a task's due time) as the language shows times. */
export function formatTime(hhmm: string, lang: Lang): string {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return hhmm;
  return new Intl.DateTimeFormat(localeOf(lang), {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  }).format(Date.UTC(1970, 0, 1, Number(m[1]), Number(m[2])));
}

/** The saved choice, else the browser's first language we have, else English. */
export function pickLang(saved: string | null, browser: readonly string[]): Lang {
  if (isLang(saved)) return saved;
  return matchLang(browser) ?? 'en';
}

/** `translate('en', 'syncPendingCount', { n: 2 })` → `'2 pending'`. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return interpolate(messages[lang][key], params);
}
