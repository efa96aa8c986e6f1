import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../bot.ts';
import { createTestHarness } from '../testing.ts';
import { openAiTranscriber, type SpeechToText } from './voice.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';
const BOT = '@todo:mana.test';

/** A bot whose `add` costs, with a fallback: what happens to the transcript is visible. */
const notes = defineBot({
  id: 'todo',
  localpart: 'todo',
  displayName: 'Notes',
  description: { de: 'Notizen', en: 'Notes' },
  commands: [
    {
      name: 'add',
      aliases: { de: ['neu'], en: ['add'] },
      args: [{ name: 'text', kind: 'text' }],
      help: { de: 'x', en: 'x' },
      cost: 'ai_task_breakdown',
      run: (_ctx, args) => `added: ${args.str('text')}`,
    },
  ],
  fallback: async (_ctx, text) => `noted: ${text}`,
});

const OGG = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3, 4]);

function setup(stt?: SpeechToText) {
  const h = createTestHarness({
    bots: [notes],
    linked: [alice],
    costs: { stt_transcription: 100, ai_task_breakdown: 500 },
    ...(stt ? { stt } : {}),
  });
  h.members.set(dm, [alice, BOT]);
  h.credits.grant(alice, 10_000);
  h.matrix.media.set('mxc://mana.test/voice', { bytes: OGG, contentType: 'audio/ogg' });
  return h;
}

/** With her language settled by a first text (so no reply carries the "I answer in German" note). */
async function settled(stt?: SpeechToText) {
  const h = setup(stt);
  await h.ask(alice, dm, 'hilfe');
  return h;
}

const voiceNote = (
  info: Record<string, unknown> = { mimetype: 'audio/ogg', size: OGG.length, duration: 1200 },
) => ({
  msgtype: 'm.audio',
  body: 'Voice message',
  url: 'mxc://mana.test/voice',
  info,
  'org.matrix.msc3245.voice': {},
});

const bodies = (sent: { content: Record<string, unknown> }[]) => sent.map((e) => String(e.content.body));

function fakeStt(answer: (bytes: Uint8Array) => Promise<string>): SpeechToText & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    maxBytes: 1024,
    async transcribe(audio, o) {
      calls.push(`${audio.mimetype} ${audio.filename} ${audio.bytes.length} ${o.language}`);
      return answer(audio.bytes);
    },
  };
}

