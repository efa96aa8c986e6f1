// Voice messages checked as a client plays them: a real Ogg/Opus decoder (WASM libopus), not our own
// reader, so a file that only looks right to our encoder's tests still fails.
import { OggOpusDecoder, type OggOpusDecodedAudio } from 'ogg-opus-decoder';

/** Decodes a whole Ogg/Opus file: 48 kHz PCM per channel, samples decoded, and any errors. */
export async function decodeOgg(ogg: Uint8Array): Promise<OggOpusDecodedAudio> {
  const d = new OggOpusDecoder();
  await d.ready;
  try {
    return await d.decodeFile(ogg);
  } finally {
    d.free();
  }
}
