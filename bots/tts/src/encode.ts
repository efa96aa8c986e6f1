/**
 * PCM → a Matrix voice message's audio: Ogg/Opus, 48 kHz mono, ~24 kbit/s, with its duration and
 * waveform. libav.js (FFmpeg's libavcodec/libopus, libswresample and the Ogg muxer, compiled to
 * WebAssembly inside the package) does the resampling, encoding and muxing; no system ffmpeg.
 */
import type { Pcm } from './engine.ts';
import { libav } from './libav.ts';
import { openOpusStream } from './opus-stream.ts';
import { waveformOf } from './waveform.ts';

export const OPUS_RATE = 48_000;
/** libopus complexity: see bench/README (tts-steps) for what each level costs. */
export const OPUS_COMPLEXITY = 5;

export interface VoiceAudio {
  /** An Ogg/Opus file. */
  ogg: Uint8Array;
  mimetype: 'audio/ogg';
  durationMs: number;
  /** 40 values, 0…1024. */
  waveform: number[];
}

let queue: Promise<unknown> = Promise.resolve();

/** Encodes one message; encodes run one at a time (one libav instance per process). */
export function encodeVoice(pcm: Pcm, options: { bitrate?: number } = {}): Promise<VoiceAudio> {
  const run = queue.then(() => encodeNow(pcm, options.bitrate ?? 24_000));
  queue = run.catch(() => undefined);
  return run;
}

async function encodeNow(pcm: Pcm, bitrate: number): Promise<VoiceAudio> {
  if (pcm.samples.length === 0) throw new Error('nothing to encode');
  const stream = await openOpusStream(await libav(), {
    sampleRate: pcm.sampleRate,
    bitrate,
    complexity: OPUS_COMPLEXITY,
  });
  try {
    await stream.push(pcm.samples);
  } catch (err) {
    await stream.free();
    throw err;
  }
  const ogg = await stream.finish();
  return {
    ogg,
    mimetype: 'audio/ogg',
    durationMs: Math.round((pcm.samples.length / pcm.sampleRate) * 1000),
    waveform: waveformOf(pcm.samples),
  };
}
