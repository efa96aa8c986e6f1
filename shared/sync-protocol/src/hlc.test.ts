import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareHlc, createClock, formatHlc, parseHlc } from './hlc.ts';

const parts = fc.record({
  wall: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  counter: fc.integer({ min: 0, max: 999_999 }),
  clientId: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
});

describe('hlc', () => {
  it('string order equals (wall, counter, clientId) order, and parse inverts format', () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        const expected =
          a.wall !== b.wall
            ? Math.sign(a.wall - b.wall)
            : a.counter !== b.counter
              ? Math.sign(a.counter - b.counter)
              : a.clientId < b.clientId
                ? -1
                : a.clientId > b.clientId
                  ? 1
                  : 0;
        expect(compareHlc(formatHlc(a), formatHlc(b))).toBe(expected);
        expect(parseHlc(formatHlc(a))).toEqual(a);
      }),
    );
  });

  it('tick is strictly monotonic even when the wall clock stalls or goes backwards', () => {
    let t = 1000;
    const clock = createClock({ clientId: 'a', now: () => t });
    const seen: string[] = [];
    for (const step of [0, 0, -500, 10, 0, -1, 3]) {
      t += step;
      seen.push(clock.tick());
    }
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('after receive(), the next tick is greater than the received clock (skewed peer)', () => {
    const slow = createClock({ clientId: 'slow', now: () => 1000 });
    const remote = formatHlc({ wall: 999_999, counter: 7, clientId: 'fast' });
    slow.receive(remote);
    const next = slow.tick();
    expect(next > remote).toBe(true);
    expect(parseHlc(next).wall).toBe(999_999);
    expect(slow.last()).toBe(next);
  });

  it('rejects bad client ids and malformed clocks', () => {
    expect(() => createClock({ clientId: 'has space' })).toThrow(RangeError);
    expect(() => parseHlc('12:3:x')).toThrow(RangeError);
  });
});
