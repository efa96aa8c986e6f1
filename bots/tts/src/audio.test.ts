import { decodeOgg } from '@mana/testing';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTtsConfig } from './config.ts';
import { encodeVoice, OPUS_COMPLEXITY, startVoiceEncoding } from './encode.ts';
import { ENCODERS } from './opus-stream.ts';
import { espeakEngine, ESPEAK_VOICES } from './espeak.ts';
import { decodeWav, encodeWav } from './wav.ts';
import { rmsOf, waveformOf } from './waveform.ts';

const voice = (id: string) => ESPEAK_VOICES.find((v) => v.id === id)!;

/**
 * Mean power of `x` between `lo` and `hi` Hz: 20 ms Hann-windowed frames, a DFT of just the bins in
 * the band (a few million multiply-adds, no FFT needed). Scaled per frame length, so signals at
 * different rates compare.
 */
function bandPower(x: Float32Array, rate: number, lo: number, hi: number): number {
  const n = Math.round(rate / 50);
  const window = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const bins: [Float64Array, Float64Array][] = [];
  for (let k = Math.ceil((lo * n) / rate); k < (hi * n) / rate; k++)
    bins.push([
      Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * k * i) / n) * window[i]!),
      Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * k * i) / n) * window[i]!),
    ]);
  let total = 0;
  let frames = 0;
  for (let at = 0; at + n <= x.length; at += n, frames++)
    for (const [cos, sin] of bins) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += x[at + i]! * cos[i]!;
        im += x[at + i]! * sin[i]!;
      }
      total += re * re + im * im;
    }
  return total / (frames * n * n);
}

