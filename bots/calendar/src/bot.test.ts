import type { JobContext } from '@mana/bot-runtime';
import { createTestHarness, typedStore, type TestHarness } from '@mana/bot-runtime/testing';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarBot } from './bot.ts';
import { reminderJobId } from './reminders.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';
const BOT = '@calendar:mana.test';
// Thursday 19 November 2026, 10:00 in Berlin.
const T0 = new Date('2026-11-19T09:00:00Z');

function setup() {
  const clock = { now: T0 };
  const h = createTestHarness({
    bots: [calendarBot],
    linked: [alice],
    costs: { calendar_event_create: 0 },
    now: () => clock.now,
  });
  h.members.set(dm, [alice, BOT]);
  return { h, clock };
}

const events = (h: TestHarness) => h.stores.rows(alice, 'calendar', 'events');
const reminders = (h: TestHarness) =>
  [...h.scheduler.jobs.values()].filter((j) => j.botId === 'calendar' && j.name === 'reminder');
const posts = (h: TestHarness, from: number) =>
  h.matrix.sent
    .slice(from)
    .filter((e) => e.type === 'm.room.message')
    .map((e) => String(e.content.body));

async function fire(h: TestHarness, job: { jobId: string; data: unknown }) {
  await h.dispatcher.runJob({ botId: 'calendar', name: 'reminder', jobId: job.jobId, data: job.data });
}

async function react(h: TestHarness, target: string, key: string) {
  const before = h.matrix.sent.length;
  await h.dispatcher.handle({
    event_id: `$react-${Math.random().toString(36).slice(2)}`,
    room_id: dm,
    type: 'm.reaction',
    sender: alice,
    content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key } },
  });
  return posts(h, before);
}

/** A JobContext as the runtime gives `onDataChange`, on the harness's ports. */
function jobContext(h: TestHarness, now: Date): JobContext {
  return {
    bot: { id: 'calendar', userId: BOT, displayName: 'Kalender', description: { de: '', en: '' } },
    jobId: 'watch',
    log: { debug() {}, info() {}, warn() {}, error() {}, child: () => jobContext(h, now).log } as never,
    now,
    post: async () => undefined,
    store: async (u, a) => typedStore(await h.stores.forUser(u, a)),
    lang: async () => 'de',
    postContent: async () => '',
    upload: () => Promise.reject(new Error('the calendar bot uploads nothing from a job')),
    balance: () => Promise.reject(new Error('the calendar bot reads no balances')),
    once: async (_id, fn) => (await fn(), true),
    state: (u) => ({
      get: (k) => h.kv.get('calendar', `user:${u}`, k),
      set: (k, v) => h.kv.set('calendar', `user:${u}`, k, v),
    }),
    schedule: (name, data, o) =>
      h.scheduler.schedule({ botId: 'calendar', name, data, jobId: o.jobId, at: o.at }),
    cancel: (id) => h.scheduler.cancel(id),
    moveJob: (id, at) => h.scheduler.move(id, at),
  };
}

