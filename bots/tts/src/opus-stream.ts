/**
 * What every encoder of a voice message is: one Ogg/Opus file written chunk by chunk, `push` PCM as
 * the engine makes it, `finish` for the file, each step's time counted (so the per-step bench,
 * `tts-steps`, measures the code the bot runs). The encoders are in `encoders.ts`.
 */
export const ENCODERS = ['opus', 'opus-native', 'libav'] as const;
export type EncoderName = (typeof ENCODERS)[number];

/** The rates libopus takes as input; it always decodes at 48 kHz. */
export const OPUS_INPUT_RATES = [8000, 12_000, 16_000, 24_000, 48_000] as const;

/**
 * The lowest rate Opus accepts that keeps every frequency of the input: resampling up to it costs
 * least, and libopus has less to downsample internally than from 48 kHz. espeak-ng's 22.05 kHz → 24 kHz.
 */
export function opusInputRate(sampleRate: number): number {
  return OPUS_INPUT_RATES.find((r) => r >= sampleRate) ?? 48_000;
}

/**
 * libopus's application. `restricted_lowdelay` (the bot's) is CELT only: no SILK, no mode decision,
 * about a quarter of VoIP mode's encoding time at 24 kbit/s, and espeak-ng's speech decodes closer to
 * the source (PESQ-WB 2.7 vs 2.35, the 4–8 kHz band kept within 2 dB instead of 5; `bots/tts/README.md`).
 * `voip` (SILK/hybrid, signal "voice") was the setting before; the bench compares it.
 */
export type OpusApplication = 'restricted_lowdelay' | 'voip';
export const OPUS_APPLICATION: OpusApplication = 'restricted_lowdelay';
/**
 * libopus's bit-rate mode. Constrained VBR (as opusenc's `--cvbr`): each frame's size may vary, the
 * average stays at the bit rate. In CELT-only mode at complexity 0 it is the one mode in which every
 * encoder's speech decodes as close to the source as at complexity 10 (audio.test.ts): libav.js's
 * newer libopus drops ~1.6 dB of it at 0 under free VBR, native libopus ~1 dB under CBR.
 */
export type OpusVbr = 'on' | 'constrained' | 'off';
export const OPUS_VBR: OpusVbr = 'constrained';

export interface OpusSettings {
  /** Rate of the PCM pushed. */
  sampleRate: number;
  bitrate: number;
  /** libopus complexity 0…10. */
  complexity: number;
  /** Default `OPUS_APPLICATION`. */
  application?: OpusApplication | undefined;
  /** Default `OPUS_VBR`. */
  vbr?: OpusVbr | undefined;
  /** Rate fed to libopus; default `opusInputRate(sampleRate)` (the bench compares 48 kHz). */
  opusRate?: number | undefined;
  /** Default `opus`. */
  encoder?: EncoderName | undefined;
}

/** The settings with every default filled in: what each encoder applies. */
export function withDefaults(s: OpusSettings) {
  return {
    ...s,
    opusRate: s.opusRate ?? opusInputRate(s.sampleRate),
    application: s.application ?? OPUS_APPLICATION,
    vbr: s.vbr ?? OPUS_VBR,
  };
}

/** Milliseconds spent in each step so far. */
export interface StepTimes {
  resampleMs: number;
  encodeMs: number;
  muxMs: number;
}

export interface OpusStream {
  readonly times: StepTimes;
  /** The rate fed to libopus (and written as OpusHead's input sample rate). */
  readonly opusRate: number;
  /** Which libopus build encodes (`native`, `wasm`, `libav`), for the bench and the tests. */
  readonly backend: string;
  push(samples: Float32Array): Promise<void>;
  /** Flushes and returns the Ogg file; the stream is freed. */
  finish(): Promise<Uint8Array<ArrayBuffer>>;
  /** Frees without a file (a failed synthesis). */
  free(): Promise<void>;
}
