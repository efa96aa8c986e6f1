/**
 * Any OpenAI-compatible speech server (`POST /v1/audio/speech`: speaches, openedai-speech, LocalAI
 * with Kokoro, Piper or Coqui). It is asked for WAV, so the bot encodes and measures every voice
 * message the same way whatever engine spoke it.
 */
import type { Lang } from '@mana/bot-runtime';
import { readCapped, ResponseTooLargeError } from '@mana/http';
import type { Pcm, SpeechEngine, SynthesisRequest, Voice } from './engine.ts';
import { SpeechError } from './engine.ts';
import { decodeWav } from './wav.ts';

/**
 * The most of a WAV answer read: 500 characters at speed 0.5 are about 80 s of speech, as 48 kHz
 * stereo float32 ~31 MB. A server sending more is sending garbage; memory stays bounded.
 */
export const MAX_WAV_BYTES = 32 * 1024 * 1024;

export interface OpenAiSpeechOptions {
  baseUrl: string;
  model: string;
  /** `name` or `name:de` / `name:en`; a name without a language speaks English. */
  voices: readonly string[];
  apiKey?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Default `MAX_WAV_BYTES`. */
  maxBytes?: number;
}

/** Server voices as bot voices: `af_bella:en` → `{ id: 'af_bella', lang: 'en' }`. */
export function parseServerVoices(specs: readonly string[]): Voice[] {
  return specs.map((spec) => {
    const [name = '', lang] = spec.split(':');
    const l: Lang = lang === 'de' ? 'de' : 'en';
    return {
      id: name,
      lang: l,
      label: `${name} (${l === 'de' ? 'Deutsch' : 'English'}, server)`,
      engine: 'server',
    };
  });
}

export function openAiSpeechEngine(o: OpenAiSpeechOptions): SpeechEngine {
  const doFetch = o.fetch ?? fetch;
  const url = `${o.baseUrl.replace(/\/+$/, '')}/v1/audio/speech`;
  return {
    id: 'server',
    voices: parseServerVoices(o.voices),
    async synthesize({ text, voice, speed, signal }: SynthesisRequest): Promise<Pcm> {
      const timeout = AbortSignal.timeout(o.timeoutMs);
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
          },
          body: JSON.stringify({
            model: o.model,
            input: text,
            voice: voice.id,
            response_format: 'wav',
            speed,
          }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new SpeechError('unavailable', `speech server unreachable: ${String(err)}`, { cause: err });
      }
      if (!res.ok) {
        const detail = (await res.text().catch(() => '')).slice(0, 200);
        throw new SpeechError(
          res.status === 404 || res.status === 400 || res.status === 422 ? 'bad_audio' : 'unavailable',
          `speech server answered ${res.status}: ${detail}`,
        );
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(res, o.maxBytes ?? MAX_WAV_BYTES);
      } catch (err) {
        if (err instanceof ResponseTooLargeError)
          throw new SpeechError('bad_audio', `speech server answer too large: ${err.message}`, {
            cause: err,
          });
        if (signal?.aborted) throw err;
        throw new SpeechError('unavailable', `speech server answer broke off: ${String(err)}`, {
          cause: err,
        });
      }
      return decodeWav(bytes);
    },
  };
}
