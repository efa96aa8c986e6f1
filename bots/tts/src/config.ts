/**
 * The tts bot's configuration (`BOT_TTS_` prefix, read by the runner with the other `BOT_`
 * variables), parsed once when the runner loads the bot: a bad value stops the start.
 */
import { defineConfig, loadConfig, type ConfigOf } from '@mana/config';
import { z } from 'zod';
import { ENCODERS } from './opus-stream.ts';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

/** An empty string or an http(s) URL. */
const optionalUrl = z.union([z.literal(''), z.url({ protocol: /^https?$/ })]);

export const ttsConfigSpec = defineConfig('BOT_TTS_', {
  speechUrl: {
    schema: optionalUrl,
    default: '',
    doc: 'Base URL of an OpenAI-compatible speech server (POST <url>/v1/audio/speech: Kokoro, Piper … behind speaches, openedai-speech, LocalAI); empty = only the embedded espeak-ng engine',
  },
  speechModel: { schema: z.string().min(1), default: 'tts-1', doc: 'The `model` sent to the speech server' },
  speechVoices: {
    schema: list,
    default: '',
    doc: 'Comma-separated voices of the speech server, each `name` or `name:de` / `name:en` (the language it speaks); the first of a language is its default',
  },
  speechApiKey: {
    schema: z.string(),
    default: '',
    secret: true,
    doc: 'Bearer token for the speech server (empty = none)',
  },
  speechTimeoutMs: {
    schema: z.coerce.number().int().min(1000),
    default: '30000',
    doc: 'A speech server answering slower than this counts as down',
  },
  synthesisTimeoutMs: {
    schema: z.coerce.number().int().min(100),
    default: '30000',
    doc: 'An espeak-ng synthesis taking longer is stopped and answered with a short failure line',
  },
  bitrate: {
    schema: z.coerce.number().int().min(6000).max(128000),
    default: '24000',
    doc: 'Opus bit rate of voice messages (bit/s)',
  },
  encoder: {
    schema: z.enum(ENCODERS),
    default: 'opus',
    doc: 'Ogg/Opus encoder: opus = libopus from @evan/opus (its WASM build) with our Ogg muxer; opus-native = its native build (a little faster; the process segfaults when the encoder thread ends); libav = libav.js (FFmpeg in WASM, slower; the fallback)',
  },
});

export type TtsConfig = ConfigOf<typeof ttsConfigSpec>;

export function loadTtsConfig(env: Readonly<Record<string, string | undefined>> = process.env): TtsConfig {
  return loadConfig(ttsConfigSpec, env);
}
