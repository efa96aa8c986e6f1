/** What Element draws for a voice message: loudness over time, from the real signal. */

/** Element's voice bubble shows about this many bars. */
export const WAVEFORM_POINTS = 40;

/**
 * The RMS loudness of `points` equal slices of the signal, scaled so the loudest slice is 1024
 * (Element's 0…1024 scale); all zeros for silence.
 */
export function waveformOf(samples: Float32Array, points = WAVEFORM_POINTS): number[] {
  const rms: number[] = [];
  for (let i = 0; i < points; i++) {
    const from = Math.floor((i * samples.length) / points);
    const to = Math.max(from + 1, Math.floor(((i + 1) * samples.length) / points));
    let sum = 0;
    let n = 0;
    for (let j = from; j < to && j < samples.length; j++) {
      const s = samples[j] ?? 0;
      sum += s * s;
      n++;
    }
    rms.push(n === 0 ? 0 : Math.sqrt(sum / n));
  }
  const peak = Math.max(...rms);
  return rms.map((v) => (peak > 0 ? Math.round((v / peak) * 1024) : 0));
}

/** The RMS of the whole signal (0…1). */
export function rmsOf(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}