describe('espeak-ng + Ogg/Opus', () => {
  for (const encoder of ENCODERS)
    it(`speaks German text into Ogg/Opus (${encoder}) that decodes at 48 kHz mono, as long as it says`, async () => {
      const pcm = await espeakEngine().synthesize({
        text: 'Guten Morgen, wie geht es dir?',
        voice: voice('de'),
        speed: 1,
      });
      expect(pcm.sampleRate).toBe(22050);
      expect(rmsOf(pcm.samples)).toBeGreaterThan(0.01);
      const audio = await encodeVoice(pcm, { encoder });
      expect(audio.backend).toBe(
        encoder === 'libav' ? 'libav' : encoder === 'opus-native' ? 'native' : 'wasm',
      );
      expect(String.fromCharCode(...audio.ogg.subarray(0, 4))).toBe('OggS');
      expect(new TextDecoder().decode(audio.ogg.subarray(28, 36))).toBe('OpusHead');
      // OpusHead tells the rate fed to libopus (espeak's 22.05 kHz resampled to Opus's 24 kHz, not 48).
      const head = new DataView(audio.ogg.buffer, audio.ogg.byteOffset + 28, 19);
      expect(head.getUint8(9)).toBe(1); // channels
      expect(head.getUint32(12, true)).toBe(24000);
      const decoded = await decodeOgg(audio.ogg);
      expect(decoded.errors).toEqual([]);
      expect(decoded.sampleRate).toBe(48000);
      expect(decoded.channelData).toHaveLength(1);
      const ms = (decoded.samplesDecoded / decoded.sampleRate) * 1000;
      expect(Math.abs(ms - audio.durationMs) / audio.durationMs).toBeLessThan(0.1);
      expect(rmsOf(decoded.channelData[0]!)).toBeGreaterThan(0.01);
      // ~24 kbit/s: the file is within reach of duration × bitrate (Ogg framing adds a little).
      const kbps = (audio.ogg.byteLength * 8) / audio.durationMs;
      expect(kbps).toBeGreaterThan(12);
      expect(kbps).toBeLessThan(40);
      expect(audio.waveform).toHaveLength(40);
      expect(Math.max(...audio.waveform)).toBe(1024);
      expect(Math.min(...audio.waveform)).toBeGreaterThanOrEqual(0);
    });

  it('speed 2 halves the duration, and German and English voices sound different', async () => {
    const e = espeakEngine();
    const text = 'The quick brown fox jumps over the lazy dog.';
    const normal = await e.synthesize({ text, voice: voice('en-us'), speed: 1 });
    const fast = await e.synthesize({ text, voice: voice('en-us'), speed: 2 });
    const ratio = fast.samples.length / normal.samples.length;
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
    const german = await e.synthesize({ text, voice: voice('de'), speed: 1 });
    expect(german.samples.length).not.toBe(normal.samples.length);
  });

  it('streams its audio to the encoder as it speaks, and the file has all of it', async () => {
    const chunks: Float32Array[] = [];
    const encoding = startVoiceEncoding();
    const pcm = await espeakEngine().synthesize({
      text: 'Tomorrow at nine we meet at the station, and then we take the train into town.',
      voice: voice('en-us'),
      speed: 1,
      onAudio: (samples, rate) => {
        expect(rate).toBe(22050);
        chunks.push(samples);
        encoding.push(samples, rate);
      },
    });
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(pcm.samples.length);
    const audio = await encoding.finish(pcm);
    const decoded = await decodeOgg(audio.ogg);
    const ms = (decoded.samplesDecoded / decoded.sampleRate) * 1000;
    expect(Math.abs(ms - audio.durationMs) / audio.durationMs).toBeLessThan(0.05);
  });

  for (const encoder of ENCODERS)
    it(`at complexity ${OPUS_COMPLEXITY} the decoded speech (${encoder}) is as close to espeak-ng's as at 10`, async () => {
      const pcm = await espeakEngine().synthesize({
        text: 'Morgen um neun Uhr treffen wir uns am Bahnhof.',
        voice: voice('de'),
        speed: 1,
      });
      /** Signal-to-noise ratio of the decoded 48 kHz audio against the 22.05 kHz source, in dB. */
      const snr = async (complexity: number) => {
        const y = (await decodeOgg((await startVoiceEncoding({ complexity, encoder }).finish(pcm)).ogg))
          .channelData[0]!;
        const step = 48000 / pcm.sampleRate;
        let signal = 0;
        let noise = 0;
        for (let i = 0; i < pcm.samples.length; i++) {
          const p = i * step;
          const j = Math.floor(p);
          const got = (y[j] ?? 0) * (1 - (p - j)) + (y[j + 1] ?? 0) * (p - j);
          const want = pcm.samples[i]!;
          signal += want * want;
          noise += (want - got) ** 2;
        }
        return 10 * Math.log10(signal / noise);
      };
      const ours = await snr(OPUS_COMPLEXITY);
      const best = await snr(10);
      // ~6 dB at 24 kbit/s for either (a perceptual codec keeps the sound, not the exact wave);
      // audio out of step or garbage would be at or below 0 dB.
      expect(ours).toBeGreaterThan(4);
      expect(ours).toBeGreaterThan(best - 1);
    });

  for (const encoder of ENCODERS)
    it(`the decoded speech (${encoder}) keeps espeak-ng's high band: 4–8 kHz within 3 dB, 8–11 kHz within 6`, async () => {
      // Sibilants, where speech has its energy above 4 kHz.
      const pcm = await espeakEngine().synthesize({
        text: 'Fischers Fritz fischt frische Fische, sagt sie zur Schwester.',
        voice: voice('de'),
        speed: 1,
      });
      const y = (await decodeOgg((await encodeVoice(pcm, { encoder })).ogg)).channelData[0]!;
      const db = (lo: number, hi: number) =>
        10 * Math.log10(bandPower(y, 48000, lo, hi) / bandPower(pcm.samples, pcm.sampleRate, lo, hi));
      // CELT-only keeps 4–8 kHz at −2 dB; VoIP mode's SILK/hybrid lost ~5 dB there, and Opus fed
      // 16 kHz (wideband) loses everything above 8 kHz (−13 dB and more).
      const mid = db(4000, 8000);
      const high = db(8000, 11000);
      expect(mid).toBeGreaterThan(-3);
      expect(mid).toBeLessThan(3);
      expect(high).toBeGreaterThan(-6);
      expect(high).toBeLessThan(3);
    });

  it('a synthesis over its time limit is stopped as a timeout, and the engine speaks again after', async () => {
    const text = 'Dies ist ein langer Satz, den niemand in einer Millisekunde sprechen kann. '.repeat(6);
    // 1 ms: not even the thread with espeak-ng's WASM can start in that time.
    const hasty = espeakEngine({ timeoutMs: 1 });
    await expect(hasty.synthesize({ text, voice: voice('de'), speed: 1 })).rejects.toMatchObject({
      name: 'SpeechError',
      reason: 'timeout',
    });
    const pcm = await espeakEngine().synthesize({ text: 'Wieder da.', voice: voice('de'), speed: 1 });
    expect(rmsOf(pcm.samples)).toBeGreaterThan(0.01);
  });

  it('an aborted synthesis (❌) rejects with the abort reason', async () => {
    const abort = new AbortController();
    const pending = espeakEngine().synthesize({
      text: 'Das wird nie fertig gesprochen, weil es vorher abgebrochen wird. '.repeat(6),
      voice: voice('de'),
      speed: 1,
      signal: abort.signal,
    });
    abort.abort(new Error('cancelled by the user'));
    await expect(pending).rejects.toThrow('cancelled by the user');
  });

  it('unknown espeak voice is a SpeechError, not a crash', async () => {
    await expect(
      espeakEngine().synthesize({
        text: 'x',
        voice: { id: 'xx', lang: 'en', label: '', engine: 'espeak' },
        speed: 1,
      }),
    ).rejects.toMatchObject({ name: 'SpeechError', reason: 'unknown_voice' });
  });
});

