/**
 * A small Ogg muxer for one mono Opus stream (RFC 7845 on RFC 3533): an OpusHead page (BOS), an
 * OpusTags page, then the audio packets laced into pages of about a second each, granule positions
 * counted in 48 kHz samples (pre-skip included, as the RFC says), the last page flagged EOS with the
 * exact end granule so decoders trim the encoder's padding. What FFmpeg's Ogg muxer did inside
 * libav.js, for the encoders that hand out bare Opus packets.
 */

/** Opus granule positions always count 48 kHz samples, whatever the input rate. */
export const GRANULE_RATE = 48_000;

const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;
/** A page's lacing table holds at most 255 segment sizes. */
const MAX_SEGMENTS = 255;
/** A page is written once it holds this many packets (1 s of 20 ms frames), as opusenc does. */
const PACKETS_PER_PAGE = 50;

/** CRC-32 of Ogg pages: polynomial 0x04c11db7, not reflected, initial value and final xor 0. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

/** The 19-byte identification header (RFC 7845 §5.1), mono, channel mapping family 0. */
export function opusHead(preSkip: number, inputSampleRate: number): Uint8Array {
  const head = new Uint8Array(19);
  const v = new DataView(head.buffer);
  head.set(ascii('OpusHead'), 0);
  head[8] = 1; // version
  head[9] = 1; // channels
  v.setUint16(10, preSkip, true);
  v.setUint32(12, inputSampleRate, true); // informational: decoders play at 48 kHz
  v.setInt16(16, 0, true); // output gain
  head[18] = 0; // mapping family: mono/stereo, no table
  return head;
}

/** The comment header (RFC 7845 §5.2): vendor string, no user comments. */
export function opusTags(vendor: string): Uint8Array {
  const name = new TextEncoder().encode(vendor);
  const tags = new Uint8Array(8 + 4 + name.length + 4);
  const v = new DataView(tags.buffer);
  tags.set(ascii('OpusTags'), 0);
  v.setUint32(8, name.length, true);
  tags.set(name, 12);
  v.setUint32(12 + name.length, 0, true);
  return tags;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** One Ogg page holding whole packets (none of ours spans pages: an Opus packet is < 1,275 bytes). */
export function oggPage(o: {
  packets: readonly Uint8Array[];
  granule: bigint;
  serial: number;
  sequence: number;
  bos?: boolean;
  eos?: boolean;
}): Uint8Array {
  const lacing: number[] = [];
  let body = 0;
  for (const p of o.packets) {
    // A packet of n bytes: floor(n / 255) segments of 255, then one of n % 255 (0 when it divides).
    for (let left = p.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
    body += p.length;
  }
  if (lacing.length > MAX_SEGMENTS) throw new Error(`${lacing.length} segments do not fit one Ogg page`);
  const page = new Uint8Array(27 + lacing.length + body);
  const v = new DataView(page.buffer);
  page.set(ascii('OggS'), 0);
  page[4] = 0; // stream structure version
  page[5] = (o.bos ? FLAG_BOS : 0) | (o.eos ? FLAG_EOS : 0);
  v.setBigInt64(6, o.granule, true);
  v.setUint32(14, o.serial, true);
  v.setUint32(18, o.sequence, true);
  // bytes 22..25: the CRC, computed below over the page with these four bytes zero
  page[26] = lacing.length;
  page.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of o.packets) {
    page.set(p, at);
    at += p.length;
  }
  v.setUint32(22, oggCrc(page), true);
  return page;
}

export interface OggOpusWriterOptions {
  /** The encoder's lookahead in 48 kHz samples: what decoders drop at the start. */
  preSkip: number;
  /** The rate fed to the encoder; written into OpusHead (informational). */
  inputSampleRate: number;
  /** Ogg's stream serial number; random by default, as RFC 3533 asks. */
  serial?: number;
  vendor?: string;
}

/** Ogg/Opus written packet by packet: pages are cut as they fill, `finish` writes the EOS page. */
export class OggOpusWriter {
  private readonly serial: number;
  private readonly pages: Uint8Array[] = [];
  private sequence = 0;
  private pending: { packet: Uint8Array; granule: bigint }[] = [];
  private segments = 0;
  private granule = 0n;
  /** The granule of the last page written. */
  private pageGranule = 0n;
  private finished = false;

  constructor(o: OggOpusWriterOptions) {
    this.serial = o.serial ?? (Math.random() * 2 ** 32) >>> 0;
    this.page([opusHead(o.preSkip, o.inputSampleRate)], 0n, { bos: true });
    this.page([opusTags(o.vendor ?? 'mana tts')], 0n);
  }

  /** One Opus packet holding `samples48k` samples of audio (960 for 20 ms). */
  add(packet: Uint8Array, samples48k: number): void {
    if (this.finished) throw new Error('the Ogg stream is finished');
    const segments = Math.floor(packet.length / 255) + 1;
    // Cut before adding, never after: the EOS page then always has a packet to carry.
    if (this.segments + segments > MAX_SEGMENTS || this.pending.length >= PACKETS_PER_PAGE) this.flush();
    this.granule += BigInt(samples48k);
    this.pending.push({ packet, granule: this.granule });
    this.segments += segments;
  }

  /**
   * Writes the last page, flagged EOS, with `endGranule` (pre-skip + the real audio in 48 kHz
   * samples) when given: less than the packets hold, so decoders cut the encoder's padding.
   */
  finish(endGranule?: bigint): Uint8Array<ArrayBuffer> {
    if (this.finished) throw new Error('the Ogg stream is finished');
    this.finished = true;
    const packets = this.pending.map((p) => p.packet);
    // Never past what the packets hold, never before the previous page's end.
    let granule = this.granule;
    if (endGranule !== undefined && endGranule < granule) granule = endGranule;
    if (granule < this.pageGranule) granule = this.pageGranule;
    this.pending = [];
    this.page(packets, granule, { eos: true });
    const out = new Uint8Array(this.pages.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.pages) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private flush() {
    if (this.pending.length === 0) return;
    const last = this.pending[this.pending.length - 1]!;
    this.page(
      this.pending.map((p) => p.packet),
      last.granule,
    );
    this.pending = [];
    this.segments = 0;
  }

  private page(packets: Uint8Array[], granule: bigint, flags: { bos?: boolean; eos?: boolean } = {}) {
    this.pages.push(oggPage({ packets, granule, serial: this.serial, sequence: this.sequence++, ...flags }));
    this.pageGranule = granule;
  }
}
