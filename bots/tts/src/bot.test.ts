import { createTestHarness, type SentEvent } from '@mana/bot-runtime/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTtsBot } from './bot.ts';
import { espeakEngine } from './espeak.ts';
import { openAiSpeechEngine } from './openai-speech.ts';
import { encodeWav } from './wav.ts';
import type { SpeechEngine } from './engine.ts';

const alice = '@alice:mana.test';
const TTS = '@tts:mana.test';
const dm = '!dm:mana.test';
const COST = 250;

function setup(engines: SpeechEngine[] = [espeakEngine()], progressAfterMs = 0) {
  const h = createTestHarness({
    bots: [createTtsBot({ engines, bitrate: 24000 })],
    linked: [alice],
    costs: { tts_synthesis: COST },
    commandTimeoutMs: 30_000,
    progressAfterMs,
  });
  h.members.set(dm, [alice, TTS]);
  h.credits.grant(alice, 10_000);
  return h;
}

const audioOf = (sent: SentEvent[]) => sent.filter((e) => e.content.msgtype === 'm.audio');
const textsOf = (sent: SentEvent[]) =>
  sent.filter((e) => e.content.msgtype === 'm.notice').map((e) => String(e.content.body));

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** An OpenAI-compatible speech server answering every request with `answer`. */
async function speechServer(
  answer: (body: Record<string, unknown>) => { status: number; bytes: Uint8Array },
) {
  const requests: Record<string, unknown>[] = [];
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push({ ...body, path: req.url });
      const a = answer(body);
      res.writeHead(a.status, { 'content-type': 'audio/wav' }).end(Buffer.from(a.bytes));
    });
  });
  const srv = server;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, requests };
}

