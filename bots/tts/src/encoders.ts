/**
 * The encoders behind `OpusStream` (`BOT_TTS_ENCODER`):
 * - `opus` (default): libopus from `@evan/opus`, its WASM build, with our own resampler and Ogg muxer
 *   (`libopus-stream.ts`);
 * - `opus-native`: the same with the package's native build (where it ships one; WASM elsewhere).
 *   About 1.3 ms per 100 characters faster, but the process segfaults when a thread that loaded it
 *   ends (the runner's exit, a restarted encoder thread), so it is opt-in;
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
  return openLibopusStream(await libopus(encoder === 'opus-native' ? 'native' : 'wasm'), s);
}
