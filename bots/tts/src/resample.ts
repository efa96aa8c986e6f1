/**
 * Mono float PCM at one rate → 16-bit PCM at another, chunk by chunk, by linear interpolation.
 * The bot only resamples speech up a little (espeak-ng's 22.05 kHz → Opus's 24 kHz), where
 * interpolation's soft high end sits above what espeak-ng makes; it costs one multiply-add per
 * sample, a fraction of a millisecond per 100 characters, where a polyphase filter would cost more
 * than the Opus encoder it feeds. Output sample k lies at input position k · from / to, in integer
 * steps, so long streams do not drift.
 */
export class LinearResampler {
  readonly from: number;
  readonly to: number;
  /** Output samples made so far. */
  private made = 0;
  /** Input samples seen before the current chunk. */
  private seen = 0;
  /** The previous chunk's last sample (input position `seen - 1`). */
  private last = 0;

  constructor(from: number, to: number) {
    if (!(Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > 0))
      throw new Error(`bad sample rates ${from} → ${to}`);
    this.from = from;
    this.to = to;
  }

  /** The samples at `to` that `input` completes (those needing the next chunk wait for it). */
  push(input: Float32Array): Int16Array {
    const end = this.seen + input.length;
    // Output k needs inputs floor(p) and floor(p) + 1, p = k · from / to: both must have arrived.
    const count = Math.max(0, Math.ceil(((end - 1) * this.to) / this.from) - this.made);
    const out = new Int16Array(count);
    const seen = this.seen;
    let n = 0;
    // Those that still lean on the previous chunk's last sample (input position seen - 1).
    for (; n < count; n++) {
      const p = ((this.made + n) * this.from) / this.to;
      const i = Math.floor(p);
      if (i >= seen) break;
      out[n] = toInt16(this.last + ((input[0] ?? 0) - this.last) * (p - i));
    }
    // The rest inside this chunk, the hot path (~144,000 samples per 100 characters): the position
    // k · from / to kept as an integer part and a remainder in 1/to steps, so no division per sample.
    if (n < count) {
      const from = this.from;
      const to = this.to;
      const k = this.made + n;
      let i = Math.floor((k * from) / to) - seen;
      let rem = k * from - (i + seen) * to;
      const whole = Math.floor(from / to);
      const part = from - whole * to;
      for (; n < count; n++) {
        const a = input[i]!;
        const v = a + (input[i + 1]! - a) * (rem / to);
        out[n] = Math.round((v > 1 ? 1 : v < -1 ? -1 : v) * 32767);
        i += whole;
        rem += part;
        if (rem >= to) {
          rem -= to;
          i++;
        }
      }
    }
    this.made += count;
    if (input.length > 0) this.last = input[input.length - 1]!;
    this.seen = end;
    return out;
  }

  /** The rest: output up to the input's length in `to` samples, the last input sample held. */
  finish(): Int16Array {
    const total = Math.round((this.seen * this.to) / this.from);
    const out = new Int16Array(Math.max(0, total - this.made));
    out.fill(toInt16(this.last));
    this.made += out.length;
    return out;
  }
}

function toInt16(v: number): number {
  return Math.round(Math.max(-1, Math.min(1, v)) * 32767);
}
