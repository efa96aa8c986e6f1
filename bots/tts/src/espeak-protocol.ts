/** The messages between the main thread (`espeak.ts`) and espeak-ng's thread (`espeak-worker.ts`). */

export interface SynthRequest {
  id: number;
  text: string;
  /** espeak's voice name (`de+f3`). */
  espeakVoice: string;
  /** Words per minute, 80…450. */
  wpm: number;
}

export type SynthReply =
  | { id: number; type: 'chunk'; samples: Float32Array<ArrayBuffer>; sampleRate: number }
  | { id: number; type: 'done'; sampleRate: number }
  | { id: number; type: 'error'; reason: 'unknown_voice' | 'unavailable'; message: string };
