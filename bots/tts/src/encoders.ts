/**
 * The encoders behind `OpusStream` (`BOT_TTS_ENCODER`):
 * - `opus` (default): libopus from `@evan/opus` (its native build where the package ships one for
 *   the platform, its WASM build elsewhere) with our own resampler and Ogg muxer (`libopus-stream.ts`);
 * - `opus-wasm`: the same, always the WASM build;
 * - `libav`: libav.js (FFmpeg's libswresample, libopus and Ogg muxer in WASM, `libav-stream.ts`).
 */
import { libav } from './libav.ts';
import { openLibavStream } from './libav-stream.ts';
import { libopus } from './libopus.ts';
import { openLibopusStream } from './libopus-stream.ts';
import type { OpusSettings, OpusStream } from './opus-stream.ts';

/** Opens a stream on the encoder the settings name, loading it in this thread on first use. */
export async function openOpusStream(s: OpusSettings): Promise<OpusStream> {
  const encoder = s.encoder ?? 'opus';
  if (encoder === 'libav') return openLibavStream(await libav(), s);
  return openLibopusStream(await libopus(encoder === 'opus-wasm' ? 'wasm' : 'native'), s);
}
