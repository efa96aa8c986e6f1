/**
 * Text to speech: a voice message's synthesis + Ogg/Opus encoding (what the tts bot does per
 * message) against espeak-ng alone on the same texts in the same run, per 100 characters; and the
 * real-time factor, seconds of audio made per second of wall time.
 *
 * `tts-voice-libav` is the same message through the fallback encoder (`BOT_TTS_ENCODER=libav`),
 * alternated with the other two. `tts-steps` takes a voice message apart: synthesis, resampling,
 * Opus encoding, Ogg muxing and the waveform, each per 100 characters, done one after the other in
 * one thread, for each encoder and for the alternatives (48 kHz input, other complexities).
 *
 *   npm exec -- node bench/src/run.ts tts-voice tts-voice-libav tts-steps --samples 40
 */
import {
  espeakEngine,
  OPUS_COMPLEXITY,
  openOpusStream,
  opusInputRate,
  startVoiceEncoding,
  waveformOf,
  OPUS_APPLICATION,
  OPUS_VBR,
  type EncoderName,
  type OpusApplication,
  type OpusVbr,
  type Voice,
} from '@mana/bot-tts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';

/** 100 characters each, German and English. */
const TEXTS: readonly [string, string][] = [
  [
    'de',
    'Morgen um neun Uhr treffen wir uns am Bahnhof, danach fahren wir gemeinsam in die Stadt zum Markt.',
  ],
  [
    'en-us',
    'Tomorrow at nine we meet at the station, and then we take the train into town to visit the market.',
  ],
];

/** Each benchmark takes at most this many samples: one is a whole synthesis (hundreds of ms). */
const MAX_SAMPLES = 40;

interface Series {
  result: number[];
  audioSeconds: number;
  wallSeconds: number;
}

/** What one sample of the paired measurement makes: espeak-ng alone, or a voice message. */
type Way = 'engine' | EncoderName;
const WAYS: readonly Way[] = ['engine', 'opus', 'libav'];

/**
 * The engine alone and a whole voice message (default encoder, and libav.js), in turn sample by
 * sample in one loop, the order rotated: on a shared machine the load changes by the second, and
 * taking turns puts all under the same load (the benchmarks share this one measurement).
 */
async function measurePaired(samples: number): Promise<Record<Way, Series>> {
  const engine = espeakEngine();
  const voice = (id: string) => engine.voices.find((v) => v.id === id) as Voice;
  const one = async (i: number, way: Way) => {
    const [id, text] = TEXTS[i % TEXTS.length]!;
    const started = performance.now();
    // As the bot does it: the speech goes to the encoder thread as espeak-ng makes it.
    const encoding = way === 'engine' ? undefined : startVoiceEncoding({ encoder: way });
    const pcm = await engine.synthesize({
      text,
      voice: voice(id),
      speed: 1,
      onAudio: encoding ? (samples, rate) => encoding.push(samples, rate) : undefined,
    });
    if (encoding) await encoding.finish(pcm);
    const wall = performance.now() - started;
    return { ms: (wall * 100) / text.length, wall, audio: pcm.samples.length / pcm.sampleRate };
  };
  // Warm-up: WASM compile and JIT of every module (espeak-ng's takes more than a few calls).
  for (let i = 0; i < 12; i++) await one(i, WAYS[i % WAYS.length]!);
  const series = (): Series => ({ result: [], audioSeconds: 0, wallSeconds: 0 });
  const out: Record<Way, Series> = {
    engine: series(),
    opus: series(),
    'opus-native': series(),
    libav: series(),
  };
  for (let i = 0; i < samples; i++)
    for (let k = 0; k < WAYS.length; k++) {
      const way = WAYS[(i + k) % WAYS.length]!;
      const r = await one(i, way);
      const s = out[way];
      s.result.push(r.ms);
      s.audioSeconds += r.audio;
      s.wallSeconds += r.wall / 1000;
    }
  return out;
}

let paired: Promise<Record<Way, Series>> | undefined;

