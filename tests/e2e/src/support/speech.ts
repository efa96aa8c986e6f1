/**
 * Speech for the e2e tests: a fake speech-to-text server speaking the OpenAI transcription
 * protocol, real recorded-like voice notes (espeak-ng, Ogg/Opus) and the checks that a voice
 * message decodes as one (a real Ogg/Opus decoder). Shared by the tts and the E2EE tests.
 */
import { encodeVoice, espeakEngine, type Voice } from '@mana/bot-tts';
import { decodeOgg } from '@mana/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { expect } from 'vitest';

/** What the fake speech-to-text server received: the multipart form, parsed by a real parser. */
export interface SttRequest {
  path: string | undefined;
  contentType: string | undefined;
  model: unknown;
  language: unknown;
  filename: string | undefined;
  fileType: string | undefined;
  /** The uploaded file decoded as Ogg/Opus: seconds of audio, or undefined when it is none. */
  seconds: number | undefined;
}

export interface FakeStt {
  url: string;
  requests: SttRequest[];
  /** What the server "hears" in the next real Ogg/Opus upload. */
  hear(text: string): void;
  close(): Promise<void>;
}

/**
 * A whisper-style server speaking the OpenAI transcription protocol: multipart/form-data with
 * `file` and `model`; 400 for a file that is not audio (as whisper.cpp and speaches answer),
 * `{ "text": … }` otherwise.
 */
export async function startFakeStt(): Promise<FakeStt> {
  const requests: SttRequest[] = [];
  let heard = '';
  const server = createServer((req, res) => {
    const request = new Request(`http://stt${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: Readable.toWeb(req) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    void (async () => {
      const form = await request.formData().catch(() => undefined);
      const file = form?.get('file');
      let seconds: number | undefined;
      if (file instanceof File) {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const decoded = await decodeOgg(bytes).catch(() => undefined);
        seconds =
          decoded && decoded.errors.length === 0 && decoded.samplesDecoded > 0
            ? decoded.samplesDecoded / decoded.sampleRate
            : undefined;
      }
      requests.push({
        path: req.url,
        contentType: req.headers['content-type'],
        model: form?.get('model'),
        language: form?.get('language'),
        filename: file instanceof File ? file.name : undefined,
        fileType: file instanceof File ? file.type : undefined,
        seconds,
      });
      if (req.url !== '/v1/audio/transcriptions' || !(file instanceof File) || seconds === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Invalid file: could not decode audio' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: heard }));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    hear: (text) => (heard = text),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A real recorded-like voice note: espeak-ng speaking `text` (German), as Ogg/Opus. */
export async function recordedVoice(text: string) {
  const engine = espeakEngine();
  const voice = engine.voices.find((v) => v.id === 'de') as Voice;
  return encodeVoice(await engine.synthesize({ text, voice, speed: 1 }));
}

const rms = (s: Float32Array) => Math.sqrt(s.reduce((a, x) => a + x * x, 0) / s.length);

/**
 * Checks that `ogg` is the voice message its event describes (`info.size`, `info.duration` in ms):
 * Ogg/Opus, 48 kHz mono, as long as it says, not silence, ~24 kbit/s. Its decoded length in ms.
 */
export async function expectVoiceOgg(ogg: Uint8Array, info: { size: number; duration: number }) {
  expect(ogg.byteLength).toBe(info.size);
  // Ogg page 1 carries the Opus identification header: codec Opus, 1 channel.
  expect(new TextDecoder().decode(ogg.subarray(0, 4))).toBe('OggS');
  expect(new TextDecoder().decode(ogg.subarray(28, 36))).toBe('OpusHead');
  expect(ogg[37]).toBe(1);
  const decoded = await decodeOgg(ogg);
  expect(decoded.errors).toEqual([]);
  expect(decoded.sampleRate).toBe(48_000);
  expect(decoded.channelData).toHaveLength(1);
  const decodedMs = (decoded.samplesDecoded / decoded.sampleRate) * 1000;
  expect(Math.abs(decodedMs - info.duration) / info.duration).toBeLessThan(0.1);
  expect(rms(decoded.channelData[0]!)).toBeGreaterThan(0.01);
  // ~24 kbit/s (Ogg framing and short files add a little).
  const kbps = (ogg.byteLength * 8) / info.duration;
  expect(kbps).toBeGreaterThan(12);
  expect(kbps).toBeLessThan(40);
  return decodedMs;
}
