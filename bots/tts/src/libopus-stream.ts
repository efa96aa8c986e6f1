/**
 * The `opus` encoder (the default): espeak-ng's PCM resampled once to Opus's input rate
 * (`resample.ts`), encoded in 20 ms frames by libopus from `@evan/opus` (`libopus.ts`; CELT only,
 * constrained VBR, complexity 0 by default: see `OPUS_APPLICATION`), and laced
 * into Ogg pages by our muxer (`ogg-opus.ts`). Against libav.js this drops FFmpeg's frame and filter
 * plumbing and, on the native build, the WASM tax on libopus itself (`tts-steps` splits the steps).
 */
import type { Libopus } from './libopus.ts';
import { GRANULE_RATE, OggOpusWriter } from './ogg-opus.ts';
import { withDefaults, type OpusSettings, type OpusStream, type StepTimes } from './opus-stream.ts';
import { LinearResampler } from './resample.ts';

/** `opus_encoder_ctl` requests (opus_defines.h). */
const CTL = {
  setBitrate: 4002,
  setVbr: 4006,
  setComplexity: 4010,
  setVbrConstraint: 4020,
  setSignal: 4024,
  getLookahead: 4027,
  signalVoice: 3001,
} as const;

/** 20 ms frames: what Element's recorder and opusenc use; shorter ones cost more per second. */
const FRAMES_PER_SECOND = 50;

export function openLibopusStream(opus: Libopus, settings: OpusSettings): OpusStream {
  const s = withDefaults(settings);
  const { opusRate, application, vbr } = s;
  const encoder = new opus.module.Encoder({ channels: 1, sample_rate: opusRate, application });
  encoder.ctl(CTL.setBitrate, s.bitrate);
  encoder.ctl(CTL.setComplexity, s.complexity);
  encoder.ctl(CTL.setVbr, vbr === 'off' ? 0 : 1);
  encoder.ctl(CTL.setVbrConstraint, vbr === 'constrained' ? 1 : 0);
  // VoIP mode (the bench's "before"): tells libopus it is speech, so it picks SILK/hybrid without
  // analysing for music. CELT-only mode has no choice to make.
  if (application === 'voip') encoder.ctl(CTL.setSignal, CTL.signalVoice);
  /** The encoder's delay in its own samples; decoders skip it (OpusHead's pre-skip, at 48 kHz). */
  const lookahead = encoder.ctl(CTL.getLookahead);
  const toGranule = GRANULE_RATE / opusRate;
  const ogg = new OggOpusWriter({
    preSkip: Math.round(lookahead * toGranule),
    inputSampleRate: opusRate,
    vendor: `libopus (@evan/opus ${opus.build})`,
  });
  const resampler = new LinearResampler(s.sampleRate, opusRate);
  const frameSize = opusRate / FRAMES_PER_SECOND;
  const frame = new Int16Array(frameSize);
  let filled = 0;
  /** Samples of real audio at `opusRate` (padding excluded). */
  let audio = 0;
  let encoded = 0;
  const times: StepTimes = { resampleMs: 0, encodeMs: 0, muxMs: 0 };
  let freed = false;

  const encodeFrame = () => {
    let t = performance.now();
    const packet = encoder.encode(frame);
    times.encodeMs += performance.now() - t;
    t = performance.now();
    ogg.add(packet, frameSize * toGranule);
    times.muxMs += performance.now() - t;
    encoded += frameSize;
    filled = 0;
  };
  const feed = (pcm: Int16Array) => {
    audio += pcm.length;
    for (let at = 0; at < pcm.length;) {
      const n = Math.min(frameSize - filled, pcm.length - at);
      frame.set(pcm.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === frameSize) encodeFrame();
    }
  };
  const resample = (f: () => Int16Array) => {
    const t = performance.now();
    const pcm = f();
    times.resampleMs += performance.now() - t;
    return pcm;
  };
  const free = () => {
    if (freed) return;
    freed = true;
    encoder.drop?.();
  };

  return {
    times,
    opusRate,
    backend: opus.build,
    // Synchronous work behind the async shape of `OpusStream` (libav.js's calls are async).
    push: (samples) =>
      settle(() => {
        if (freed) throw new Error('the stream is finished');
        feed(resample(() => resampler.push(samples)));
      }),
    finish: () =>
      settle(() => {
        if (freed) throw new Error('the stream is finished');
        try {
          feed(resample(() => resampler.finish()));
          // Silence until the encoder has put out all of the audio behind its lookahead.
          while (encoded < audio + lookahead) {
            frame.fill(0, filled);
            filled = frameSize;
            encodeFrame();
          }
          const t = performance.now();
          const file = ogg.finish(BigInt(Math.round((lookahead + audio) * toGranule)));
          times.muxMs += performance.now() - t;
          return file;
        } finally {
          free();
        }
      }),
    free: () => settle(free),
  };
}

/** `f()` as a promise: a throw becomes a rejection. */
function settle<T>(f: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(f()));
}
