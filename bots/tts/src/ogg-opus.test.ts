import { decodeOgg } from '@mana/testing';
import { describe, expect, it } from 'vitest';
import { libopus } from './libopus.ts';
import { openLibopusStream } from './libopus-stream.ts';
import { oggCrc, OggOpusWriter, oggPage } from './ogg-opus.ts';

/** One Ogg page read back as RFC 3533 lays it out, with its CRC checked independently. */
interface Page {
  version: number;
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crcOk: boolean;
  lacing: number[];
  packets: Uint8Array[];
  size: number;
}

/** CRC-32 bit by bit (poly 0x04c11db7, MSB first, init 0, no final xor), not the module's table. */
function crcBitwise(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function parsePages(file: Uint8Array): Page[] {
  const pages: Page[] = [];
  let at = 0;
  while (at < file.length) {
    const v = new DataView(file.buffer, file.byteOffset + at);
    expect(String.fromCharCode(...file.subarray(at, at + 4))).toBe('OggS');
    const n = file[at + 26]!;
    const lacing = [...file.subarray(at + 27, at + 27 + n)];
    const size = 27 + n + lacing.reduce((a, b) => a + b, 0);
    const copy = file.slice(at, at + size);
    copy.fill(0, 22, 26);
    const packets: Uint8Array[] = [];
    let body = at + 27 + n;
    let start = body;
    for (const l of lacing) {
      body += l;
      if (l < 255) {
        packets.push(file.subarray(start, body));
        start = body;
      }
    }
    pages.push({
      version: file[at + 4]!,
      flags: file[at + 5]!,
      granule: v.getBigInt64(6, true),
      serial: v.getUint32(14, true),
      sequence: v.getUint32(18, true),
      crcOk: v.getUint32(22, true) === crcBitwise(copy),
      lacing,
      packets,
      size,
    });
    at += size;
  }
  return pages;
}

const BOS = 0x02;
const EOS = 0x04;
const text = (b: Uint8Array | undefined, from: number, to: number) =>
  new TextDecoder().decode(b?.subarray(from, to));

describe('Ogg muxer (RFC 3533 pages, RFC 7845 Opus mapping)', () => {
  it("Ogg's CRC-32 gives the standard check value and agrees with a bitwise CRC", () => {
    // CRC-32 with poly 0x04c11db7, init 0, no reflection, no xor-out: check("123456789") = 0x89a1897f.
    expect(oggCrc(new TextEncoder().encode('123456789'))).toBe(0x89a1897f);
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff);
    expect(oggCrc(random)).toBe(crcBitwise(random));
  });

  it('laces packets of 255 bytes and more into 255-runs ended by a shorter segment', () => {
    const page = oggPage({
      packets: [new Uint8Array(255), new Uint8Array(600).fill(7), new Uint8Array(3)],
      granule: 960n,
      serial: 42,
      sequence: 5,
    });
    const [p] = parsePages(page);
    expect(p?.lacing).toEqual([255, 0, 255, 255, 90, 3]);
    expect(p?.packets.map((x) => x.length)).toEqual([255, 600, 3]);
    expect(p?.packets[1]?.every((b) => b === 7)).toBe(true);
    expect(p).toMatchObject({ version: 0, flags: 0, granule: 960n, serial: 42, sequence: 5, crcOk: true });
  });

  it('writes OpusHead (BOS), OpusTags, then pages of 50 packets with 48 kHz granules; EOS last', () => {
    const w = new OggOpusWriter({ preSkip: 312, inputSampleRate: 24000, serial: 0xdeadbeef, vendor: 'test' });
    for (let i = 0; i < 120; i++) w.add(Uint8Array.of(i, 1, 2), 960);
    // 120 packets hold 115,200 samples; the real audio ends 500 samples earlier.
    const pages = parsePages(w.finish(312n + 115_200n - 500n));
    expect(pages.map((p) => p.sequence)).toEqual([0, 1, 2, 3, 4]);
    expect(pages.every((p) => p.crcOk && p.version === 0 && p.serial === 0xdeadbeef)).toBe(true);
    expect(pages.map((p) => p.flags)).toEqual([BOS, 0, 0, 0, EOS]);
    expect(pages.map((p) => p.packets.length)).toEqual([1, 1, 50, 50, 20]);
    expect(pages.map((p) => p.granule)).toEqual([0n, 0n, 48_000n, 96_000n, 312n + 115_200n - 500n]);
    const head = pages[0]!.packets[0]!;
    const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    expect(head.length).toBe(19);
    expect(text(head, 0, 8)).toBe('OpusHead');
    expect([
      head[8],
      head[9],
      hv.getUint16(10, true),
      hv.getUint32(12, true),
      hv.getInt16(16, true),
      head[18],
    ]).toEqual([1, 1, 312, 24000, 0, 0]);
    const tags = pages[1]!.packets[0]!;
    expect(text(tags, 0, 8)).toBe('OpusTags');
    expect(new DataView(tags.buffer, tags.byteOffset).getUint32(8, true)).toBe(4);
    expect(text(tags, 12, 16)).toBe('test');
    expect(pages[2]!.packets[0]).toEqual(Uint8Array.of(0, 1, 2));
    expect(pages[4]!.packets[19]).toEqual(Uint8Array.of(119, 1, 2));
  });

  it('an end granule past the packets or before the previous page is not written', () => {
    const w = new OggOpusWriter({ preSkip: 312, inputSampleRate: 24000 });
    for (let i = 0; i < 60; i++) w.add(new Uint8Array(10), 960);
    expect(parsePages(w.finish(10n ** 9n)).at(-1)?.granule).toBe(57_600n);
    const v = new OggOpusWriter({ preSkip: 312, inputSampleRate: 24000 });
    for (let i = 0; i < 60; i++) v.add(new Uint8Array(10), 960);
    expect(parsePages(v.finish(1n)).at(-1)?.granule).toBe(48_000n);
    expect(() => v.finish()).toThrow(/finished/);
  });

  for (const build of ['native', 'wasm'] as const)
    it(`libopus (${build}) → our pages → ogg-opus-decoder: 48 kHz mono, exact length, the same tone`, async () => {
      const opus = await libopus(build);
      const rate = 22050;
      const seconds = 1.37;
      const tone = Float32Array.from(
        { length: Math.round(rate * seconds) },
        (_, i) => Math.sin((2 * Math.PI * 440 * i) / rate) * 0.5,
      );
      const stream = openLibopusStream(opus, { sampleRate: rate, bitrate: 24000, complexity: 0 });
      expect(stream.opusRate).toBe(24000);
      // Odd chunk sizes, as espeak-ng hands them out.
      for (let at = 0; at < tone.length; at += 2205 + 17)
        await stream.push(tone.subarray(at, at + 2205 + 17));
      const file = await stream.finish();
      const pages = parsePages(file);
      expect(pages.every((p) => p.crcOk)).toBe(true);
      expect(pages[0]?.flags).toBe(BOS);
      expect(pages.at(-1)?.flags).toBe(EOS);
      expect(pages.filter((p) => p.flags & EOS)).toHaveLength(1);
      const preSkip = new DataView(file.buffer, file.byteOffset + 28 + 10).getUint16(0, true);
      // libopus's lookahead in CELT-only mode (2.5 ms; VoIP mode's is 6.5 ms), in 48 kHz samples.
      expect(preSkip).toBe(120);
      // The resampled length at Opus's 24 kHz, counted in 48 kHz granules.
      const samples48k = 2 * Math.round(tone.length * (24000 / rate));
      expect(pages.at(-1)?.granule).toBe(BigInt(preSkip + samples48k));
      const granules = pages.slice(2).map((p) => p.granule);
      expect(granules).toEqual([...granules].sort((a, b) => (a < b ? -1 : 1)));

      const decoded = await decodeOgg(file);
      expect(decoded.errors).toEqual([]);
      expect(decoded.sampleRate).toBe(48000);
      expect(decoded.channelData).toHaveLength(1);
      // Pre-skip dropped at the start and the padding cut at the end: within one 20 ms frame.
      expect(Math.abs(decoded.samplesDecoded - samples48k)).toBeLessThanOrEqual(960);
      // Still a 440 Hz tone: count zero crossings in the middle second.
      const y = decoded.channelData[0]!.subarray(9600, 9600 + 48000);
      let crossings = 0;
      for (let i = 1; i < y.length; i++) if (y[i - 1]! < 0 !== y[i]! < 0) crossings++;
      expect(crossings / 2).toBeGreaterThan(430);
      expect(crossings / 2).toBeLessThan(450);
      // The package ships the native build for this platform (linux/macOS/windows, x64/arm64).
      expect(opus.build).toBe(build);
      expect(stream.backend).toBe(build);
      expect(stream.times.encodeMs).toBeGreaterThan(0);
    });
});
