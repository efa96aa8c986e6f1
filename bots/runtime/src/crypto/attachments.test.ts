import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { incomingMedia } from '../stages/media.ts';
import {
  decryptAttachment,
  encryptAttachment,
  encryptedFileSchema,
  MediaIntegrityError,
  type EncryptedFile,
} from './attachments.ts';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');

/**
 * A vector made here with node:crypto's AES-256-CTR (OpenSSL, not WebCrypto), as a client
 * encrypts an attachment: random key, IV with a zero counter half, SHA-256 of the ciphertext.
 */
function vector(plain: Uint8Array, url = 'mxc://mana.test/vec') {
  const key = randomBytes(32);
  const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
  const c = createCipheriv('aes-256-ctr', key, iv);
  const data = new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
  const file: EncryptedFile = {
    url,
    key: {
      kty: 'oct',
      alg: 'A256CTR',
      k: key.toString('base64url'),
      key_ops: ['encrypt', 'decrypt'],
      ext: true,
    },
    iv: b64(iv),
    hashes: { sha256: b64(createHash('sha256').update(data).digest()) },
    v: 'v2',
  };
  return { data, file, key, iv };
}

const plain = new TextEncoder().encode('BEGIN:VCALENDAR\r\n'.repeat(500));

describe('encrypted attachments', () => {
  it('decrypts what another AES-CTR implementation encrypted (padded base64 too)', async () => {
    const { data, file } = vector(plain);
    expect(await decryptAttachment(data, file)).toEqual(plain);
    const padded = { ...file, iv: `${file.iv}==`, hashes: { sha256: `${file.hashes.sha256}=` } };
    expect(encryptedFileSchema.parse(padded)).toEqual(padded);
    expect(await decryptAttachment(data, padded)).toEqual(plain);
  });

  it('encrypts as the spec says: a fresh key and IV each time, v2 JWK, unpadded base64, the hash of the ciphertext', async () => {
    const a = await encryptAttachment(plain);
    const b = await encryptAttachment(plain);
    const file = a.file('mxc://mana.test/a');
    expect(encryptedFileSchema.parse(file)).toEqual(file);
    expect(file).toMatchObject({
      url: 'mxc://mana.test/a',
      v: 'v2',
      key: { kty: 'oct', alg: 'A256CTR', ext: true, key_ops: ['encrypt', 'decrypt'] },
    });
    for (const s of [file.iv, file.hashes.sha256, file.key.k]) expect(s).not.toMatch(/=/);
    const iv = Buffer.from(file.iv, 'base64');
    expect(iv).toHaveLength(16);
    expect([...iv.subarray(8)]).toEqual(new Array(8).fill(0));
    expect(file.hashes.sha256).toBe(b64(createHash('sha256').update(a.data).digest()));
    const other = b.file('mxc://mana.test/b');
    expect(other.key.k).not.toBe(file.key.k);
    expect(other.iv).not.toBe(file.iv);
    expect(Buffer.from(a.data).equals(Buffer.from(plain))).toBe(false);
    // node:crypto decrypts it with the key and IV the event carries.
    const d = createDecipheriv('aes-256-ctr', Buffer.from(file.key.k, 'base64url'), iv);
    expect(new Uint8Array(Buffer.concat([d.update(a.data), d.final()]))).toEqual(plain);
    expect(await decryptAttachment(a.data, file)).toEqual(plain);
  });

  it('refuses a ciphertext whose hash does not match before decrypting it', async () => {
    const { data, file } = vector(plain);
    const tampered = data.slice();
    tampered[100] = tampered[100]! ^ 1;
    const err = await decryptAttachment(tampered, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaIntegrityError);
    expect(err).toMatchObject({ code: 'BOT_MEDIA_INTEGRITY' });
    expect(err instanceof MediaIntegrityError && err.human).toMatchObject({ en: /checksum does not match/ });
    // A key that could never decrypt: the hash is what refuses it, first.
    const badKey = { ...file, key: { ...file.key, k: 'AAAA' } };
    await expect(decryptAttachment(tampered, badKey)).rejects.toBeInstanceOf(MediaIntegrityError);
  });

  it('the schema refuses what is no EncryptedFile of the spec', () => {
    const { file } = vector(plain);
    for (const bad of [
      { ...file, url: 'https://x/y' },
      { ...file, key: { ...file.key, alg: 'A128CTR' } },
      { ...file, key: { ...file.key, key_ops: ['encrypt'] } },
      { ...file, hashes: {} },
      { ...file, v: 'v3' },
    ])
      expect(encryptedFileSchema.safeParse(bad).success).toBe(false);
  });
});

describe('incoming media with content.file', () => {
  it('an encrypted voice note: the mxc of the file, download() the plaintext with the event’s type', async () => {
    const { data, file } = vector(plain, 'mxc://mana.test/voice');
    const asked: string[] = [];
    const media = incomingMedia(
      {
        msgtype: 'm.audio',
        body: 'Voice message',
        file,
        info: { mimetype: 'audio/ogg', size: data.byteLength, duration: 1200 },
        'org.matrix.msc3245.voice': {},
      },
      async (mxc) => {
        asked.push(mxc);
        return { bytes: data, contentType: 'application/octet-stream' };
      },
    );
    expect(media).toMatchObject({ kind: 'voice', mxc: 'mxc://mana.test/voice', mimetype: 'audio/ogg' });
    expect(await media!.download()).toEqual({ bytes: plain, contentType: 'audio/ogg' });
    expect(asked).toEqual(['mxc://mana.test/voice']);
  });

  it('a malformed file is no media (never downloaded as plaintext)', () => {
    const { file } = vector(plain);
    const content = {
      msgtype: 'm.file',
      body: 'x.ics',
      url: 'mxc://mana.test/plain',
      file: { ...file, iv: 7 },
    };
    expect(incomingMedia(content, () => Promise.reject(new Error('no')))).toBeUndefined();
  });
});