function report(name: string, m: Series): BenchResult {
  console.error(
    `${name}: real-time factor ${(m.audioSeconds / m.wallSeconds).toFixed(1)}× (${m.audioSeconds.toFixed(1)} s audio in ${m.wallSeconds.toFixed(1)} s)`,
  );
  return { name, stats: summarize(m.result), samples: m.result };
}

export const ttsEngine: Benchmark = {
  name: 'tts-engine',
  description: 'espeak-ng (WASM) alone: ms per 100 characters of text (alternated with tts-voice)',
  async run({ samples }) {
    paired ??= measurePaired(Math.min(samples, MAX_SAMPLES));
    return report('tts-engine', (await paired).engine);
  },
};

export const ttsVoice: Benchmark = {
  name: 'tts-voice',
  description:
    'a voice message as the bot makes it: espeak-ng, resample + Opus (@evan/opus) + our Ogg muxer in the encoder thread alongside, waveform; ms per 100 characters',
  baseline: 'tts-engine',
  async run({ samples }) {
    paired ??= measurePaired(Math.min(samples, MAX_SAMPLES));
    return report('tts-voice', (await paired).opus);
  },
};

export const ttsVoiceLibav: Benchmark = {
  name: 'tts-voice-libav',
  description:
    'the same voice message with BOT_TTS_ENCODER=libav (libav.js: FFmpeg resampler, libopus, Ogg muxer in WASM), taking turns with tts-voice',
  baseline: 'tts-engine',
  async run({ samples }) {
    paired ??= measurePaired(Math.min(samples, MAX_SAMPLES));
    return report('tts-voice-libav', (await paired).libav);
  },
};

interface Setting {
  label: string;
  encoder: EncoderName;
  complexity: number;
  /** Rate fed to libopus; undefined = the bot's (`opusInputRate`). */
  opusRate?: number;
  /** undefined = the bot's (`OPUS_APPLICATION`, `OPUS_VBR`). */
  application?: OpusApplication;
  vbr?: OpusVbr;
}

/** The bot's setting first: it is the benchmark's result; the others are printed for comparison. */
const SETTINGS: readonly Setting[] = [
  { label: 'bot', encoder: 'opus', complexity: OPUS_COMPLEXITY },
  { label: 'native build', encoder: 'opus-native', complexity: OPUS_COMPLEXITY },
  { label: 'libav.js (before)', encoder: 'libav', complexity: OPUS_COMPLEXITY },
  { label: '48 kHz in', encoder: 'opus', complexity: OPUS_COMPLEXITY, opusRate: 48_000 },
  { label: '16 kHz in', encoder: 'opus', complexity: OPUS_COMPLEXITY, opusRate: 16_000 },
  { label: 'complexity 5', encoder: 'opus', complexity: 5 },
  { label: 'CBR', encoder: 'opus', complexity: OPUS_COMPLEXITY, vbr: 'off' },
  // The setting before 3 Dec (afternoon): VoIP mode, SILK/hybrid, signal voice, free VBR.
  { label: 'VoIP, complexity 1 (before)', encoder: 'opus', complexity: 1, application: 'voip', vbr: 'on' },
];

const STEPS = ['synth', 'resample', 'encode', 'mux', 'waveform'] as const;
type Step = (typeof STEPS)[number];