describe('BOT_TTS_ENCODER', () => {
  it('defaults to opus (WASM), takes libav and opus-native, and refuses anything else at start', () => {
    expect(loadTtsConfig({}).encoder).toBe('opus');
    expect(loadTtsConfig({ BOT_TTS_ENCODER: 'libav' }).encoder).toBe('libav');
    expect(loadTtsConfig({ BOT_TTS_ENCODER: 'opus-native' }).encoder).toBe('opus-native');
    expect(() => loadTtsConfig({ BOT_TTS_ENCODER: 'ffmpeg' })).toThrow(/BOT_TTS_ENCODER/);
  });
});

describe('the default encoder and the process’s end', () => {
  // @evan/opus's native build crashes the process (SIGSEGV) when a worker thread that loaded it ends,
  // so the default is its WASM build: the runner must exit cleanly after it encoded something.
  it('a process that encoded on the encoder thread with the default settings exits with code 0', () => {
    const child = spawnSync(
      process.execPath,
      [new URL('./encoder-exit.fixture.ts', import.meta.url).pathname],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('wasm');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });
});

describe('waveform', () => {
  it('40 RMS slices on 0…1024, loud where the signal is loud', () => {
    const s = new Float32Array(4000);
    for (let i = 2000; i < 4000; i++) s[i] = Math.sin(i) * 0.5;
    const w = waveformOf(s);
    expect(w).toHaveLength(40);
    expect(w.slice(0, 20).every((v) => v === 0)).toBe(true);
    expect(w.slice(20).every((v) => v > 900)).toBe(true);
    expect(waveformOf(new Float32Array(100))).toEqual(new Array(40).fill(0));
  });
});

describe('WAV from a speech server', () => {
  it('round-trips 16-bit mono and refuses garbage', () => {
    const samples = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 5) * 0.5);
    const back = decodeWav(encodeWav({ samples, sampleRate: 24000 }));
    expect(back.sampleRate).toBe(24000);
    expect(back.samples.length).toBe(1000);
    expect(Math.abs((back.samples[10] ?? 0) - (samples[10] ?? 0))).toBeLessThan(1e-3);
    expect(() => decodeWav(new TextEncoder().encode('<html>502 Bad Gateway</html>'.repeat(3)))).toThrow(
      /WAV/,
    );
    const noData = encodeWav({ samples: new Float32Array(0), sampleRate: 24000 });
    expect(() => decodeWav(noData)).toThrow(/WAV/);
  });
});
