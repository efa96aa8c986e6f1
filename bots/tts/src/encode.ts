/**
 * PCM → a Matrix voice message's audio: Ogg/Opus, 48 kHz mono, ~24 kbit/s, with its duration and
 * waveform. libav.js (FFmpeg's libavcodec/libopus, libswresample and the Ogg muxer, compiled to
 * WebAssembly inside the package) does the resampling, encoding and muxing; no system ffmpeg.
 */
import { importUntyped, type LibAVInstance, type LibAVModule } from './vendor.ts';
import type { Pcm } from './engine.ts';
import { waveformOf } from './waveform.ts';

export const OPUS_RATE = 48_000;
const MONO = 4; // AV_CH_LAYOUT_MONO

export interface VoiceAudio {
  /** An Ogg/Opus file. */
  ogg: Uint8Array;
  mimetype: 'audio/ogg';
  durationMs: number;
  /** 40 values, 0…1024. */
  waveform: number[];
}

let instance: Promise<LibAVInstance> | undefined;
let queue: Promise<unknown> = Promise.resolve();
let files = 0;

function libav(): Promise<LibAVInstance> {
  // In-process (no worker thread): one encode takes milliseconds, a worker would only add copies.
  instance ??= importUntyped<LibAVModule>('@libav.js/variant-opus-af')
    .then((LibAV) => LibAV.LibAV({ noworker: true }))
    .catch((err: unknown) => {
      instance = undefined;
      throw err;
    });
  return instance;
}

/** Encodes one message; encodes run one at a time (one libav instance per process). */
export function encodeVoice(pcm: Pcm, options: { bitrate?: number } = {}): Promise<VoiceAudio> {
  const run = queue.then(() => encodeNow(pcm, options.bitrate ?? 24_000));
  queue = run.catch(() => undefined);
  return run;
}

async function encodeNow(pcm: Pcm, bitrate: number): Promise<VoiceAudio> {
  if (pcm.samples.length === 0) throw new Error('nothing to encode');
  const av = await libav();
  const FLT = av.AV_SAMPLE_FMT_FLT;
  const name = `voice-${++files}.ogg`;
  const [, c, frame, pkt, frameSize] = await av.ff_init_encoder('libopus', {
    ctx: { bit_rate: bitrate, sample_fmt: FLT, sample_rate: OPUS_RATE, channel_layout: MONO, channels: 1 },
    time_base: [1, OPUS_RATE],
    // Speech at 24 kbit/s: libopus's complexity 5 sounds the same as 10 here at half the encoding time
    // (in WASM encoding costs more than espeak-ng's synthesis; see bench/src/tts.ts).
    options: { application: 'voip', compression_level: '5' },
  });
  const [oc, , pb] = await av.ff_init_muxer({ filename: name, open: true, format_name: 'ogg' }, [
    [c, 1, OPUS_RATE],
  ]);
  const [graph, src, sink] = await av.ff_init_filter_graph(
    'aresample',
    { sample_rate: pcm.sampleRate, sample_fmt: FLT, channel_layout: MONO },
    { sample_rate: OPUS_RATE, sample_fmt: FLT, channel_layout: MONO, frame_size: frameSize },
  );
  try {
    await av.avformat_write_header(oc, 0);
    const frames = await av.ff_filter_multi(
      src,
      sink,
      frame,
      [{ data: pcm.samples, channel_layout: MONO, format: FLT, pts: 0, sample_rate: pcm.sampleRate }],
      true,
    );
    const packets = await av.ff_encode_multi(c, frame, pkt, frames, true);
    await av.ff_write_multi(oc, pkt, packets);
    await av.av_write_trailer(oc);
  } finally {
    await av.ff_free_muxer(oc, pb);
    await av.ff_free_encoder(c, frame, pkt);
    await av.avfilter_graph_free_js(graph);
  }
  const ogg = await av.readFile(name);
  await av.unlink(name);
  return {
    ogg: ogg.slice(),
    mimetype: 'audio/ogg',
    durationMs: Math.round((pcm.samples.length / pcm.sampleRate) * 1000),
    waveform: waveformOf(pcm.samples),
  };
}