describe('voice notes in', () => {
  it('without speech-to-text: one clear line, nothing charged', async () => {
    const h = setup();
    expect(bodies(await h.say(alice, dm, 'Voice message', voiceNote()))).toEqual([
      expect.stringMatching(/keine Spracherkennung eingerichtet/),
    ]);
    expect(h.credits.commits).toEqual([]);
  });

  it('transcript shown, then handled exactly like the text: a command with its own cost', async () => {
    const stt = fakeStt(async () => '  neu Milch kaufen ');
    const h = await settled(stt);
    const sent = await h.say(alice, dm, 'Voice message', voiceNote());
    expect(bodies(sent)).toEqual(['🎤 „neu Milch kaufen“', 'added: Milch kaufen']);
    expect(stt.calls).toEqual(['audio/ogg voice.ogg 8 de']);
    // Both answers are replies to the voice note; two separate messages.
    const voiceId = [...h.matrix.events.keys()].at(-1);
    for (const e of sent)
      expect(e.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: voiceId } });
    expect(new Set(sent.map((e) => e.eventId)).size).toBe(2);
    expect(h.credits.commits.map((c) => c.operation)).toEqual(['stt_transcription', 'ai_task_breakdown']);
  });

  it('plain audio goes the same way for a bot that takes no audio; plain words reach the fallback', async () => {
    const h = await settled(fakeStt(async () => 'Zahnarzt anrufen'));
    const { 'org.matrix.msc3245.voice': _, ...audio } = voiceNote();
    expect(bodies(await h.say(alice, dm, 'memo.ogg', audio))).toEqual([
      '🎤 „Zahnarzt anrufen“',
      'noted: Zahnarzt anrufen',
    ]);
  });

  it('wrong mimetype, too large, corrupt, silent: a clear reply, the hold released', async () => {
    const stt = fakeStt(async (bytes) => {
      if (bytes[0] !== 0x4f) throw new Error('400 invalid audio');
      return ' ';
    });
    const h = setup(stt);
    expect(bodies(await h.say(alice, dm, 'x', voiceNote({ mimetype: 'application/pdf', size: 8 })))).toEqual([
      expect.stringMatching(/keine Audiodatei \(application\/pdf\)/),
    ]);
    expect(
      bodies(await h.say(alice, dm, 'x', voiceNote({ mimetype: 'audio/ogg', size: 50 * 1024 * 1024 }))),
    ).toEqual([expect.stringMatching(/zu groß \(50 MB, höchstens 0 MB\)/)]);
    expect(stt.calls).toEqual([]);
    // Silence: the server heard nothing.
    expect(bodies(await h.say(alice, dm, 'x', voiceNote()))).toEqual([expect.stringMatching(/keine Worte/)]);
    h.matrix.media.set('mxc://mana.test/voice', {
      bytes: new Uint8Array([0, 0, 0]),
      contentType: 'audio/ogg',
    });
    expect(bodies(await h.say(alice, dm, 'x', voiceNote()))).toEqual([
      expect.stringMatching(/nicht verstehen/),
    ]);
    expect(h.credits.commits).toEqual([]);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
  });

  it('a bot that takes voice notes itself gets them as files', async () => {
    const h = createTestHarness({
      bots: [
        defineBot({ ...notes, media: { accepts: ['voice'], handle: async (_c, m) => `file ${m.kind}` } }),
      ],
      linked: [alice],
      stt: fakeStt(async () => 'never'),
    });
    h.members.set(dm, [alice, BOT]);
    expect(bodies(await h.say(alice, dm, 'x', voiceNote()))).toEqual(['file voice']);
  });
});

describe('openAiTranscriber', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  it('posts multipart/form-data (file, model, language) to /v1/audio/transcriptions and reads `text`', async () => {
    const seen: {
      path?: string;
      auth?: string;
      model?: unknown;
      language?: unknown;
      file?: string;
      size?: number;
    }[] = [];
    server = createServer((req, res) => {
      const request = new Request(`http://x${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: Readable.toWeb(req) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      void request.formData().then((form) => {
        const file = form.get('file');
        seen.push({
          path: req.url,
          auth: req.headers.authorization,
          model: form.get('model'),
          language: form.get('language'),
          file: file instanceof File ? `${file.name} ${file.type}` : undefined,
          size: file instanceof File ? file.size : undefined,
        });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ text: 'hallo welt' }));
      });
    });
    const srv = server;
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const stt = openAiTranscriber({
      baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`,
      model: 'whisper-1',
      apiKey: 'k',
      maxBytes: 1000,
      timeoutMs: 5000,
    });
    expect(
      await stt.transcribe({ bytes: OGG, mimetype: 'audio/ogg', filename: 'voice.ogg' }, { language: 'de' }),
    ).toBe('hallo welt');
    expect(seen).toEqual([
      {
        path: '/v1/audio/transcriptions',
        auth: 'Bearer k',
        model: 'whisper-1',
        language: 'de',
        file: 'voice.ogg audio/ogg',
        size: 8,
      },
    ]);
  });

  it('a failing or garbage answer is an error (the stage turns it into a clear reply)', async () => {
    const stt = openAiTranscriber({
      baseUrl: 'http://127.0.0.1:9',
      model: 'm',
      maxBytes: 10,
      timeoutMs: 1000,
      fetch: async () => new Response('<html>', { status: 200 }),
    });
    await expect(
      stt.transcribe({ bytes: OGG, mimetype: 'audio/ogg', filename: 'v.ogg' }, {}),
    ).rejects.toThrow(/without text/);
  });
});
