import { describe, expect, it } from 'vitest';
import { isSettled, parseCpuMs, parseVmRssKib, parseWasmMemoryKib } from './proc.ts';

describe('/proc parsers', () => {
  it('reads utime + stime after a command name with spaces and parentheses', () => {
    // Fields 14 and 15 (utime, stime) are 120 and 30 ticks.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 500 0 0 0 120 30 0 0 20 0 11 0 100 0 0';
    expect(parseCpuMs(stat)).toBe(1500);
    expect(() => parseCpuMs('4242 (node) S 1')).toThrow(/utime/);
  });

  it('reads VmRSS, not VmHWM or RssAnon', () => {
    const status = 'Name:\tnode\nVmHWM:\t  999999 kB\nVmRSS:\t  123456 kB\nRssAnon:\t   100000 kB\n';
    expect(parseVmRssKib(status)).toBe(123456);
    expect(() => parseVmRssKib('Name:\tnode\n')).toThrow(/VmRSS/);
  });
});

describe('isSettled', () => {
  it('needs a full window within the tolerance', () => {
    expect(isSettled([100, 101], 3, 2)).toBe(false);
    expect(isSettled([90, 100, 101, 102], 3, 2)).toBe(true);
    expect(isSettled([100, 101, 105], 3, 2)).toBe(false);
  });
});

describe('parseWasmMemoryKib', () => {
  const map = (range: string, perms: string, size: number, rss: number) =>
    `${range} ${perms} 00000000 00:00 0 \nSize:            ${size} kB\nKernelPageSize:        4 kB\nRss:             ${rss} kB\nPss:             ${rss} kB\n`;
  it('counts a read-write mapping followed by its ≥ 4 GiB reservation, nothing else', () => {
    const smaps = [
      map('3ef78fd40000-3ef78fd78000', 'rw-p', 224, 224), // a V8 heap page
      map('7efe50000000-7efed0000000', '---p', 2097152, 0), // a guard region before the memory
      map('7efed0000000-7efed0190000', 'rw-p', 1600, 544), // the WASM memory in use
      map('7efed0190000-7f00d0000000', '---p', 8387008, 0), // the rest of its reservation
      map('7f00d0000000-7f00d0032000', 'rw-p', 200, 188), // malloc'd, followed by nothing reserved
      map('7f00d0032000-7f00d0040000', '---p', 56, 0), // a small guard page
    ].join('');
    expect(parseWasmMemoryKib(smaps)).toEqual({ sizeKib: 1600, rssKib: 544 });
    expect(parseWasmMemoryKib(map('7f00d0000000-7f00d0032000', 'rw-p', 200, 188))).toEqual({
      sizeKib: 0,
      rssKib: 0,
    });
  });
});
