import { describe, expect, it } from 'vitest';
import { LinearResampler } from './resample.ts';

const sine = (rate: number, n: number, hz = 440) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate) * 0.5);

describe('LinearResampler', () => {
  it('22.05 → 24 kHz: the right length, the same tone, and chunking changes nothing', () => {
    const input = sine(22050, 22050);
    const whole = new LinearResampler(22050, 24000);
    const once = [...whole.push(input), ...whole.finish()];
    expect(once).toHaveLength(24000);
    const chunked = new LinearResampler(22050, 24000);
    const parts: number[] = [];
    for (let at = 0; at < input.length; at += 1 + (at % 977))
      parts.push(...chunked.push(input.subarray(at, at + 1 + (at % 977))));
    parts.push(...chunked.finish());
    expect(parts).toEqual(once);
    // Against the tone computed at 24 kHz: interpolation error stays below 1 % of full scale.
    const want = sine(24000, 24000);
    let worst = 0;
    for (let i = 0; i < 23990; i++) worst = Math.max(worst, Math.abs(once[i]! / 32767 - want[i]!));
    expect(worst).toBeLessThan(0.01);
  });

  it('same rate is a plain conversion to 16 bit, clipped at full scale', () => {
    const r = new LinearResampler(24000, 24000);
    const out = [
      ...r.push(Float32Array.of(0, 0.5, -0.5, 1.5)),
      ...r.push(Float32Array.of(-2)),
      ...r.finish(),
    ];
    expect(out).toEqual([0, 16384, -16383, 32767, -32767]); // ±16383.5 rounds up
    expect(() => new LinearResampler(0, 24000)).toThrow(/rates/);
  });
});
