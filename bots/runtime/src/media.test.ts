import { describe, expect, it } from 'vitest';
import { parseMxc } from './matrix.ts';
import { audioContent, fileContent, imageContent, normalizeWaveform } from './media.ts';

describe('media contents', () => {
  it('a voice message carries m.audio, info, MSC1767 file/audio/text and the MSC3245 voice marker', () => {
    const c = audioContent({
      mxc: 'mxc://mana.test/abc',
      mimetype: 'audio/ogg',
      size: 1234,
      durationMs: 2300.4,
      waveform: [0, 0.5, 1],
    });
    expect(c).toEqual({
      msgtype: 'm.audio',
      body: 'Voice message',
      url: 'mxc://mana.test/abc',
      info: { mimetype: 'audio/ogg', size: 1234, duration: 2300 },
      'org.matrix.msc1767.text': 'Voice message',
      'org.matrix.msc1767.file': {
        url: 'mxc://mana.test/abc',
        name: 'Voice message',
        mimetype: 'audio/ogg',
        size: 1234,
      },
      'org.matrix.msc1767.audio': { duration: 2300, waveform: [0, 512, 1024] },
      'org.matrix.msc3245.voice': {},
    });
    const plain = audioContent({
      mxc: 'mxc://a/b',
      mimetype: 'audio/mpeg',
      size: 1,
      durationMs: 1,
      voice: false,
      filename: 'x.mp3',
      body: 'song',
    });
    expect(plain).not.toHaveProperty('org.matrix.msc3245.voice');
    expect(plain).toMatchObject({
      filename: 'x.mp3',
      body: 'song',
      'org.matrix.msc1767.file': { name: 'x.mp3' },
    });
  });

  it('waveforms are scaled to 0…1024 integers, at most 100 points', () => {
    const long = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 50));
    const w = normalizeWaveform(long);
    expect(w).toHaveLength(100);
    expect(Math.max(...w)).toBe(1024);
    expect(w.every((v) => Number.isInteger(v) && v >= 0 && v <= 1024)).toBe(true);
    expect(normalizeWaveform([0, 0])).toEqual([0, 0]);
    expect(normalizeWaveform([Number.NaN, 2])).toEqual([0, 1024]);
  });

  it('images and files', () => {
    expect(
      imageContent({
        mxc: 'mxc://a/i',
        mimetype: 'image/png',
        size: 10,
        width: 3,
        height: 2,
        body: 'chart.png',
      }),
    ).toEqual({
      msgtype: 'm.image',
      body: 'chart.png',
      url: 'mxc://a/i',
      info: { mimetype: 'image/png', size: 10, w: 3, h: 2 },
    });
    expect(fileContent({ mxc: 'mxc://a/f', mimetype: 'text/csv', size: 5, filename: 'tasks.csv' })).toEqual({
      msgtype: 'm.file',
      body: 'tasks.csv',
      filename: 'tasks.csv',
      url: 'mxc://a/f',
      info: { mimetype: 'text/csv', size: 5 },
    });
  });

  it('mxc URIs are parsed strictly', () => {
    expect(parseMxc('mxc://mana.test:8448/AbC_-1')).toEqual({
      serverName: 'mana.test:8448',
      mediaId: 'AbC_-1',
    });
    expect(() => parseMxc('https://x/y')).toThrow(/not an mxc URI/);
    expect(() => parseMxc('mxc://x/../y')).toThrow(/not an mxc URI/);
  });
});
