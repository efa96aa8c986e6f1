/**
 * RIFF/WAVE → mono PCM, for what a speech server returns. Anything that is not a well-formed PCM
 * (16-bit) or float (32-bit) WAV with samples is refused: a server returning garbage is an error
 * the user hears about, never a voice message of noise.
 */
import type { Pcm } from './engine.ts';
import { SpeechError } from './engine.ts';

const bad = (why: string) => new SpeechError('bad_audio', `not a usable WAV: ${why}`);

export function decodeWav(bytes: Uint8Array): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 44 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw bad('no RIFF/WAVE header');
  let format: { code: number; channels: number; rate: number; bits: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.byteLength) {
    const id = tag(at);
    // Streaming servers write 0 or 0xFFFFFFFF as the data size: read to the end then.
    let size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) throw bad('short fmt chunk');
      let code = view.getUint16(body, true);
      if (code === 0xfffe && size >= 40) code = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
      format = {
        code,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw bad('data before fmt');
      if (size === 0 || body + size > bytes.byteLength) size = bytes.byteLength - body;
      return samplesOf(view, body, size, format);
    }
    at = body + size + (size % 2);
  }
  throw bad('no data chunk');
}

function samplesOf(
  view: DataView,
  offset: number,
  size: number,
  f: { code: number; channels: number; rate: number; bits: number },
): Pcm {
  const pcm16 = f.code === 1 && f.bits === 16;
  const float32 = f.code === 3 && f.bits === 32;
  if (!pcm16 && !float32) throw bad(`format ${f.code}/${f.bits} bit`);
  if (f.channels < 1 || f.channels > 8) throw bad(`${f.channels} channels`);
  if (f.rate < 8000 || f.rate > 192000) throw bad(`sample rate ${f.rate}`);
  const width = f.bits / 8;
  const frames = Math.floor(size / (width * f.channels));
  if (frames === 0) throw bad('no samples');
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < f.channels; c++) {
      const p = offset + (i * f.channels + c) * width;
      sum += pcm16 ? view.getInt16(p, true) / 32768 : view.getFloat32(p, true);
    }
    const v = sum / f.channels; // down-mix to mono
    samples[i] = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
  }
  return { samples, sampleRate: f.rate };
}

/** A 16-bit mono WAV (tests, fakes of a speech server). */
export function encodeWav(pcm: Pcm): Uint8Array {
  const n = pcm.samples.length;
  const bytes = new Uint8Array(44 + n * 2);
  const v = new DataView(bytes.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  v.setUint32(4, 36 + n * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, pcm.sampleRate, true);
  v.setUint32(28, pcm.sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  put(36, 'data');
  v.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++)
    v.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, pcm.samples[i] ?? 0)) * 32767), true);
  return bytes;
}