async function measureSteps(samples: number, setting: Setting): Promise<Record<Step | 'total', number[]>> {
  const engine = espeakEngine();
  const voice = (id: string) => engine.voices.find((v) => v.id === id) as Voice;
  const out: Record<Step | 'total', number[]> = {
    synth: [],
    resample: [],
    encode: [],
    mux: [],
    waveform: [],
    total: [],
  };
  for (let i = -4; i < samples; i++) {
    const [id, text] = TEXTS[(i + 4) % TEXTS.length]!;
    const per100 = (ms: number) => (ms * 100) / text.length;
    let t = performance.now();
    const pcm = await engine.synthesize({ text, voice: voice(id), speed: 1 });
    const synth = performance.now() - t;
    const stream = await openOpusStream({
      sampleRate: pcm.sampleRate,
      bitrate: 24_000,
      complexity: setting.complexity,
      opusRate: setting.opusRate,
      application: setting.application,
      vbr: setting.vbr,
      encoder: setting.encoder,
    });
    await stream.push(pcm.samples);
    await stream.finish();
    t = performance.now();
    waveformOf(pcm.samples);
    const waveform = performance.now() - t;
    if (i < 0) continue; // warm-up
    const { resampleMs, encodeMs, muxMs } = stream.times;
    const row = { synth, resample: resampleMs, encode: encodeMs, mux: muxMs, waveform };
    for (const step of STEPS) out[step].push(per100(row[step]));
    out.total.push(per100(synth + resampleMs + encodeMs + muxMs + waveform));
  }
  return out;
}

/**
 * The same message three ways, alternated: all in one thread one step after the other; synthesis,
 * then the whole PCM to the encoder thread; and the bot's pipeline (chunks to the encoder thread while
 * espeak-ng speaks). What the threads buy on this machine at this load.
 */
async function measureWall(samples: number): Promise<Record<string, number[]>> {
  const engine = espeakEngine();
  const voice = (id: string) => engine.voices.find((v) => v.id === id) as Voice;
  const ways: Record<string, (id: string, text: string) => Promise<unknown>> = {
    'one thread, in turn': async (id, text) => {
      const pcm = await engine.synthesize({ text, voice: voice(id), speed: 1 });
      const stream = await openOpusStream({
        sampleRate: pcm.sampleRate,
        bitrate: 24_000,
        complexity: OPUS_COMPLEXITY,
      });
      await stream.push(pcm.samples);
      await stream.finish();
      waveformOf(pcm.samples);
    },
    'encoder thread after synthesis': async (id, text) =>
      startVoiceEncoding().finish(await engine.synthesize({ text, voice: voice(id), speed: 1 })),
    'pipelined (the bot)': async (id, text) => {
      const encoding = startVoiceEncoding();
      const pcm = await engine.synthesize({
        text,
        voice: voice(id),
        speed: 1,
        onAudio: (chunk, rate) => encoding.push(chunk, rate),
      });
      await encoding.finish(pcm);
    },
  };
  const out: Record<string, number[]> = {};
  for (let i = -2; i < samples; i++)
    for (const [name, way] of Object.entries(ways)) {
      const [id, text] = TEXTS[(i + 2) % TEXTS.length]!;
      const t = performance.now();
      await way(id, text);
      if (i >= 0) (out[name] ??= []).push(((performance.now() - t) * 100) / text.length);
    }
  return out;
}

export const ttsSteps: Benchmark = {
  name: 'tts-steps',
  description:
    'a voice message step by step in one thread (synth, resample, encode, mux, waveform), ms per 100 characters',
  baseline: 'tts-engine',
  async run({ samples }) {
    const n = Math.min(samples, MAX_SAMPLES);
    let bot: number[] = [];
    for (const setting of SETTINGS) {
      const m = await measureSteps(n, setting);
      if (setting.label === 'bot') bot = m.total;
      const rate = setting.opusRate ?? opusInputRate(22_050);
      const cells = [...STEPS, 'total' as const].map((s) => `${s} ${summarize(m[s]).p50.toFixed(2)}`);
      const mode = `${setting.application ?? OPUS_APPLICATION}, VBR ${setting.vbr ?? OPUS_VBR}`;
      console.error(
        `tts-steps [${setting.label}: ${setting.encoder}, ${rate / 1000} kHz in, ${mode}, complexity ${setting.complexity}] p50 ms/100 chars: ${cells.join(' · ')}`,
      );
    }
    const wall = await measureWall(n);
    console.error(
      `tts-steps wall p50 ms/100 chars: ${Object.entries(wall)
        .map(([way, ms]) => `${way} ${summarize(ms).p50.toFixed(1)}`)
        .join(' · ')}`,
    );
    return { name: 'tts-steps', stats: summarize(bot), samples: bot };
  },
};
