import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRemaining, progressBar, renderCountdown } from './countdown.ts';

describe('countdown', () => {
  it('formats the time left, rounded up', () => {
    expect(formatRemaining(0)).toBe('00:00');
    expect(formatRemaining(1)).toBe('00:01');
    expect(formatRemaining(59_999)).toBe('01:00');
    expect(formatRemaining(25 * 60_000)).toBe('25:00');
    expect(formatRemaining(90 * 60_000 + 5_000)).toBe('1:30:05');
    expect(formatRemaining(-5)).toBe('00:00');
  });

  it('renders running, paused and done', () => {
    expect(renderCountdown({ remainingMs: 600_000, totalMs: 1_500_000, lang: 'de', label: 'Pizza' })).toBe(
      '⏳ Pizza — 10:00 ▓▓▓▓▓▓▓▓▓▓▓▓░░░░░░░░ 60 %',
    );
    expect(
      renderCountdown({ remainingMs: 600_000, totalMs: 1_500_000, lang: 'en', state: 'paused', width: 10 }),
    ).toBe('⏸ 10:00 ▓▓▓▓▓▓░░░░ 60% (paused)');
    expect(renderCountdown({ remainingMs: 0, totalMs: 1_500_000, lang: 'de', width: 5 })).toBe(
      '✅ 00:00 ▓▓▓▓▓ 100 % — fertig',
    );
  });

  it('the bar always has its width and fills monotonically', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.double(), fc.integer({ min: 1, max: 60 }), (a, b, w) => {
        expect([...progressBar(a, w)]).toHaveLength(w);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const count = (s: string) => [...s].filter((c) => c === '▓').length;
        if (Number.isFinite(lo) && Number.isFinite(hi))
          expect(count(progressBar(lo, w))).toBeLessThanOrEqual(count(progressBar(hi, w)));
      }),
    );
  });
});
