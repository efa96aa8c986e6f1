import { describe, expect, it } from 'vitest';
import { audioContent, imageContent } from '../media.ts';
import { fakeMatrix } from '../testing.ts';
import { decryptAttachment, encryptedFileSchema } from './attachments.ts';
import { createEncryptedUploads } from './encrypted-uploads.ts';

const BOT = '@tts:mana.test';
const ROOM = '!secret:mana.test';
const ogg = new TextEncoder().encode('OggS'.padEnd(4000, '\u0001'));

describe('encrypted uploads', () => {
  it('uploads ciphertext without name or type, and the voice message carries file (no url) where Element has it', async () => {
    const matrix = fakeMatrix(new Map());
    const files = createEncryptedUploads();
    const mxc = await files.upload(matrix, BOT, ogg, {
      contentType: 'audio/ogg',
      filename: 'voice-message.ogg',
      roomId: ROOM,
    });
    const stored = matrix.media.get(mxc)!;
    expect(stored.contentType).toBe('application/octet-stream');
    expect(stored.filename).toBeUndefined();
    expect(Buffer.from(stored.bytes).includes(Buffer.from('OggS'))).toBe(false);

    const content = audioContent({ mxc, mimetype: 'audio/ogg', size: ogg.byteLength, durationMs: 900 });
    const sealed = files.forEncryptedRoom(content);
    expect(sealed.url).toBeUndefined();
    const file = encryptedFileSchema.parse(sealed.file);
    expect(file.url).toBe(mxc);
    expect(sealed['org.matrix.msc1767.file']).toEqual({
      file,
      name: 'Voice message',
      mimetype: 'audio/ogg',
      size: ogg.byteLength,
    });
    expect(sealed.info).toEqual(content.info);
    expect(content.url).toBe(mxc); // the input is left as it was
    expect(await decryptAttachment(stored.bytes, file)).toEqual(ogg);
  });

  it('a thumbnail becomes info.thumbnail_file, an edit’s m.new_content likewise; foreign mxc URIs stay', async () => {
    const matrix = fakeMatrix(new Map());
    const files = createEncryptedUploads();
    const png = new Uint8Array(300).fill(3);
    const mxc = await files.upload(matrix, BOT, png, { contentType: 'image/png', roomId: ROOM });
    const thumb = await files.upload(matrix, BOT, png.subarray(0, 50), {
      contentType: 'image/png',
      roomId: ROOM,
    });
    const image = imageContent({
      mxc,
      mimetype: 'image/png',
      size: 300,
      width: 10,
      height: 10,
      body: 'c.png',
    });
    (image.info as Record<string, unknown>).thumbnail_url = thumb;
    const edit = { ...image, body: '* c.png', 'm.new_content': image };
    const sealed = files.forEncryptedRoom(edit);
    for (const c of [sealed, sealed['m.new_content'] as Record<string, unknown>]) {
      expect(c.url).toBeUndefined();
      const info = c.info as Record<string, unknown>;
      expect(info.thumbnail_url).toBeUndefined();
      expect(encryptedFileSchema.parse(info.thumbnail_file).url).toBe(thumb);
      expect(info).toMatchObject({ mimetype: 'image/png', w: 10, h: 10 });
    }
    const foreign = { msgtype: 'm.image', body: 'x', url: 'mxc://elsewhere/x' };
    expect(files.forEncryptedRoom(foreign)).toBe(foreign);
  });
});
