/**
 * Issue 14's "reliability and bad input" for the tts bot, end to end (real Synapse, auth, sync,
 * credits): a speech server that is down, answers garbage or too slowly, and a voice message larger
 * than Synapse's `max_upload_size` each get one short clear reply, and the credits hold is released
 * (read back from the ledger). The speech server is a fake speaking the OpenAI protocol
 * (`POST /v1/audio/speech` → WAV); its working voice speaks real espeak-ng audio.
 */
import { createCreditsClient, type CreditsClient } from '@mana/credits';
import { encodeWav, espeakEngine, type Voice } from '@mana/bot-tts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openChat, type Chat } from './support/bots-chat.ts';
import {
  CREDITS_AUDIENCE,
  SERVER_NAME,
  startBotsStack,
  until,
  type BotsStack,
  type StackUser,
} from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const TTS = `@tts:${SERVER_NAME}`;
/** Synapse refuses larger uploads: a short text's voice message fits, a 480-character one does not. */
const MAX_UPLOAD = 48 * 1024;
const TIMEOUT_MS = 1500;

let stack: BotsStack;
let speech: Server;
/** What the fake speech server was asked. */
const asked: { voice: unknown; format: unknown; input: unknown }[] = [];

/** A fake OpenAI-compatible speech server; what it does depends on the voice asked for. */
async function startFakeSpeech(): Promise<string> {
  const engine = espeakEngine();
  const en = engine.voices.find((v) => v.id === 'en-us') as Voice;
  speech = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        asked.push({ voice: body.voice, format: body.response_format, input: body.input });
        switch (body.voice) {
          case 'srv-ok': {
            const pcm = await engine.synthesize({ text: String(body.input), voice: en, speed: 1 });
            res.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.from(encodeWav(pcm)));
            return;
          }
          case 'srv-down': // the connection drops, as a crashed or restarting server's does
            req.socket.destroy();
            return;
          case 'srv-garbage':
            res
              .writeHead(200, { 'content-type': 'audio/wav' })
              .end(Buffer.from('<html>502 Bad Gateway</html>'));
            return;
          case 'srv-slow': // answers long after the bot's timeout
            setTimeout(() => res.writeHead(503).end(), TIMEOUT_MS * 4).unref();
            return;
          default:
            res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"unknown voice"}');
        }
      })();
    });
  });
  await new Promise<void>((r) => speech.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(speech.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const url = await startFakeSpeech();
  stack = await startBotsStack({
    label: 'e2e_tts_fail',
    startingBalance: 10_000,
    synapseConfig: { max_upload_size: `${MAX_UPLOAD / 1024}K` },
    runnerEnv: {
      BOTS: 'tts',
      BOT_PROGRESS_AFTER_MS: '60000',
      BOT_TTS_SPEECH_URL: url,
      BOT_TTS_SPEECH_VOICES: 'srv-ok:en,srv-down:en,srv-garbage:en,srv-slow:en',
      BOT_TTS_SPEECH_TIMEOUT_MS: String(TIMEOUT_MS),
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((r) => speech?.close(r));
});

afterEach(logRunnerOnFailure(() => stack));

describe('tts bot: failures get a short clear reply, and the hold is released', () => {
  let una: StackUser;
  let chat: Chat;
  let api: CreditsClient;
  const commits = async () =>
    (await api.transactions({ limit: 100 })).entries.filter(
      (e) => e.kind === 'commit' && e.operation === 'tts_synthesis',
    ).length;
  /** The hold is released, and nothing more was charged. */
  const released = async (charged: number) => {
    await until(
      'the hold released',
      async () => ((await api.balance()).held === 0 ? true : undefined),
      20_000,
    );
    expect(await commits()).toBe(charged);
  };

  beforeAll(async () => {
    una = await stack.ssoUser('una');
    chat = await openChat(stack, una, TTS);
    const token = await stack.webToken(una, CREDITS_AUDIENCE, 'openid credits');
    api = createCreditsClient({ baseUrl: `${stack.auth.baseUrl}/api/v1/credits`, getToken: () => token });
  }, 60_000);

  it('a working speech server: its WAV comes back as a voice message, charged once', async () => {
    expect(String((await chat.ask('voice srv-ok')).content.body)).toMatch(/srv-ok/);
    const reply = await chat.ask('The weather is lovely today.', 60_000);
    expect(reply.content.msgtype).toBe('m.audio');
    expect((reply.content.info as { duration: number }).duration).toBeGreaterThan(800);
    expect(asked.at(-1)).toEqual({ voice: 'srv-ok', format: 'wav', input: 'The weather is lovely today.' });
    await released(1);
  });

  it('a speech server that is down: "does not answer", hold released', async () => {
    await chat.ask('voice srv-down');
    const reply = await chat.ask('Is anybody there?', 60_000);
    expect(reply.content.msgtype).toBe('m.notice');
    expect(String(reply.content.body)).toMatch(/antwortet nicht|does not answer/);
    await released(1);
  });

  it('a speech server answering garbage instead of WAV: "no usable audio", hold released', async () => {
    await chat.ask('voice srv-garbage');
    const reply = await chat.ask('Say something.', 60_000);
    expect(String(reply.content.body)).toMatch(/kein brauchbares Audio|no usable audio/);
    await released(1);
  });

  it('a synthesis slower than BOT_TTS_SPEECH_TIMEOUT_MS: "does not answer", hold released', async () => {
    await chat.ask('voice srv-slow');
    const reply = await chat.ask('Take your time.', 60_000);
    expect(String(reply.content.body)).toMatch(/antwortet nicht|does not answer/);
    expect(asked.at(-1)?.voice).toBe('srv-slow');
    await released(1);
  });

  it("a voice message larger than Synapse's max_upload_size: told to send less, hold released", async () => {
    await chat.ask('voice en-us');
    const sentence = 'The quick brown fox jumps over the lazy dog while the band plays on. ';
    const text = sentence.repeat(7).trim(); // ≈ 480 characters ≈ 30 s ≈ 90 KB of Opus
    expect(text.length).toBeLessThanOrEqual(500);
    const reply = await chat.ask(text, 60_000);
    expect(reply.content.msgtype).toBe('m.notice');
    expect(String(reply.content.body)).toMatch(
      /größer, als der Server annimmt|larger than the server accepts/,
    );
    await released(1);
    // A short text in the same voice still fits.
    expect((await chat.ask('Short one.', 60_000)).content.msgtype).toBe('m.audio');
    await released(2);
  });
});
