/**
 * Text to speech: a voice message's synthesis + Ogg/Opus encoding (what the tts bot does per
 * message) against espeak-ng alone on the same texts in the same run, per 100 characters; and the
 * real-time factor, seconds of audio made per second of wall time.
 *
 *   npm exec -- node bench/src/run.ts tts-voice --samples 20
 */
import { encodeVoice, espeakEngine, type Voice } from '@mana/bot-tts';
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

async function measure(
  samples: number,
  withEncoding: boolean,
): Promise<{ result: number[]; audioSeconds: number; wallSeconds: number }> {
  const engine = espeakEngine();
  const voice = (id: string) => engine.voices.find((v) => v.id === id) as Voice;
  const one = async (i: number) => {
    const [id, text] = TEXTS[i % TEXTS.length]!;
    const started = performance.now();
    const pcm = await engine.synthesize({ text, voice: voice(id), speed: 1 });
    if (withEncoding) await encodeVoice(pcm);
    return {
      ms: ((performance.now() - started) * 100) / text.length,
      audio: pcm.samples.length / pcm.sampleRate,
    };
  };
  // Warm-up: WASM compile and JIT of both modules.
  for (let i = 0; i < 4; i++) await one(i);
  const result: number[] = [];
  let audioSeconds = 0;
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) {
    const r = await one(i);
    result.push(r.ms);
    audioSeconds += r.audio;
  }
  return { result, audioSeconds, wallSeconds: (performance.now() - t0) / 1000 };
}

function report(name: string, m: Awaited<ReturnType<typeof measure>>): BenchResult {
  console.error(
    `${name}: real-time factor ${(m.audioSeconds / m.wallSeconds).toFixed(1)}× (${m.audioSeconds.toFixed(1)} s audio in ${m.wallSeconds.toFixed(1)} s)`,
  );
  return { name, stats: summarize(m.result), samples: m.result };
}

export const ttsEngine: Benchmark = {
  name: 'tts-engine',
  description: 'espeak-ng (WASM) alone: ms per 100 characters of text',
  async run({ samples }) {
    return report('tts-engine', await measure(Math.min(samples, MAX_SAMPLES), false));
  },
};

export const ttsVoice: Benchmark = {
  name: 'tts-voice',
  description: 'a voice message: espeak-ng + resample + Ogg/Opus encode + waveform, ms per 100 characters',
  baseline: 'tts-engine',
  async run({ samples }) {
    return report('tts-voice', await measure(Math.min(samples, MAX_SAMPLES), true));
  },
};
