/**
 * One Ogg/Opus file written chunk by chunk with libav.js (FFmpeg's libswresample, libopus and Ogg
 * muxer in WebAssembly): `push` PCM as the engine makes it, `finish` for the file. Each step's time
 * is counted, so the per-step bench (`tts-steps`) measures the very code the bot runs.
 */
import type { LibAVFrame, LibAVInstance } from './vendor.ts';

const MONO = 4; // AV_CH_LAYOUT_MONO

/** The rates libopus takes as input; it always decodes at 48 kHz. */
export const OPUS_INPUT_RATES = [8000, 12_000, 16_000, 24_000, 48_000] as const;

/**
 * The lowest rate Opus accepts that keeps every frequency of the input: resampling up to it costs
 * least, and libopus has less to downsample internally than from 48 kHz. espeak-ng's 22.05 kHz → 24 kHz.
 */
export function opusInputRate(sampleRate: number): number {
  return OPUS_INPUT_RATES.find((r) => r >= sampleRate) ?? 48_000;
}

export interface OpusSettings {
  /** Rate of the PCM pushed. */
  sampleRate: number;
  bitrate: number;
  /** libopus complexity 0…10. */
  complexity: number;
  /** Rate fed to libopus; default `opusInputRate(sampleRate)` (the bench compares 48 kHz). */
  opusRate?: number | undefined;
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
  push(samples: Float32Array): Promise<void>;
  /** Flushes and returns the Ogg file; the stream is freed. */
  finish(): Promise<Uint8Array<ArrayBuffer>>;
  /** Frees without a file (a failed synthesis). */
  free(): Promise<void>;
}

let files = 0;

export async function openOpusStream(av: LibAVInstance, s: OpusSettings): Promise<OpusStream> {
  const FLT = av.AV_SAMPLE_FMT_FLT;
  const opusRate = s.opusRate ?? opusInputRate(s.sampleRate);
  const name = `voice-${++files}.ogg`;
  const [, c, frame, pkt, frameSize] = await av.ff_init_encoder('libopus', {
    ctx: { bit_rate: s.bitrate, sample_fmt: FLT, sample_rate: opusRate, channel_layout: MONO, channels: 1 },
    time_base: [1, opusRate],
    options: { application: 'voip', compression_level: String(s.complexity) },
  });
  const [oc, , pb] = await av.ff_init_muxer({ filename: name, open: true, format_name: 'ogg' }, [
    [c, 1, opusRate],
  ]);
  const [graph, src, sink] = await av.ff_init_filter_graph(
    'aresample',
    { sample_rate: s.sampleRate, sample_fmt: FLT, channel_layout: MONO },
    { sample_rate: opusRate, sample_fmt: FLT, channel_layout: MONO, frame_size: frameSize },
  );
  await av.avformat_write_header(oc, 0);
  const times: StepTimes = { resampleMs: 0, encodeMs: 0, muxMs: 0 };
  let pts = 0;
  let freed = false;

  const step = async (input: LibAVFrame[], fin: boolean) => {
    let t = performance.now();
    const frames = await av.ff_filter_multi(src, sink, frame, input, fin);
    times.resampleMs += performance.now() - t;
    t = performance.now();
    const packets = await av.ff_encode_multi(c, frame, pkt, frames, fin);
    times.encodeMs += performance.now() - t;
    t = performance.now();
    if (packets.length > 0) await av.ff_write_multi(oc, pkt, packets);
    times.muxMs += performance.now() - t;
  };
  const free = async () => {
    if (freed) return;
    freed = true;
    await av.ff_free_muxer(oc, pb);
    await av.ff_free_encoder(c, frame, pkt);
    await av.avfilter_graph_free_js(graph);
  };

  return {
    times,
    opusRate,
    async push(samples) {
      if (samples.length === 0) return;
      const input = { data: samples, channel_layout: MONO, format: FLT, pts, sample_rate: s.sampleRate };
      pts += samples.length;
      await step([input], false);
    },
    async finish() {
      try {
        await step([], true);
        const t = performance.now();
        await av.av_write_trailer(oc);
        times.muxMs += performance.now() - t;
      } finally {
        await free();
      }
      const ogg = await av.readFile(name);
      await av.unlink(name);
      return new Uint8Array(ogg); // a copy out of the WASM file system, on its own buffer
    },
    async free() {
      await free();
      await av.unlink(name).catch(() => undefined);
    },
  };
}
