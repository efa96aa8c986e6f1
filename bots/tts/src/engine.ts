/** What a speech engine is to the bot: voices, and text in a voice and speed → mono PCM. */
import type { Lang } from '@mana/bot-runtime';

export interface Voice {
  /** What users type (`stimme de-f`); unique across engines. */
  id: string;
  lang: Lang;
  /** Shown in `voices`. */
  label: string;
  /** Which engine speaks it. */
  engine: string;
}

/** Mono samples in −1…1. */
export interface Pcm {
  samples: Float32Array;
  sampleRate: number;
}

export interface SynthesisRequest {
  text: string;
  voice: Voice;
  /** 0.5…2.0, 1 = the engine's normal rate. */
  speed: number;
  signal?: AbortSignal | undefined;
  /**
   * Called with each piece of audio as the engine makes it (espeak-ng: every ~100 ms of speech), so
   * encoding can run alongside; an engine that has the audio only at the end need not call it.
   */
  onAudio?: ((samples: Float32Array, sampleRate: number) => void) | undefined;
}

export interface SpeechEngine {
  readonly id: string;
  readonly voices: readonly Voice[];
  synthesize(request: SynthesisRequest): Promise<Pcm>;
}

/** A synthesis that failed for a reason the user should hear (server down, garbage, no voice). */
export class SpeechError extends Error {
  readonly reason: 'unavailable' | 'timeout' | 'bad_audio' | 'unknown_voice' | 'silent';
  constructor(reason: SpeechError['reason'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpeechError';
    this.reason = reason;
  }
}

export const MIN_SPEED = 0.5;
export const MAX_SPEED = 2;
