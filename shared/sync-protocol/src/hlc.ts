/**
 * Hybrid logical clocks: a wall-clock millisecond, a counter for events within one millisecond (or
 * while the wall clock lags a clock we received), and the writer's client id to break ties.
 *
 * Serialized as a fixed-width string (`<wall:15>:<counter:6>:<clientId>`), so plain string comparison
 * orders clocks correctly everywhere: in JS, in JSON, and in Postgres under `COLLATE "C"`.
 */

/** A serialized HLC; compare with `compareHlc` or `<` on the strings. */
export type Hlc = string;

export interface HlcParts {
  wall: number;
  counter: number;
  clientId: string;
}

const WALL_WIDTH = 15;
const COUNTER_WIDTH = 6;
const COUNTER_MAX = 10 ** COUNTER_WIDTH - 1;

/** Client ids end up inside every clock, so they are kept short and free of separators that matter. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const HLC_PATTERN = /^\d{15}:\d{6}:[A-Za-z0-9_-]{1,64}$/;

export function formatHlc({ wall, counter, clientId }: HlcParts): Hlc {
  if (!Number.isSafeInteger(wall) || wall < 0 || wall >= 10 ** WALL_WIDTH)
    throw new RangeError(`hlc wall out of range: ${wall}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > COUNTER_MAX)
    throw new RangeError(`hlc counter out of range: ${counter}`);
  if (!CLIENT_ID_PATTERN.test(clientId)) throw new RangeError(`invalid client id: ${clientId}`);
  return `${String(wall).padStart(WALL_WIDTH, '0')}:${String(counter).padStart(COUNTER_WIDTH, '0')}:${clientId}`;
}

export function parseHlc(hlc: Hlc): HlcParts {
  if (!HLC_PATTERN.test(hlc)) throw new RangeError(`invalid hlc: ${hlc}`);
  return {
    wall: Number(hlc.slice(0, WALL_WIDTH)),
    counter: Number(hlc.slice(WALL_WIDTH + 1, WALL_WIDTH + 1 + COUNTER_WIDTH)),
    clientId: hlc.slice(WALL_WIDTH + COUNTER_WIDTH + 2),
  };
}

/** Total order: wall, then counter, then client id. */
export function compareHlc(a: Hlc, b: Hlc): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface HlcClock {
  readonly clientId: string;
  /** A new clock for a local event, greater than every clock seen so far. */
  tick(): Hlc;
  /** Folds in a clock received from elsewhere, so the next `tick()` is greater than it. */
  receive(remote: Hlc): void;
  /** The greatest clock issued or received. */
  last(): Hlc;
}

/**
 * @example
 * const clock = createClock({ clientId: 'web-4f2a' });
 * const hlc = clock.tick();       // '001732000000000:000000:web-4f2a'
 * clock.receive(serverRow.hlc);   // never issue a clock below one already seen
 */
export function createClock({
  clientId,
  now = Date.now,
}: {
  clientId: string;
  now?: () => number;
}): HlcClock {
  if (!CLIENT_ID_PATTERN.test(clientId)) throw new RangeError(`invalid client id: ${clientId}`);
  let wall = 0;
  let counter = 0;
  let lastSeen: Hlc = formatHlc({ wall: 0, counter: 0, clientId });
  const advance = (w: number, c: number) => {
    // On counter overflow borrow the next millisecond: still monotonic, never throws.
    if (c > COUNTER_MAX) {
      w += 1;
      c = 0;
    }
    wall = w;
    counter = c;
  };
  return {
    clientId,
    tick() {
      const t = Math.floor(now());
      if (t > wall) advance(t, 0);
      else advance(wall, counter + 1);
      const hlc = formatHlc({ wall, counter, clientId });
      if (hlc > lastSeen) lastSeen = hlc;
      return hlc;
    },
    receive(remote) {
      const r = parseHlc(remote);
      const t = Math.floor(now());
      if (t > wall && t > r.wall) advance(t, 0);
      else if (r.wall > wall) advance(r.wall, r.counter + 1);
      else if (r.wall === wall) advance(wall, Math.max(counter, r.counter) + 1);
      else advance(wall, counter + 1);
      if (remote > lastSeen) lastSeen = remote;
    },
    last: () => lastSeen,
  };
}
