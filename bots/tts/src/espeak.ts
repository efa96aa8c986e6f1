/**
 * The embedded engine: espeak-ng compiled to WebAssembly (`@echogarden/espeak-ng-emscripten`, the
 * voices ship in the package's data file), so a fresh `npm ci` speaks with no server. One module
 * instance per process, loaded on first use; calls are synchronous inside WASM, so they never overlap.
 */
import type { Pcm, SpeechEngine, SynthesisRequest, Voice } from './engine.ts';
import { SpeechError } from './engine.ts';
import { importUntyped, type EspeakInit, type EspeakWorker } from './vendor.ts';

/** espeak-ng's normal rate (words per minute); speed scales it. Its range is 80…450. */
const NORMAL_WPM = 175;

/** The espeak voice (language + variant) behind each voice id. */
const ESPEAK_NAMES: Readonly<Record<string, string>> = {
  de: 'de',
  'de-f': 'de+f3',
  'en-us': 'en-us',
  'en-us-f': 'en-us+f3',
  'en-gb': 'en',
};

export const ESPEAK_VOICES: readonly Voice[] = [
  { id: 'de', lang: 'de', label: 'Deutsch (männlich)', engine: 'espeak' },
  { id: 'de-f', lang: 'de', label: 'Deutsch (weiblich)', engine: 'espeak' },
  { id: 'en-us', lang: 'en', label: 'English US (male)', engine: 'espeak' },
  { id: 'en-us-f', lang: 'en', label: 'English US (female)', engine: 'espeak' },
  { id: 'en-gb', lang: 'en', label: 'English UK (male)', engine: 'espeak' },
];

let loading: Promise<EspeakWorker> | undefined;

function worker(): Promise<EspeakWorker> {
  loading ??= (async () => {
    const init = await importUntyped<EspeakInit>('@echogarden/espeak-ng-emscripten');
    // Silence the module's stdout/stderr chatter; errors surface as return codes.
    const m = await init({ print: () => {}, printErr: () => {} });
    return new m.eSpeakNGWorker();
  })().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

export function espeakEngine(): SpeechEngine {
  return {
    id: 'espeak',
    voices: ESPEAK_VOICES,
    async synthesize({ text, voice, speed, onAudio }: SynthesisRequest): Promise<Pcm> {
      const name = ESPEAK_NAMES[voice.id];
      if (!name) throw new SpeechError('unknown_voice', `espeak has no voice ${voice.id}`);
      const w = await worker();
      if (w.set_voice(name) !== 0) throw new SpeechError('unknown_voice', `espeak refused voice ${name}`);
      w.set_rate(Math.round(Math.min(450, Math.max(80, NORMAL_WPM * speed))));
      const sampleRate = w.get_samplerate();
      const chunks: Float32Array[] = [];
      let length = 0;
      w.synthesize(text, (pcm16) => {
        if (pcm16 && pcm16.length > 0) {
          const chunk = new Float32Array(pcm16.length);
          for (let i = 0; i < pcm16.length; i++) chunk[i] = (pcm16[i] ?? 0) / 32768;
          chunks.push(chunk);
          length += chunk.length;
          onAudio?.(chunk, sampleRate);
        }
        return 0; // 0 = go on
      });
      const samples = new Float32Array(length);
      let at = 0;
      for (const c of chunks) {
        samples.set(c, at);
        at += c.length;
      }
      return { samples, sampleRate };
    },
  };
}
