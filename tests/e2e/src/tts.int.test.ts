/**
 * Issue 14's acceptance, end to end: the tts bot in the real runner process (real Synapse, auth,
 * sync, credits) answers text with a Matrix voice message; the test downloads it through
 * authenticated media as Element does and decodes it with a real Ogg/Opus decoder.
 */
import { createCreditsClient } from '@mana/credits';
import { espeakEngine, type Voice } from '@mana/bot-tts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyOf,
  deliverTransaction,
  inReplyTo,
  openChat,
  type Chat,
  type RawEvent,
} from './support/bots-chat.ts';
import {
  CREDITS_AUDIENCE,
  SERVER_NAME,
  startBotsStack,
  until,
  type BotsStack,
  type StackUser,
} from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';
import {
  expectVoiceOgg,
  recordedVoice,
  startFakeStt,
  type FakeStt,
  type SttRequest,
} from './support/speech.ts';

const TTS = `@tts:${SERVER_NAME}`;
const TODO = `@todo:${SERVER_NAME}`;
let stack: BotsStack;

let stt: FakeStt;
/** What the fake speech-to-text server received (shorthand). */
let sttRequests: SttRequest[];

beforeAll(async () => {
  stt = await startFakeStt();
  sttRequests = stt.requests;
  stack = await startBotsStack({
    label: 'e2e_tts',
    startingBalance: 10_000,
    // The voice message is the answer; no "working…" placeholder in between.
    runnerEnv: { BOTS: 'todo,mana,tts', BOT_PROGRESS_AFTER_MS: '60000', BOT_STT_URL: stt.url },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await stt?.close();
});

afterEach(logRunnerOnFailure(() => stack));

interface VoiceInfo {
  duration: number;
  size: number;
  mimetype: string;
}

/** The user's credits API, as the web app calls it. */
async function creditsOf(user: StackUser) {
  const token = await stack.webToken(user, CREDITS_AUDIENCE, 'openid credits');
  return createCreditsClient({ baseUrl: `${stack.auth.baseUrl}/api/v1/credits`, getToken: () => token });
}

/** Downloads an `mxc://` through authenticated media (`/_matrix/client/v1/media/download`). */
async function download(user: StackUser, mxc: string): Promise<Uint8Array> {
  const [server, id] = mxc.slice('mxc://'.length).split('/');
  const res = await fetch(`${stack.synapse.baseUrl}/_matrix/client/v1/media/download/${server}/${id}`, {
    headers: { authorization: `Bearer ${user.accessToken}` },
  });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** Asks and checks the answer is a voice message as Element sends one; its info and decoded audio. */
async function voiceReply(user: StackUser, chat: Chat, text: string) {
  const reply = await chat.ask(text, 60_000);
  return checkVoice(user, reply);
}

async function checkVoice(user: StackUser, reply: RawEvent) {
  const c = reply.content;
  expect(reply.sender).toBe(TTS);
  expect(reply.type).toBe('m.room.message');
  expect(c.msgtype).toBe('m.audio');
  expect(typeof c.body).toBe('string');
  expect(c['org.matrix.msc3245.voice']).toEqual({});
  expect(c['org.matrix.msc1767.text']).toBe(c.body);
  const info = c.info as VoiceInfo;
  expect(info.mimetype).toBe('audio/ogg');
  const file = c['org.matrix.msc1767.file'] as { url: string; mimetype: string; size: number };
  expect(file).toMatchObject({ url: c.url, mimetype: 'audio/ogg', size: info.size });
  const audio = c['org.matrix.msc1767.audio'] as { duration: number; waveform: number[] };
  expect(audio.duration).toBe(info.duration);
  expect(audio.waveform.length).toBeGreaterThanOrEqual(30);
  expect(audio.waveform.length).toBeLessThanOrEqual(50);
  for (const v of audio.waveform) expect(Number.isInteger(v) && v >= 0 && v <= 1024).toBe(true);
  expect(Math.max(...audio.waveform)).toBe(1024);

  const decodedMs = await expectVoiceOgg(await download(user, String(c.url)), info);
  return { info, decodedMs, reply };
}

/** How long espeak-ng, here in the test, says `text` in each voice (ms). */
async function localDurations(text: string, ids: string[]) {
  const engine = espeakEngine();
  const out: Record<string, number> = {};
  for (const id of ids) {
    const voice = engine.voices.find((v) => v.id === id) as Voice;
    const pcm = await engine.synthesize({ text, voice, speed: 1 });
    out[id] = (pcm.samples.length / pcm.sampleRate) * 1000;
  }
  return out;
}

describe('tts bot: voice messages', () => {
  let vera: StackUser;
  let chat: Chat;
  beforeAll(async () => {
    vera = await stack.ssoUser('vera');
    chat = await openChat(stack, vera, TTS);
  }, 60_000);

  it('a German text comes back as an Ogg/Opus voice message: 48 kHz mono, as long as it says, not silence; charged', async () => {
    const text = 'Guten Morgen! Heute ist ein schöner Tag für einen Spaziergang.';
    const { info } = await voiceReply(vera, chat, text);
    expect(info.duration).toBeGreaterThan(1500);
    const api = await creditsOf(vera);
    const entries = (await api.transactions({ limit: 50 })).entries;
    expect(entries.filter((e) => e.kind === 'commit')).toEqual([
      expect.objectContaining({ operation: 'tts_synthesis', amount: -250 }),
    ]);
  });

  it('German and English texts are spoken by different voices (each matches its own language)', async () => {
    const de = 'Die Straßenbahn fährt über die Brücke zum Schloss und dann weiter zum Bahnhof.';
    const en = 'The weather is lovely today, so we are going for a walk in the park.';
    const gotDe = (await voiceReply(vera, chat, de)).info.duration;
    const gotEn = (await voiceReply(vera, chat, en)).info.duration;
    const localDe = await localDurations(de, ['de', 'en-us']);
    const localEn = await localDurations(en, ['de', 'en-us']);
    // espeak varies a little run to run; the voices differ far more than that.
    expect(Math.abs(gotDe - localDe.de!)).toBeLessThan(Math.abs(gotDe - localDe['en-us']!));
    expect(Math.abs(gotEn - localEn['en-us']!)).toBeLessThan(Math.abs(gotEn - localEn.de!));
    expect(Math.abs(gotDe - localDe.de!) / localDe.de!).toBeLessThan(0.03);
    expect(Math.abs(gotEn - localEn['en-us']!) / localEn['en-us']!).toBeLessThan(0.03);
  });

  it('tempo 2.0 halves the duration (± 15 %)', async () => {
    const text = 'The quick brown fox jumps over the lazy dog, and then it runs away.';
    const normal = await voiceReply(vera, chat, text);
    const set = await chat.ask('tempo 2.0');
    expect(String(set.content.body)).toMatch(/2/);
    const fast = await voiceReply(vera, chat, text);
    expect(fast.info.duration / normal.info.duration).toBeGreaterThan(0.5 * 0.85);
    expect(fast.info.duration / normal.info.duration).toBeLessThan(0.5 * 1.15);
    expect(fast.decodedMs / normal.decodedMs).toBeGreaterThan(0.5 * 0.85);
    expect(fast.decodedMs / normal.decodedMs).toBeLessThan(0.5 * 1.15);
    await chat.ask('tempo 1');
  });

  it('only emoji, 10,000 characters, an unknown voice: a short clear reply each', async () => {
    expect(String((await chat.ask('😀🎉👍')).content.body)).toMatch(/nichts zum Vorlesen|nothing to read/);
    expect(String((await chat.ask('x'.repeat(10_000))).content.body)).toMatch(/lang|long/);
    expect(String((await chat.ask('stimme klingonisch')).content.body)).toMatch(/kenne ich nicht|don't know/);
  });

  it('🗣 on a text message reads it aloud in its thread, once even when the reaction is delivered twice', async () => {
    const status = await chat.ask('status');
    expect(status.content.msgtype).toBe('m.notice');
    const reactionId = await chat.sendEvent('m.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: status.event_id, key: '🗣️' },
    });
    const voice = await chat.client.waitForEvent(
      (e) =>
        e.getSender() === TTS &&
        e.getContent().msgtype === 'm.audio' &&
        inReplyTo({ content: e.getContent() } as RawEvent) === status.event_id,
      { timeoutMs: 60_000 },
    );
    expect(voice.getContent()['m.relates_to']).toMatchObject({
      rel_type: 'm.thread',
      event_id: status.event_id,
    });
    expect(voice.getContent().body).toBe(String(status.content.body).replace(/\s+/g, ' ').trim());
    // The same reaction again, as Synapse redelivers it (a new transaction).
    const event = await chat.event(reactionId);
    expect(await deliverTransaction(stack, 'tts-replay-1', { events: [event] })).toBe(200);
    // Something after the replay proves it was processed (per-room order).
    await voiceReply(vera, chat, 'Fertig.');
    const readings = (await chat.timeline()).filter(
      (e) => e.sender === TTS && e.content.msgtype === 'm.audio' && inReplyTo(e) === status.event_id,
    );
    expect(readings).toHaveLength(1);
    await checkVoice(vera, readings[0]!);
  });
});

/** Uploads as the user (what Element does for a recorded voice note) and sends it as one. */
async function sendVoiceNote(
  user: StackUser,
  chat: Chat,
  bytes: Uint8Array,
  info: { mimetype: string; duration: number },
): Promise<string> {
  const res = await fetch(`${stack.synapse.baseUrl}/_matrix/media/v3/upload?filename=voice.ogg`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': info.mimetype },
    body: Buffer.from(bytes),
  });
  expect(res.status).toBe(200);
  const { content_uri: url } = (await res.json()) as { content_uri: string };
  return chat.sendEvent('m.room.message', {
    msgtype: 'm.audio',
    body: 'Voice message',
    url,
    info: { ...info, size: bytes.byteLength },
    'org.matrix.msc1767.audio': { duration: info.duration, waveform: [0, 512, 1024] },
    'org.matrix.msc3245.voice': {},
  });
}

async function repliesOf(chat: Chat, eventId: string, count: number): Promise<RawEvent[]> {
  return until(
    `${count} replies to the voice note`,
    async () => {
      const r = await chat.repliesTo(eventId);
      return r.length >= count ? r : undefined;
    },
    60_000,
  );
}

describe('voice notes in, for every bot', () => {
  let paul: StackUser;
  let chat: Chat;
  beforeAll(async () => {
    paul = await stack.ssoUser('paul');
    chat = await openChat(stack, paul, TODO);
    await chat.ask('liste');
  }, 60_000);

  it('a voice note to the todo bot: transcribed over multipart, the transcript shown, the task created', async () => {
    const note = await recordedVoice('Neu Zahnpasta kaufen');
    stt.hear('Neu Zahnpasta kaufen.');
    const id = await sendVoiceNote(paul, chat, note.ogg, {
      mimetype: 'audio/ogg',
      duration: note.durationMs,
    });
    const [transcript, added] = await repliesOf(chat, id, 2);
    expect(bodyOf(transcript!)).toBe('🎤 „Neu Zahnpasta kaufen.“');
    expect(bodyOf(added!)).toContain('Zahnpasta kaufen');
    const request = sttRequests.at(-1)!;
    expect(request).toMatchObject({
      path: '/v1/audio/transcriptions',
      model: 'whisper-1',
      language: 'de',
      filename: 'voice.ogg',
      fileType: 'audio/ogg',
    });
    expect(request.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(Math.abs(request.seconds! * 1000 - note.durationMs) / note.durationMs).toBeLessThan(0.1);
    const sync = await stack.webSync(paul, 'paul-web');
    await sync.sync('todo');
    const tasks = await sync.query('todo', 'tasks');
    expect(tasks.filter((t) => String(t.title).startsWith('Zahnpasta kaufen'))).toHaveLength(1);
    const api = await creditsOf(paul);
    const commits = (await api.transactions({ limit: 50 })).entries.filter((e) => e.kind === 'commit');
    expect(commits.map((c) => c.operation)).toContain('stt_transcription');
  });

  it('a corrupt voice note and an m.audio that is no audio: a clear reply each, nothing charged', async () => {
    const before = sttRequests.length;
    const corrupt = await sendVoiceNote(paul, chat, new Uint8Array(4096).fill(7), {
      mimetype: 'audio/ogg',
      duration: 2000,
    });
    const [failed] = await repliesOf(chat, corrupt, 1);
    expect(bodyOf(failed!)).toMatch(/nicht verstehen/);
    expect(sttRequests.length).toBe(before + 1);
    const pdf = await sendVoiceNote(paul, chat, new TextEncoder().encode('%PDF-1.7'), {
      mimetype: 'application/pdf',
      duration: 0,
    });
    const [refused] = await repliesOf(chat, pdf, 1);
    expect(bodyOf(refused!)).toMatch(/keine Audiodatei \(application\/pdf\)/);
    expect(sttRequests.length).toBe(before + 1);
    const api = await creditsOf(paul);
    expect((await api.balance()).held).toBe(0);
    const commits = (await api.transactions({ limit: 50 })).entries.filter((e) => e.kind === 'commit');
    expect(commits.filter((c) => c.operation === 'stt_transcription')).toHaveLength(1);
  });

  it('a 50 MB voice note: refused as too large, never sent to speech-to-text, even when its info says it is small', async () => {
    const before = sttRequests.length;
    // 50 MB (47.7 MiB, as the bot counts), under Synapse's default max_upload_size of 50 MiB.
    const huge = new Uint8Array(50_000_000).fill(7);
    const honest = await sendVoiceNote(paul, chat, huge, { mimetype: 'audio/ogg', duration: 3_000_000 });
    const [refused] = await repliesOf(chat, honest, 1);
    expect(bodyOf(refused!)).toMatch(/zu groß \(47[.,]7 MB, höchstens 25 MB\)|too large/);
    // The same file with an `info.size` that lies: the bot finds out from the bytes.
    const url = String((await chat.event(honest)).content.url);
    const lying = await chat.sendEvent('m.room.message', {
      msgtype: 'm.audio',
      body: 'Voice message',
      url,
      info: { mimetype: 'audio/ogg', duration: 2000, size: 2048 },
      'org.matrix.msc3245.voice': {},
    });
    const [refusedToo] = await repliesOf(chat, lying, 1);
    expect(bodyOf(refusedToo!)).toMatch(/zu groß|too large/);
    expect(sttRequests.length).toBe(before);
    const api = await creditsOf(paul);
    await until(
      'the hold released',
      async () => ((await api.balance()).held === 0 ? true : undefined),
      20_000,
    );
    const commits = (await api.transactions({ limit: 50 })).entries.filter((e) => e.kind === 'commit');
    expect(commits.filter((c) => c.operation === 'stt_transcription')).toHaveLength(1);
    // Still alive and well: the next voice note is understood.
    const note = await recordedVoice('Liste');
    stt.hear('Liste');
    const ok = await sendVoiceNote(paul, chat, note.ogg, {
      mimetype: 'audio/ogg',
      duration: note.durationMs,
    });
    expect(bodyOf((await repliesOf(chat, ok, 1))[0]!)).toBe('🎤 „Liste“');
  }, 180_000);

  it('with no speech-to-text configured: one clear line, never silence', async () => {
    await stack.runner.stop();
    await stack.startRunner({ BOT_STT_URL: '' });
    const note = await recordedVoice('Liste');
    const id = await sendVoiceNote(paul, chat, note.ogg, {
      mimetype: 'audio/ogg',
      duration: note.durationMs,
    });
    const replies = await repliesOf(chat, id, 1);
    expect(replies.map(bodyOf)).toEqual([expect.stringMatching(/keine Spracherkennung eingerichtet/)]);
  });
});
