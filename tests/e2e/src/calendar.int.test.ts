/**
 * Issue 12's calendar half, end to end: the real runner process hosting @calendar against a real
 * Synapse (SSO through auth), the real sync server, credits, Redis (BullMQ reminders) and Postgres.
 * People talk to it with matrix-js-sdk; what it stored is read back from sync with the user's own
 * token, as the web app reads it; the web app's edits are made the same way (a sync client of the
 * user writing the row), and the reminder follows them. Reminders use short real lead times.
 */
import { wallToInstant } from '@mana/bot-runtime/zone';
import { createCreditsClient } from '@mana/credits';
import { createMemoryStorage, createSyncClient, type SyncClient } from '@mana/sync-client';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, inReplyTo, openChat, type Chat, type RawEvent } from './support/bots-chat.ts';
import { freePort } from '@mana/testing';
import {
  CREDITS_AUDIENCE,
  SERVER_NAME,
  spawnRunner,
  startBotsStack,
  SYNC_AUDIENCE,
  until,
  type BotsStack,
  type StackUser,
} from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const CAL = `@calendar:${SERVER_NAME}`;
const TZ = 'Europe/Berlin';
let stack: BotsStack;

beforeAll(async () => {
  stack = await startBotsStack({
    label: 'e2e_calendar',
    runnerEnv: { BOTS: 'calendar', BOT_PROGRESS_AFTER_MS: '15000' },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(logRunnerOnFailure(() => stack));

/** Berlin wall time of an instant. */
function wall(d: Date) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: TZ,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
      .formatToParts(d)
      .map((x) => [x.type, Number(x.value)]),
  ) as Record<string, number>;
  return {
    year: p.year ?? 0,
    month: p.month ?? 0,
    day: p.day ?? 0,
    hour: p.hour ?? 0,
    minute: p.minute ?? 0,
  };
}
/** `am 2.12.2026 14:05`: a day and minute in Berlin that the parser reads without guessing. */
const at = (d: Date) => {
  const w = wall(d);
  return `am ${w.day}.${w.month}.${w.year} ${hhmm(d)}`;
};
const hhmm = (d: Date) => {
  const w = wall(d);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};
/** The first full minute at or after `d`. */
const ceilMinute = (d: Date) => new Date(Math.ceil(d.getTime() / 60_000) * 60_000);

/** The user's calendar as the web app holds it: their own token, their own client id. */
async function webCalendar(user: StackUser, clientId: string): Promise<SyncClient<'calendar'>> {
  const token = await stack.webToken(user, SYNC_AUDIENCE, 'openid sync');
  return createSyncClient({
    baseUrl: stack.sync.url,
    apps: ['calendar'],
    clientId,
    getToken: () => token,
    storage: createMemoryStorage(),
    WebSocket: null,
    pushDebounceMs: null,
    pullIntervalMs: null,
  });
}

async function rows(web: SyncClient<'calendar'>) {
  await web.sync('calendar');
  return web.query('calendar', 'events');
}

/** Sends, waits for the reply, returns its plain body without the one-time language note. */
async function say(chat: Chat, text: string): Promise<string> {
  const reply = await chat.ask(text);
  expect(reply.sender).toBe(CAL);
  return bodyOf(reply).split('\n\n')[0] ?? '';
}

const reminders = async (chat: Chat) =>
  (await chat.timeline()).filter((e) => e.sender === CAL && bodyOf(e).startsWith('⏰ In'));

async function upload(user: StackUser, bytes: Uint8Array, type: string): Promise<string> {
  const res = await fetch(`${stack.synapse.baseUrl}/_matrix/media/v3/upload?filename=x.ics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': type },
    body: Buffer.from(bytes),
  });
  return ((await res.json()) as { content_uri: string }).content_uri;
}

async function sendFile(chat: Chat, user: StackUser, name: string, text: string): Promise<RawEvent> {
  const bytes = new TextEncoder().encode(text);
  const id = await chat.sendEvent('m.room.message', {
    msgtype: 'm.file',
    body: name,
    filename: name,
    url: await upload(user, bytes, 'text/calendar'),
    info: { mimetype: 'text/calendar', size: bytes.byteLength },
  });
  return until('the import reply', async () => (await chat.repliesTo(id))[0], 20_000);
}

describe('calendar bot through a real Matrix client', () => {
  let user: StackUser;
  let chat: Chat;
  let web: SyncClient<'calendar'>;
  beforeAll(async () => {
    user = await stack.ssoUser('clara');
    chat = await openChat(stack, user, CAL);
    web = await webCalendar(user, 'clara-web');
  }, 60_000);

  it('termin … by command and an event by plain text: stored with the right instants in her zone', async () => {
    const tomorrow = wall(new Date(Date.now() + 86_400_000));
    const reply = await say(chat, 'termin Zahnarzt morgen 14:30 in Praxis Dr. Weiß');
    expect(reply).toMatch(
      /^📅 Neuer Termin: Zahnarzt — .*14:30–15:30 · 📍 Praxis Dr\. Weiß · ⏰ 15 Min\. vorher$/,
    );
    const inAWeek = wall(new Date(Date.now() + 7 * 86_400_000));
    const plain = await say(chat, `Friseur am ${inAWeek.day}.${inAWeek.month}.${inAWeek.year} 9:30–10:15`);
    expect(plain).toMatch(/^📅 Neuer Termin: Friseur — .*09:30–10:15/);

    const stored = await rows(web);
    const dentist = stored.find((r) => r.title === 'Zahnarzt');
    expect(dentist).toMatchObject({
      calendarId: 'default',
      start: wallToInstant({ ...tomorrow, hour: 14, minute: 30 }, TZ).toISOString(),
      end: wallToInstant({ ...tomorrow, hour: 15, minute: 30 }, TZ).toISOString(),
      allDay: false,
      location: 'Praxis Dr. Weiß',
      timezone: TZ,
      reminderMinutes: 15,
    });
    expect(stored.find((r) => r.title === 'Friseur')).toMatchObject({
      start: wallToInstant({ ...inAWeek, hour: 9, minute: 30 }, TZ).toISOString(),
      end: wallToInstant({ ...inAWeek, hour: 10, minute: 15 }, TZ).toISOString(),
    });

    // Free today, but bracketed: each creation (command and plain text) is a 0-amount reserve and
    // commit of calendar_event_create in her ledger, and her balance is untouched.
    const token = await stack.webToken(user, CREDITS_AUDIENCE, 'openid credits');
    const credits = createCreditsClient({
      baseUrl: `${stack.auth.baseUrl}/api/v1/credits`,
      getToken: () => token,
    });
    const entries = (await credits.transactions({ limit: 50 })).entries.filter(
      (e) => e.operation === 'calendar_event_create',
    );
    expect(entries.map((e) => `${e.kind} ${e.amount} ${e.heldDelta}`).sort()).toEqual([
      'commit 0 0',
      'commit 0 0',
      'reserve 0 0',
      'reserve 0 0',
    ]);
    expect((await credits.balance()).held).toBe(0);
  });

  it('an unsure parse is echoed; ✅ on the echo saves it', async () => {
    const echo = await chat.ask('termin Treffen mit Ben um 5');
    expect(bodyOf(echo)).toMatch(/^🤔 Meinst du: Treffen mit Ben — .*05:00–06:00/);
    expect((await rows(web)).some((r) => r.title === 'Treffen mit Ben')).toBe(false);
    const reaction = await chat.sendEvent('m.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: echo.event_id, key: '✅' },
    });
    const saved = await until('the saved reply', async () => (await chat.repliesTo(reaction))[0]);
    expect(bodyOf(saved)).toMatch(/^📅 Neuer Termin: Treffen mit Ben/);
    const row = (await rows(web)).find((r) => r.title === 'Treffen mit Ben');
    expect(wall(new Date(row?.start ?? '')).hour).toBe(5);
  });

  it('a weekly series; löschen N removes that one occurrence (EXDATE in the row), the rest stays', async () => {
    await say(chat, 'termin Team jeden Montag 9 Uhr');
    const list = (await say(chat, 'termine')).split('\n');
    const teamLines = list.filter((l) => / Team ↻$/.test(l));
    expect(teamLines.length).toBeGreaterThanOrEqual(2);
    const n = Number(/^(\d+)\./.exec(teamLines[0] ?? '')?.[1]);
    const deleted = await say(chat, `löschen ${n}`);
    expect(deleted).toMatch(/^🗑️ Gelöscht \(nur dieser Termin der Serie\): Team — Mo\., .*09:00–10:00/);
    const team = (await rows(web)).find((r) => r.title === 'Team');
    expect(team?.rrule).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(team?.exdates).toHaveLength(1);
    const ex = new Date(team?.exdates?.[0] ?? '');
    expect(wall(ex)).toMatchObject({ hour: 9, minute: 0 });
    expect(ex.getTime()).toBeGreaterThan(Date.now());
    const after = (await say(chat, 'termine')).split('\n').filter((l) => / Team ↻$/.test(l));
    expect(after).toHaveLength(teamLines.length - 1);
    const unnumbered = (l: string | undefined) => l?.replace(/^\d+\. /, '');
    expect(unnumbered(after[0])).toBe(unnumbered(teamLines[1]));
  });

  it('export sends an .ics file that downloads through authenticated media and parses', async () => {
    const reply = await say(chat, 'export');
    expect(reply).toMatch(/^📤 \d+ Termine als kalender\.ics\.$/);
    const file = await until('the file', async () =>
      (await chat.timeline()).find((e) => e.sender === CAL && e.content.msgtype === 'm.file'),
    );
    expect(file.content).toMatchObject({ filename: 'kalender.ics', info: { mimetype: 'text/calendar' } });
    const [server, mediaId] = String(file.content.url).slice('mxc://'.length).split('/');
    const dl = await fetch(`${stack.synapse.baseUrl}/_matrix/client/v1/media/download/${server}/${mediaId}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(dl.status).toBe(200);
    const cal = new ICAL.Component(ICAL.parse(await dl.text()) as never);
    const vevents = cal.getAllSubcomponents('vevent');
    const stored = await rows(web);
    expect(vevents).toHaveLength(stored.length);
    const team = vevents.find((v) => v.getFirstPropertyValue('summary') === 'Team');
    expect(String(team?.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(team?.getAllProperties('exdate')).toHaveLength(1);
    const dentist = vevents.find((v) => v.getFirstPropertyValue('summary') === 'Zahnarzt');
    const start = dentist?.getFirstPropertyValue('dtstart');
    expect(start instanceof ICAL.Time ? start.toJSDate().toISOString() : undefined).toBe(
      new Date(stored.find((r) => r.title === 'Zahnarzt')?.start ?? '').toISOString(),
    );
  });

  it('an .ics file sent to it is imported with a summary of what was added and skipped, and why', async () => {
    const before = (await rows(web)).length;
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//e2e//EN',
      'BEGIN:VEVENT',
      'UID:konzert@e2e',
      'DTSTAMP:20260101T000000Z',
      'DTSTART;TZID=Europe/Berlin:20270312T200000',
      'DTEND;TZID=Europe/Berlin:20270312T223000',
      'SUMMARY:Konzert',
      'LOCATION:Philharmonie',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:kurs@e2e',
      'DTSTAMP:20260101T000000Z',
      'DTSTART;TZID=Europe/Berlin:20270301T180000',
      'DTEND;TZID=Europe/Berlin:20270301T190000',
      'RRULE:FREQ=WEEKLY;COUNT=10',
      'SUMMARY:Kurs',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:flut@e2e',
      'DTSTAMP:20260101T000000Z',
      'DTSTART:20270101T090000Z',
      'RRULE:FREQ=DAILY;COUNT=100000',
      'SUMMARY:Flut',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const reply = await sendFile(chat, user, 'termine.ics', ics);
    expect(bodyOf(reply)).toBe(
      '📥 2 Termine importiert, 1 übersprungen.\n• Flut: Wiederholung nicht unterstützt',
    );
    const stored = await rows(web);
    expect(stored).toHaveLength(before + 2);
    expect(stored.find((r) => r.uid === 'konzert@e2e')).toMatchObject({
      title: 'Konzert',
      start: '2027-03-12T19:00:00.000Z',
      end: '2027-03-12T21:30:00.000Z',
      location: 'Philharmonie',
    });
    expect(stored.find((r) => r.uid === 'kurs@e2e')).toMatchObject({
      rrule: 'FREQ=WEEKLY;COUNT=10',
      timezone: TZ,
    });
    // The same file again adds nothing.
    const again = await sendFile(chat, user, 'termine.ics', ics);
    expect(bodyOf(again)).toContain('📥 0 Termine importiert, 3 übersprungen.');
    expect(bodyOf(again)).toContain('Konzert: schon im Kalender');
    expect(await rows(web)).toHaveLength(before + 2);
  });

  it('malformed input — termin am 31.02., a 100,000-occurrence rule, a broken or 5 MB .ics — one short line each, nothing written', async () => {
    const before = (await rows(web)).length;
    expect(await say(chat, 'termin Party am 31.02.')).toBe(
      '„am 31.02.“ ist kein gültiges Datum oder keine gültige Uhrzeit.',
    );
    expect(await say(chat, 'termin Standup täglich 9 Uhr 100000 mal')).toBe(
      'Diese Serie hätte 100.000 Termine — ich lege höchstens 5.000 an.',
    );
    expect(await say(chat, 'verschieben 1 am 30.02.')).toMatch(/kein gültiges Datum/);
    expect(bodyOf(await sendFile(chat, user, 'kaputt.ics', 'BEGIN:VCALENDAR\r\nwas ist das'))).toBe(
      'Diese Datei ist keine lesbare iCalendar-Datei (.ics). Nichts importiert.',
    );
    // Over 5 MB (a real upload; the refusal comes before parsing).
    const big = `BEGIN:VCALENDAR\r\nX-PAD:${'x'.repeat(5 * 1024 * 1024)}\r\nEND:VCALENDAR\r\n`;
    expect(bodyOf(await sendFile(chat, user, 'gross.ics', big))).toBe(
      'Die Datei ist zu groß (höchstens 5 MB) — nichts importiert.',
    );
    expect(await rows(web)).toHaveLength(before);
  });
});

describe('calendar bot: the list commands, in German and English words', () => {
  it('heute, morgen / tomorrow, woche, termine, details N, verschieben N, kalender: replies and rows agree', async () => {
    const user = await stack.ssoUser('hanna');
    const chat = await openChat(stack, user, CAL);
    const web = await webCalendar(user, 'hanna-web');
    const tomorrow = wall(new Date(Date.now() + 86_400_000));
    expect(await say(chat, 'morgen 18 Uhr Yoga ohne erinnerung')).toContain('Yoga');
    const [row] = await rows(web);
    expect(wall(new Date(String(row?.start)))).toMatchObject({ ...tomorrow, hour: 18, minute: 0 });
    expect(row).toMatchObject({ title: 'Yoga', reminderMinutes: null });
    expect(await say(chat, 'heute')).toBe('Heute hast du keine Termine.');
    expect(await say(chat, 'morgen')).toBe('Morgen\n1. 18:00–19:00 Yoga');
    expect(await say(chat, 'woche')).toMatch(/^Diese Woche\n1\. .* 18:00–19:00 Yoga$/);
    expect(await say(chat, 'termine')).toMatch(/^Nächste Termine\n1\. .* 18:00–19:00 Yoga$/);
    const details = await say(chat, 'details 1');
    expect(details).toContain('Yoga');
    expect(details).toContain('18:00–19:00');
    expect(await say(chat, 'verschieben 1 morgen 16:30')).toMatch(/^↪️ Verschoben: Yoga — .*16:30–17:30/);
    const [moved] = await rows(web);
    expect(wall(new Date(String(moved?.start)))).toMatchObject({ ...tomorrow, hour: 16, minute: 30 });
    // English words, her language: the answer stays German.
    expect(await say(chat, 'tomorrow')).toBe('Morgen\n1. 16:30–17:30 Yoga');
    expect(await say(chat, 'kalender')).toBe('Kalender\n• Kalender (1)');
    await web.stop();
  }, 90_000);
});

describe.concurrent('reminders: real delayed jobs with short lead times', () => {
  it('a reminder set through the bot fires once, at its time, with the event details', async () => {
    const user = await stack.ssoUser('rita');
    const chat = await openChat(stack, user, CAL);
    // Starts at the full minute after next; reminded one minute before: 5–65 s from now.
    const start = ceilMinute(new Date(Date.now() + 65_000));
    const fireAt = start.getTime() - 60_000;
    const reply = await say(chat, `termin Tee ${at(start)} bei Oma erinnerung 1`);
    expect(reply).toMatch(/^📅 Neuer Termin: Tee — .* · 📍 Oma · ⏰ 1 Min\. vorher$/);
    const [post] = await until(
      'the reminder',
      async () => {
        const r = await reminders(chat);
        return r.length > 0 ? r : undefined;
      },
      90_000,
      250,
    );
    expect(post?.origin_server_ts).toBeGreaterThanOrEqual(fireAt - 1000);
    expect(post!.origin_server_ts - fireAt).toBeLessThan(10_000);
    expect(bodyOf(post!)).toMatch(new RegExp(`^⏰ In 1 Min\\.: Tee — .*${hhmm(start)}–.* · 📍 Oma$`));
    expect(inReplyTo(post!)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await reminders(chat)).toHaveLength(1);
  }, 150_000);

  it('an event deleted — by löschen N in the bot, or in sync as the web app does — never reminds; the one kept does, once', async () => {
    const user = await stack.ssoUser('doris');
    const chat = await openChat(stack, user, CAL);
    const web = await webCalendar(user, 'doris-web');
    // Three events at the same minute, reminded a minute before: 5–65 s from now, all at once.
    const start = ceilMinute(new Date(Date.now() + 65_000));
    for (const title of ['Bleibt', 'Absage', 'Webweg'])
      expect(await say(chat, `termin ${title} ${at(start)} erinnerung 1`)).toMatch(/^📅 Neuer Termin:/);
    const list = (await say(chat, 'termine')).split('\n');
    const n = list.find((l) => / Absage$/.test(l))?.split('.')[0];
    expect(await say(chat, `löschen ${n}`)).toMatch(/Absage/);
    const webweg = (await rows(web)).find((r) => r.title === 'Webweg');
    await web.delete('calendar', 'events', webweg!.id);
    await web.sync('calendar');
    expect((await rows(web)).map((r) => r.title)).toEqual(['Bleibt']);
    const [post] = await until(
      'the kept reminder',
      async () => {
        const r = await reminders(chat);
        return r.length > 0 ? r : undefined;
      },
      90_000,
      250,
    );
    expect(bodyOf(post!)).toMatch(/^⏰ In 1 Min\.: Bleibt — /);
    // The deleted ones were due at the same instant: a few seconds more, nothing else.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await reminders(chat)).map(bodyOf)).toEqual([bodyOf(post!)]);
    await web.stop();
  }, 150_000);

  it('two runners on the same Redis: a reminder fires exactly once', async () => {
    const port = await freePort();
    const second = await spawnRunner(
      { ...stack.runnerEnv, BOT_PORT: String(port) },
      `http://127.0.0.1:${port}`,
    );
    try {
      const user = await stack.ssoUser('zora');
      const chat = await openChat(stack, user, CAL);
      const start = ceilMinute(new Date(Date.now() + 65_000));
      expect(await say(chat, `termin Doppelt ${at(start)} erinnerung 1`)).toMatch(
        /^📅 Neuer Termin: Doppelt/,
      );
      await until(
        'the reminder',
        async () => ((await reminders(chat)).length > 0 ? true : undefined),
        90_000,
        250,
      );
      await new Promise((r) => setTimeout(r, 3000));
      expect((await reminders(chat)).map(bodyOf)).toEqual([
        expect.stringMatching(/^⏰ In 1 Min\.: Doppelt — /),
      ]);
    } finally {
      await second.stop();
    }
  }, 150_000);

  it('an event moved in sync (as the web app does) moves its reminder: it fires at the new time only', async () => {
    const user = await stack.ssoUser('wanda');
    const chat = await openChat(stack, user, CAL);
    const web = await webCalendar(user, 'wanda-web');
    // First planned for the full minute 40–100 s from now (reminded a minute before).
    const start = ceilMinute(new Date(Date.now() + 100_000));
    const oldFire = start.getTime() - 60_000;
    const reply = await say(chat, `termin Meeting ${at(start)} erinnerung 1`);
    expect(reply).toMatch(/^📅 Neuer Termin: Meeting/);
    const [row] = (await rows(web)).filter((r) => r.title === 'Meeting');
    expect(row?.start).toBe(start.toISOString());
    // The web app moves it: it now starts 70 s from now, so its reminder is due in about 10 s.
    const newStart = new Date(Date.now() + 70_000);
    const newFire = newStart.getTime() - 60_000;
    await web.put('calendar', 'events', row!.id, {
      start: newStart.toISOString(),
      end: new Date(newStart.getTime() + 3_600_000).toISOString(),
    });
    await web.sync('calendar');
    const [post] = await until(
      'the moved reminder',
      async () => {
        const r = await reminders(chat);
        return r.length > 0 ? r : undefined;
      },
      60_000,
      250,
    );
    expect(post!.origin_server_ts).toBeGreaterThanOrEqual(newFire - 1000);
    expect(post!.origin_server_ts).toBeLessThan(oldFire);
    expect(bodyOf(post!)).toMatch(new RegExp(`^⏰ In 1 Min\\.: Meeting — .*${hhmm(newStart)}–`));
    // Past the old time: nothing more.
    await new Promise((r) => setTimeout(r, Math.max(0, oldFire + 4000 - Date.now())));
    expect(await reminders(chat)).toHaveLength(1);
  }, 180_000);
});

describe('reminders across a crash of the runner', () => {
  it('kill -9 with a reminder pending: after the restart the watch is back, a sync edit moves it, it fires once at the new time', async () => {
    const user = await stack.ssoUser('kai');
    const chat = await openChat(stack, user, CAL);
    const web = await webCalendar(user, 'kai-web');
    const start = ceilMinute(new Date(Date.now() + 110_000));
    const oldFire = start.getTime() - 60_000;
    expect(await say(chat, `termin Notfall ${at(start)} erinnerung 1`)).toMatch(/^📅 Neuer Termin: Notfall/);
    const [row] = (await rows(web)).filter((r) => r.title === 'Notfall');

    await stack.runner.kill();
    await stack.startRunner();

    // Moved while the new runner runs: it must have resumed the watch (kept in Postgres) to notice.
    const newStart = new Date(Date.now() + 75_000);
    const newFire = newStart.getTime() - 60_000;
    await web.put('calendar', 'events', row!.id, {
      start: newStart.toISOString(),
      end: new Date(newStart.getTime() + 3_600_000).toISOString(),
    });
    await web.sync('calendar');
    const [post] = await until(
      'the reminder after the restart',
      async () => {
        const r = await reminders(chat);
        return r.length > 0 ? r : undefined;
      },
      60_000,
      250,
    );
    expect(post!.origin_server_ts).toBeGreaterThanOrEqual(newFire - 1000);
    expect(post!.origin_server_ts).toBeLessThan(oldFire);
    expect(bodyOf(post!)).toMatch(/^⏰ In 1 Min\.: Notfall/);
    await new Promise((r) => setTimeout(r, Math.max(0, oldFire + 4000 - Date.now())));
    expect(await reminders(chat)).toHaveLength(1);
    // And the runner still answers.
    expect(await say(chat, 'status')).toMatch(/^1 Termine/);
  }, 180_000);
});