describe('tts bot', () => {
  it('any text becomes one voice message (MSC3245/MSC1767), in reply, charged once', async () => {
    const h = setup();
    const sent = await h.say(alice, dm, 'Guten Morgen, wie geht es dir?');
    const [voice, ...more] = audioOf(sent);
    expect(more).toHaveLength(0);
    expect(textsOf(sent)).toEqual([]);
    const c = voice!.content;
    expect(c).toMatchObject({
      msgtype: 'm.audio',
      body: 'Guten Morgen, wie geht es dir?',
      info: { mimetype: 'audio/ogg' },
      'org.matrix.msc1767.text': 'Guten Morgen, wie geht es dir?',
      'org.matrix.msc1767.file': { mimetype: 'audio/ogg' },
      'org.matrix.msc3245.voice': {},
    });
    const info = c.info as { duration: number; size: number };
    const a = c['org.matrix.msc1767.audio'] as { duration: number; waveform: number[] };
    expect(a.duration).toBe(info.duration);
    expect(info.duration).toBeGreaterThan(1000);
    expect(a.waveform).toHaveLength(40);
    expect(Math.max(...a.waveform)).toBe(1024);
    const stored = h.matrix.media.get(String(c.url));
    expect(stored?.contentType).toBe('audio/ogg');
    expect(stored?.bytes.byteLength).toBe(info.size);
    expect(
      (c['m.relates_to'] as { 'm.in_reply_to': { event_id: string } })['m.in_reply_to'].event_id,
    ).toMatch(/^\$e/);
    expect(h.credits.commits.map((x) => x.operation)).toEqual(['tts_synthesis']);
    // The same event handled again (a re-run after a crash): Synapse gets the same transaction.
    const event = [...h.matrix.events.values()].at(-1)!;
    const again = await h.dispatcher.handle({
      event_id: event.eventId,
      room_id: dm,
      type: 'm.room.message',
      sender: alice,
      content: event.content,
    });
    expect(again).toBe('handled');
    expect(audioOf(h.matrix.sent)).toHaveLength(1);
  });

  it('a slow synthesis: the "working…" placeholder is removed once the voice message is there', async () => {
    const slow: SpeechEngine = {
      ...espeakEngine(),
      synthesize: async (r) => {
        await new Promise((done) => setTimeout(done, 80));
        return espeakEngine().synthesize(r);
      },
    };
    const h = setup([slow], 10);
    const sent = await h.say(alice, dm, 'Hallo Welt, wie geht es?');
    expect(sent.map((e) => e.content.msgtype)).toEqual(['m.notice', 'm.audio']);
    expect(h.matrix.redactions).toEqual([{ roomId: dm, eventId: sent[0]!.eventId, reason: 'done' }]);
  });

  it('stimme / voices / tempo / status, and tempo 2 makes it about half as long', async () => {
    const h = setup();
    expect((await h.ask(alice, dm, 'stimmen'))[0]).toMatch(/de-f.*en-us/s);
    expect(await h.ask(alice, dm, 'stimme klingon')).toEqual([
      expect.stringMatching(/kenne ich nicht.*de, de-f/),
    ]);
    expect(await h.ask(alice, dm, 'voice en-us')).toEqual([expect.stringMatching(/en-us/)]);
    const dur = async () => {
      const [v] = audioOf(await h.say(alice, dm, 'say The quick brown fox jumps over the lazy dog.'));
      return (v!.content.info as { duration: number }).duration;
    };
    const normal = await dur();
    expect(await h.ask(alice, dm, 'tempo 3')).toEqual([expect.stringMatching(/0,5 bis 2,0/)]);
    expect(await h.ask(alice, dm, 'speed 2,0')).toEqual([expect.stringMatching(/2/)]);
    const fast = await dur();
    expect(fast / normal).toBeGreaterThan(0.35);
    expect(fast / normal).toBeLessThan(0.65);
    expect((await h.ask(alice, dm, 'status'))[0]).toMatch(/en-us.*2.*espeak/);
  });

  it('bad input gets a short clear reply and nothing is charged', async () => {
    const h = setup();
    for (const [text, answer] of [
      ['😀🎉👍', /nichts zum Vorlesen/],
      ['**~~**', /nichts zum Vorlesen/],
      ['a'.repeat(600), /zu lang: 600 Zeichen/],
      ['x'.repeat(10_000), /zu lang/],
    ] as const) {
      const sent = await h.say(alice, dm, text);
      expect(audioOf(sent)).toHaveLength(0);
      expect(textsOf(sent), text.slice(0, 10)).toEqual([expect.stringMatching(answer)]);
    }
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
  });

  it('an upload rejected for size: told, hold released', async () => {
    const h = setup();
    h.matrix.maxUploadBytes = 100;
    const sent = await h.say(alice, dm, 'Das ist ein Satz, der länger als hundert Bytes klingt.');
    expect(textsOf(sent)).toEqual([expect.stringMatching(/größer, als der Server annimmt/)]);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
  });

  it('a speech server: asked over the OpenAI protocol; down or garbage → clear reply, hold released', async () => {
    const tone = Float32Array.from({ length: 24000 }, (_, i) => Math.sin(i / 8) * 0.4);
    let mode: 'ok' | 'garbage' | 'error' = 'ok';
    const srv = await speechServer(() =>
      mode === 'ok'
        ? { status: 200, bytes: encodeWav({ samples: tone, sampleRate: 24000 }) }
        : mode === 'garbage'
          ? { status: 200, bytes: new TextEncoder().encode('{"oops":true}'.repeat(10)) }
          : { status: 503, bytes: new TextEncoder().encode('overloaded') },
    );
    const engine = openAiSpeechEngine({
      baseUrl: srv.url,
      model: 'kokoro',
      voices: ['af_bella:en', 'thorsten:de'],
      timeoutMs: 2000,
    });
    const h = setup([engine, espeakEngine()]);
    const [v] = audioOf(await h.say(alice, dm, 'Hello there, how are you today?'));
    expect((v!.content.info as { duration: number }).duration).toBe(1000);
    expect(srv.requests[0]).toMatchObject({
      path: '/v1/audio/speech',
      model: 'kokoro',
      voice: 'af_bella',
      input: 'Hello there, how are you today?',
      response_format: 'wav',
      speed: 1,
    });
    mode = 'garbage';
    expect(textsOf(await h.say(alice, dm, 'Hello there, how are you?'))).toEqual([
      expect.stringMatching(/kein brauchbares Audio/),
    ]);
    mode = 'error';
    expect(textsOf(await h.say(alice, dm, 'Hello there, what is up?'))).toEqual([
      expect.stringMatching(/Sprachserver antwortet nicht/),
    ]);
    await new Promise((r) => server!.close(r));
    server = undefined;
    expect(textsOf(await h.say(alice, dm, 'Hello there, anyone?'))).toEqual([
      expect.stringMatching(/Sprachserver antwortet nicht/),
    ]);
    expect(h.credits.commits).toHaveLength(1);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000 - COST, held: 0, available: 10_000 - COST });
  });

  it('a speech server answering a WAV over the cap: refused without reading it all, hold released', async () => {
    const tone = Float32Array.from({ length: 48000 }, (_, i) => Math.sin(i / 8) * 0.4);
    const srv = await speechServer(() => ({
      status: 200,
      bytes: encodeWav({ samples: tone, sampleRate: 24000 }),
    }));
    // A real WAV of ~96 kB, but the engine takes at most 10 kB (the bot's cap is MAX_WAV_BYTES).
    const engine = openAiSpeechEngine({
      baseUrl: srv.url,
      model: 'kokoro',
      voices: ['af_bella:en'],
      timeoutMs: 2000,
      maxBytes: 10_000,
    });
    const h = setup([engine]);
    const sent = await h.say(alice, dm, 'Hello there, how are you today?');
    expect(audioOf(sent)).toHaveLength(0);
    expect(textsOf(sent)).toEqual([expect.stringMatching(/kein brauchbares Audio/)]);
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
  });

  it('🗣 on a text message reads it aloud as a threaded reply; on a file it says why not', async () => {
    const h = setup();
    const group = '!group:mana.test';
    h.members.set(group, [alice, '@bob:mana.test', TTS]);
    await h.say('@bob:mana.test', group, 'Hello everyone, the meeting starts at noon.');
    const target = [...h.matrix.events.values()].at(-1)!.eventId;
    const before = h.matrix.sent.length;
    await h.dispatcher.handle({
      event_id: '$react1',
      room_id: group,
      type: 'm.reaction',
      sender: alice,
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key: '🗣️' } },
    });
    const [v] = audioOf(h.matrix.sent.slice(before));
    expect(v!.content.body).toBe('Hello everyone, the meeting starts at noon.');
    expect(v!.content['m.relates_to']).toEqual({
      rel_type: 'm.thread',
      event_id: target,
      is_falling_back: true,
      'm.in_reply_to': { event_id: target },
    });
    expect(h.credits.commits).toHaveLength(1);
    await h.dispatcher.handle({
      event_id: '$react2',
      room_id: group,
      type: 'm.reaction',
      sender: alice,
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$unknown', key: '🗣' } },
    });
    expect(String(h.matrix.sent.at(-1)?.content.body)).toMatch(/keinen Text/);
    expect(h.credits.commits).toHaveLength(1);
  });
});