describe('calendar bot', () => {
  it('termin …: stored in the calendar stream at the right instant, in her zone; a 15-minute reminder queued', async () => {
    const { h } = setup();
    const [reply] = await h.ask(alice, dm, 'termin Zahnarzt morgen 14:30 in Praxis Dr. Weiß');
    expect(reply?.split('\n\n')[0]).toBe(
      '📅 Neuer Termin: Zahnarzt — Fr., 20. Nov. 2026, 14:30–15:30 · 📍 Praxis Dr. Weiß · ⏰ 15 Min. vorher',
    );
    const [row] = events(h);
    expect(row).toMatchObject({
      calendarId: 'default',
      title: 'Zahnarzt',
      start: '2026-11-20T13:30:00.000Z',
      end: '2026-11-20T14:30:00.000Z',
      allDay: false,
      location: 'Praxis Dr. Weiß',
      timezone: 'Europe/Berlin',
      reminderMinutes: 15,
    });
    expect(h.stores.rows(alice, 'calendar', 'calendars')).toEqual([
      expect.objectContaining({ id: 'default', name: 'Kalender' }),
    ]);
    const [job] = reminders(h);
    expect(job?.jobId).toBe(reminderJobId(row!.id, new Date('2026-11-20T13:30:00Z')));
    expect(job?.at.toISOString()).toBe('2026-11-20T13:15:00.000Z');
  });

  it('plain text that reads as an event creates one; text without a date gets a hint, nothing written', async () => {
    const { h } = setup();
    const [ok] = await h.ask(alice, dm, 'Friseur am 24.11. 9:30–10:15 erinnerung 1h');
    expect(ok).toContain('📅 Neuer Termin: Friseur — Di., 24. Nov. 2026, 09:30–10:15 · ⏰ 1 Std. vorher');
    expect(events(h)[0]).toMatchObject({ start: '2026-11-24T08:30:00.000Z', reminderMinutes: 60 });
    const [no] = await h.ask(alice, dm, 'Milch kaufen');
    expect(no).toContain('Das habe ich nicht als Termin verstanden');
    expect(events(h)).toHaveLength(1);
  });

  it('morgen 18 Uhr Sport is an event; morgen alone the list', async () => {
    const { h } = setup();
    const [made] = await h.ask(alice, dm, 'morgen 18 Uhr Sport ohne erinnerung');
    expect(made).toContain('Sport — Fr., 20. Nov. 2026, 18:00–19:00');
    expect(events(h)[0]).toMatchObject({ start: '2026-11-20T17:00:00.000Z', reminderMinutes: null });
    expect(reminders(h)).toEqual([]);
    const [list] = await h.ask(alice, dm, 'morgen');
    expect(list).toBe('Morgen\n1. 18:00–19:00 Sport');
  });

  it('malformed input: termin am 31.02., a 100,000-occurrence series, 25:99 — one short line each, nothing written', async () => {
    const { h } = setup();
    const [feb] = await h.ask(alice, dm, 'termin Party am 31.02.');
    expect(feb?.split('\n\n')[0]).toBe('„am 31.02.“ ist kein gültiges Datum oder keine gültige Uhrzeit.');
    const [many] = await h.ask(alice, dm, 'termin Standup täglich 9 Uhr 100000 mal');
    expect(many).toBe('Diese Serie hätte 100.000 Termine — ich lege höchstens 5.000 an.');
    const [late] = await h.ask(alice, dm, 'termin Kino morgen 25:99');
    expect(late).toMatch(/kein gültiges Datum/);
    const [usage] = await h.ask(alice, dm, 'termin');
    expect(usage).toMatch(/^So geht’s: termin <Termin>/);
    expect(events(h)).toEqual([]);
    expect(reminders(h)).toEqual([]);
  });

  it('an unsure parse is echoed for ✅/❌: ❌ drops it, ✅ saves it once', async () => {
    const { h } = setup();
    const [echo] = await h.say(alice, dm, 'termin Treffen mit Ben um 5');
    expect(String(echo?.content.body)).toMatch(
      /^🤔 Meinst du: Treffen mit Ben — .*05:00–06:00.*\n✅ speichert ihn, ❌ verwirft ihn/,
    );
    expect(events(h)).toEqual([]);
    expect(await react(h, echo!.eventId, '❌')).toEqual(['🗑️ Verworfen: Treffen mit Ben']);
    expect(await react(h, echo!.eventId, '✅')).toEqual([]); // already answered
    expect(events(h)).toEqual([]);

    const [again] = await h.say(alice, dm, 'Treffen mit Ben um 5');
    const [saved] = await react(h, again!.eventId, '✅');
    expect(saved).toMatch(/^📅 Neuer Termin: Treffen mit Ben — Fr., 20. Nov. 2026, 05:00–06:00/);
    expect(await react(h, again!.eventId, '✅')).toEqual([]);
    expect(events(h)).toHaveLength(1);
  });

  it('heute / woche / termine list occurrences numbered; details N shows the event', async () => {
    const { h } = setup();
    await h.ask(alice, dm, 'termin Mittag heute 12:00 bei Luigi');
    await h.ask(alice, dm, 'termin Team jeden Montag 9 Uhr');
    await h.ask(alice, dm, 'termin Urlaub am 2.12. ganztägig');
    expect((await h.ask(alice, dm, 'heute'))[0]).toBe('Heute\n1. 12:00–13:00 Mittag · 📍 Luigi');
    const [week] = await h.ask(alice, dm, 'woche');
    expect(week).toBe(
      'Diese Woche\n1. Do., 19. Nov. 2026 12:00–13:00 Mittag · 📍 Luigi\n2. Mo., 23. Nov. 2026 09:00–10:00 Team ↻',
    );
    const [upcoming] = await h.ask(alice, dm, 'termine');
    expect(upcoming?.split('\n')).toEqual([
      'Nächste Termine',
      '1. Do., 19. Nov. 2026 12:00–13:00 Mittag · 📍 Luigi',
      '2. Mo., 23. Nov. 2026 09:00–10:00 Team ↻',
      '3. Mo., 30. Nov. 2026 09:00–10:00 Team ↻',
      '4. Mi., 2. Dez. 2026 ganztägig Urlaub',
    ]);
    const [details] = await h.ask(alice, dm, 'details 3');
    expect(details).toContain('Team');
    expect(details).toContain('Mo., 30. Nov. 2026, 09:00–10:00');
    expect(details).toContain('↻ jeden Mo — nächster: Mo., 23. Nov. 2026, 09:00');
    expect(details).toContain('⏰ 15 Min. vorher (Mo., 23. Nov. 2026, 08:45)');
    expect((await h.ask(alice, dm, 'details 9'))[0]).toMatch(
      /^Nummer 9 gibt es in deiner letzten Liste nicht/,
    );
  });

  it('löschen N on a series removes that occurrence (EXDATE) and moves the reminder on; „alle“ the series', async () => {
    const { h } = setup();
    await h.ask(alice, dm, 'termin Team jeden Montag 9 Uhr');
    const id = events(h)[0]!.id;
    expect(reminders(h).map((j) => j.jobId)).toEqual([reminderJobId(id, new Date('2026-11-23T08:00:00Z'))]);
    await h.ask(alice, dm, 'termine');
    const [del] = await h.ask(alice, dm, 'löschen 1');
    expect(del).toContain('Gelöscht (nur dieser Termin der Serie): Team — Mo., 23. Nov. 2026, 09:00–10:00');
    expect(events(h)[0]).toMatchObject({ exdates: ['2026-11-23T08:00:00.000Z'] });
    expect(reminders(h).map((j) => j.jobId)).toEqual([reminderJobId(id, new Date('2026-11-30T08:00:00Z'))]);
    const [list] = await h.ask(alice, dm, 'termine');
    expect(list?.split('\n')[1]).toBe('1. Mo., 30. Nov. 2026 09:00–10:00 Team ↻');
    expect((await h.ask(alice, dm, 'löschen 1 vielleicht'))[0]).toMatch(/^So geht’s: löschen <Nummer>/);
    expect((await h.ask(alice, dm, 'löschen 1 alle'))[0]).toBe('🗑️ Serie gelöscht: Team');
    expect(events(h)).toEqual([]);
    expect(reminders(h)).toEqual([]);
  });

  it('verschieben N moves the event and its reminder; the old job, had it fired, posts nothing', async () => {
    const { h, clock } = setup();
    await h.ask(alice, dm, 'termin Zahnarzt morgen 14 Uhr');
    const [old] = reminders(h);
    await h.ask(alice, dm, 'termine');
    const [moved] = await h.ask(alice, dm, 'verschieben 1 Montag 16:30');
    expect(moved).toBe('↪️ Verschoben: Zahnarzt — Mo., 23. Nov. 2026, 16:30–17:30 · ⏰ 15 Min. vorher');
    expect(events(h)[0]).toMatchObject({
      start: '2026-11-23T15:30:00.000Z',
      end: '2026-11-23T16:30:00.000Z',
    });
    const [job] = reminders(h);
    expect(reminders(h)).toHaveLength(1);
    expect(job?.at.toISOString()).toBe('2026-11-23T15:15:00.000Z');
    // A stale job (as one left behind by a web edit would be) keeps quiet.
    clock.now = new Date('2026-11-20T12:45:00Z');
    const before = h.matrix.sent.length;
    await fire(h, old!);
    expect(posts(h, before)).toEqual([]);
    // The real one posts once, with the details.
    clock.now = job!.at;
    await fire(h, job!);
    await fire(h, job!);
    expect(posts(h, before)).toEqual(['⏰ In 15 Min.: Zahnarzt — Mo., 23. Nov. 2026, 16:30–17:30']);
  });

  it('erinnerung N sets the lead time; keine removes the reminder', async () => {
    const { h } = setup();
    await h.ask(alice, dm, 'termin Zug morgen 8:00');
    await h.ask(alice, dm, 'termine');
    expect((await h.ask(alice, dm, 'erinnerung 1 1h'))[0]).toBe(
      '⏰ Zug: 1 Std. vorher — nächste Erinnerung Fr., 20. Nov. 2026, 07:00',
    );
    expect(reminders(h).map((j) => j.at.toISOString())).toEqual(['2026-11-20T06:00:00.000Z']);
    expect((await h.ask(alice, dm, 'erinnerung 1 keine'))[0]).toBe('🔕 Keine Erinnerung mehr für Zug');
    expect(reminders(h)).toEqual([]);
    expect((await h.ask(alice, dm, 'erinnerung 1 bald'))[0]).toMatch(/^So geht’s: erinnerung <Nummer> 30/);
  });

  it('a series reminder, once fired, queues the next occurrence', async () => {
    const { h, clock } = setup();
    await h.ask(alice, dm, 'termin Yoga jeden Dienstag 19 Uhr');
    const [first] = reminders(h);
    expect(first?.at.toISOString()).toBe('2026-11-24T17:45:00.000Z');
    clock.now = first!.at;
    const before = h.matrix.sent.length;
    await fire(h, first!);
    expect(posts(h, before)).toEqual(['⏰ In 15 Min.: Yoga — Di., 24. Nov. 2026, 19:00–20:00 · ↻ jeden Di']);
    expect(reminders(h).map((j) => j.at.toISOString())).toContain('2026-12-01T17:45:00.000Z');
  });

  it('a change seen in the stream (the web app moved the event) moves the reminder; deleted, the job keeps quiet', async () => {
    const { h, clock } = setup();
    await h.ask(alice, dm, 'termin Arzt morgen 10 Uhr');
    const row = events(h)[0]!;
    const [old] = reminders(h);
    // The web app writes the new time (no zone, no reminder field touched).
    const store = await h.stores.forUser(alice, 'calendar');
    await store.upsert('events', row.id, {
      start: '2026-11-20T12:00:00.000Z',
      end: '2026-11-20T13:00:00.000Z',
    });
    const changed = (await store.get('events', row.id))!;
    await calendarBot.onDataChange!(jobContext(h, clock.now), {
      userId: alice,
      appId: 'calendar',
      roomId: dm,
      changes: [{ table: 'events', id: row.id, row: changed }],
    });
    const fresh = reminders(h).find((j) => j.jobId !== old!.jobId);
    expect(fresh?.at.toISOString()).toBe('2026-11-20T11:45:00.000Z');
    const before = h.matrix.sent.length;
    clock.now = old!.at;
    await fire(h, old!);
    expect(posts(h, before)).toEqual([]);
    clock.now = fresh!.at;
    await fire(h, fresh!);
    expect(posts(h, before)).toEqual(['⏰ In 15 Min.: Arzt — Fr., 20. Nov. 2026, 13:00–14:00']);
    // Deleted in the web app: nothing posts.
    await store.delete('events', row.id);
    const job = { jobId: reminderJobId(row.id, new Date('2026-11-20T12:00:00Z')) + 'x', data: fresh!.data };
    await fire(h, job);
    expect(posts(h, before)).toHaveLength(1);
  });

  it('export sends an .ics file (m.file) that parses with the events and the series rule', async () => {
    const { h } = setup();
    expect((await h.ask(alice, dm, 'export'))[0]).toBe('Dein Kalender ist leer — nichts zu exportieren.');
    await h.ask(alice, dm, 'termin Team jeden Montag 9 Uhr');
    await h.ask(alice, dm, 'termin Zahnarzt morgen 14 Uhr');
    const sent = await h.say(alice, dm, 'export');
    const file = sent.find((e) => e.content.msgtype === 'm.file');
    expect(file?.content).toMatchObject({ filename: 'kalender.ics', info: { mimetype: 'text/calendar' } });
    expect(String(sent.at(-1)?.content.body)).toBe('📤 2 Termine als kalender.ics.');
    const media = h.matrix.media.get(String(file?.content.url));
    const cal = new ICAL.Component(ICAL.parse(new TextDecoder().decode(media?.bytes)) as never);
    const vevents = cal.getAllSubcomponents('vevent');
    expect(vevents.map((v) => v.getFirstPropertyValue('summary')).sort()).toEqual(['Team', 'Zahnarzt']);
    expect(
      String(
        vevents.find((v) => v.getFirstPropertyValue('summary') === 'Team')?.getFirstPropertyValue('rrule'),
      ),
    ).toBe('FREQ=WEEKLY;BYDAY=MO');
  });

  it('an .ics file sent to it is imported with a summary; too large or broken gets one line, nothing written', async () => {
    const { h } = setup();
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      'UID:a@test',
      'DTSTAMP:20261101T000000Z',
      'DTSTART:20261201T090000Z',
      'DTEND:20261201T100000Z',
      'SUMMARY:Import eins',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:b@test',
      'DTSTAMP:20261101T000000Z',
      'DTSTART:20261202T090000Z',
      'DTEND:20261202T100000Z',
      'RRULE:FREQ=DAILY;COUNT=100000',
      'SUMMARY:Zu viel',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const send = async (bytes: Uint8Array, name: string, size = bytes.byteLength) => {
      const mxc = `mxc://mana.test/${name}-${Math.random()}`;
      h.matrix.media.set(mxc, { bytes, contentType: 'text/calendar' });
      const before = h.matrix.sent.length;
      await h.dispatcher.handle({
        event_id: `$file-${Math.random()}`,
        room_id: dm,
        type: 'm.room.message',
        sender: alice,
        content: {
          msgtype: 'm.file',
          body: name,
          filename: name,
          url: mxc,
          info: { mimetype: name.endsWith('.ics') ? 'text/calendar' : 'text/plain', size },
        },
      });
      return posts(h, before);
    };
    const [summary] = await send(new TextEncoder().encode(ics), 'termine.ics');
    expect(summary).toBe(
      '📥 1 Termine importiert, 1 übersprungen.\n• Zu viel: Wiederholung nicht unterstützt',
    );
    expect(events(h)).toEqual([
      expect.objectContaining({ title: 'Import eins', uid: 'a@test', start: '2026-12-01T09:00:00.000Z' }),
    ]);
    const [again] = await send(new TextEncoder().encode(ics), 'termine.ics');
    expect(again).toContain('0 Termine importiert, 2 übersprungen');
    expect(again).toContain('Import eins: schon im Kalender');
    expect((await send(new TextEncoder().encode('BEGIN:VCALENDAR\r\nnonsense'), 'kaputt.ics'))[0]).toBe(
      'Diese Datei ist keine lesbare iCalendar-Datei (.ics). Nichts importiert.',
    );
    expect((await send(new Uint8Array(10), 'gross.ics', 6 * 1024 * 1024))[0]).toBe(
      'Die Datei ist zu groß (höchstens 5 MB) — nichts importiert.',
    );
    expect((await send(new Uint8Array(10), 'notiz.txt'))[0]).toBe('Ich nehme nur Kalenderdateien (.ics) an.');
    expect(events(h)).toHaveLength(1);
  });

  it('English: event / upcoming / status', async () => {
    const { h } = setup();
    await h.ask(alice, dm, 'language en');
    const [made] = await h.ask(alice, dm, 'event dentist fri 3pm for 2h at the office reminder 30');
    expect(made).toMatch(
      /^📅 New event: dentist — Fri, 20 Nov 2026, 15:00–17:00 · 📍 the office · ⏰ 30 min before/,
    );
    const [status] = await h.ask(alice, dm, 'status');
    expect(status).toMatch(
      /^1 events \(0 series\) · 1 in the next 14 days · 1 reminders planned\nNext: dentist/,
    );
    expect((await h.ask(alice, dm, 'calendars'))[0]).toBe('Calendars\n• Calendar (1)');
  });
});
