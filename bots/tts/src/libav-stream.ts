/**
 * The `libav` encoder (`BOT_TTS_ENCODER=libav`, the fallback): libav.js, FFmpeg's libswresample,
 * libopus and Ogg muxer in WebAssembly, all three steps inside the package. About 4× slower than
 * `libopus-stream.ts` on the native build (`tts-steps`), kept for platforms where `@evan/opus`
 * fails and as the reference the new muxer was checked against.
 */
import { withDefaults, type OpusSettings, type OpusStream, type StepTimes } from './opus-stream.ts';
import type { LibAVFrame, LibAVInstance } from './vendor.ts';

const MONO = 4; // AV_CH_LAYOUT_MONO

let files = 0;

export async function openLibavStream(av: LibAVInstance, settings: OpusSettings): Promise<OpusStream> {
  const FLT = av.AV_SAMPLE_FMT_FLT;
  const s = withDefaults(settings);
  const { opusRate } = s;
  const name = `voice-${++files}.ogg`;
  const [, c, frame, pkt, frameSize] = await av.ff_init_encoder('libopus', {
    ctx: { bit_rate: s.bitrate, sample_fmt: FLT, sample_rate: opusRate, channel_layout: MONO, channels: 1 },
    time_base: [1, opusRate],
    // The same libopus settings as `libopus-stream.ts`, in FFmpeg's libopusenc option names.
    options: {
      application: s.application === 'voip' ? 'voip' : 'lowdelay',
      vbr: s.vbr,
      compression_level: String(s.complexity),
    },
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
    backend: 'libav',
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
