/** The messages between the main thread (`encode.ts`) and the encoder thread (`encode-worker.ts`). */
import type { OpusSettings, StepTimes } from './opus-stream.ts';

/** Main thread → encoder thread. */
export type EncoderRequest =
  | { type: 'start'; id: number; settings: OpusSettings }
  | { type: 'chunk'; id: number; samples: Float32Array }
  | { type: 'end'; id: number }
  | { type: 'abort'; id: number };
/** Encoder thread → main thread, once per `end`. */
export type EncoderReply =
  | { id: number; ok: true; ogg: Uint8Array<ArrayBuffer>; times: StepTimes; backend: string }
  | { id: number; ok: false; error: string };
