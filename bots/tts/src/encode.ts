/**
 * PCM → a Matrix voice message's audio: Ogg/Opus, 48 kHz mono, ~24 kbit/s, with its duration and
 * waveform. The encoder (`BOT_TTS_ENCODER`, see `encoders.ts`: libopus from `@evan/opus` with our Ogg
 * muxer by default, libav.js as the fallback) resamples, encodes and muxes in a worker thread
 * (`encode-worker.ts`), fed chunk by chunk while the engine is still synthesizing: the wall time is
 * about the longer of the two, not their sum. No system ffmpeg.
 */
import { Worker } from 'node:worker_threads';
import type { Pcm } from './engine.ts';
import type { EncoderReply, EncoderRequest } from './encoder-protocol.ts';
import type { EncoderName, StepTimes } from './opus-stream.ts';
import { waveformOf } from './waveform.ts';

export const OPUS_RATE = 48_000;
/**
 * libopus complexity. In CELT-only mode (`OPUS_APPLICATION`) 0 encodes in about half the time of 5
 * (`tts-steps`), and espeak-ng's speech decodes as close to the source at 0 as at 10 (audio.test.ts
 * measures it, for each encoder; PESQ-WB 2.7 at 0, 2.35 at 1, 2.7 at 10).
 */
export const OPUS_COMPLEXITY = 0;

export interface VoiceAudio {
  /** An Ogg/Opus file. */
  ogg: Uint8Array;
  mimetype: 'audio/ogg';
  durationMs: number;
  /** 40 values, 0…1024. */
  waveform: number[];
}

/** What the encoder thread hands back: the file, its step times, the libopus build that made it. */
interface Encoded {
  ogg: Uint8Array;
  times: StepTimes;
  backend: string;
}

interface Pending {
  resolve: (r: Encoded) => void;
  reject: (err: Error) => void;
}

let thread: Worker | undefined;
const pending = new Map<number, Pending>();
let ids = 0;

function encoderThread(): Worker {
  if (thread) return thread;
  const w = new Worker(new URL('./encode-worker.ts', import.meta.url));
  w.unref(); // an idle encoder never keeps the process alive; `hold` refs it while work is out
  w.on('message', (r: EncoderReply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    release();
    if (r.ok) p.resolve({ ogg: r.ogg, times: r.times, backend: r.backend });
    else p.reject(new Error(`encoding failed: ${r.error}`));
  });
  const fail = (err: Error) => {
    if (thread === w) thread = undefined;
    holds = 0;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(err);
    }
    w.unref();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`encoder thread exited (${code})`)));
  thread = w;
  return w;
}

let holds = 0;
function hold(w: Worker) {
  if (holds++ === 0) w.ref();
}
function release() {
  if (--holds === 0) thread?.unref();
}

/** A voice message's audio with how it was made (step times, libopus build). */
export type EncodedVoice = VoiceAudio & Omit<Encoded, 'ogg'>;

/** One voice message being encoded: `push` PCM as it comes, then `finish`. */
export interface VoiceEncoding {
  push(samples: Float32Array, sampleRate: number): void;
  /** The audio of everything pushed, or of `pcm` when nothing was (an engine that does not stream). */
  finish(pcm: Pcm): Promise<EncodedVoice>;
  abort(): void;
}

export interface EncodingOptions {
  bitrate?: number | undefined;
  complexity?: number | undefined;
  /** Default `opus`. */
  encoder?: EncoderName | undefined;
}

export function startVoiceEncoding(options: EncodingOptions = {}): VoiceEncoding {
  const id = ++ids;
  let started: Worker | undefined;
  let rate = 0;
  const post = (m: EncoderRequest) => started?.postMessage(m);
  const push = (samples: Float32Array, sampleRate: number) => {
    if (samples.length === 0) return;
    if (!started) {
      started = encoderThread();
      rate = sampleRate;
      post({
        type: 'start',
        id,
        settings: {
          sampleRate,
          bitrate: options.bitrate ?? 24_000,
          complexity: options.complexity ?? OPUS_COMPLEXITY,
          encoder: options.encoder ?? 'opus',
        },
      });
    } else if (sampleRate !== rate) throw new Error(`sample rate changed from ${rate} to ${sampleRate}`);
    buffered.push(samples);
    bufferedLength += samples.length;
    // Half a second per message to the thread: each hop costs; espeak-ng hands out 100 ms.
    if (bufferedLength >= sampleRate / 2) flush();
  };
  const buffered: Float32Array[] = [];
  let bufferedLength = 0;
  const flush = () => {
    if (bufferedLength === 0) return;
    const samples = new Float32Array(bufferedLength);
    let at = 0;
    for (const b of buffered) {
      samples.set(b, at);
      at += b.length;
    }
    buffered.length = 0;
    bufferedLength = 0;
    started?.postMessage({ type: 'chunk', id, samples } satisfies EncoderRequest, [samples.buffer]);
  };
  return {
    push,
    async finish(pcm) {
      if (!started) push(pcm.samples, pcm.sampleRate);
      const w = started;
      if (!w) throw new Error('nothing to encode');
      const done = new Promise<Encoded>((resolve, reject) => pending.set(id, { resolve, reject }));
      hold(w);
      flush();
      post({ type: 'end', id });
      // While the encoder thread does the last chunk: the waveform is off the critical path.
      const waveform = waveformOf(pcm.samples);
      const { ogg, times, backend } = await done;
      return {
        ogg,
        times,
        backend,
        mimetype: 'audio/ogg',
        durationMs: Math.round((pcm.samples.length / pcm.sampleRate) * 1000),
        waveform,
      };
    },
    abort() {
      post({ type: 'abort', id });
    },
  };
}

/** Encodes a whole PCM at once (a speech server's answer, tests). */
export function encodeVoice(pcm: Pcm, options: EncodingOptions = {}): Promise<EncodedVoice> {
  return startVoiceEncoding(options).finish(pcm);
}
