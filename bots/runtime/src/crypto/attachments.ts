/**
 * Encrypted attachments (the client-server spec's "Sending encrypted attachments"): in an encrypted
 * room a file is uploaded as AES-256-CTR ciphertext and the event carries an `EncryptedFile` (`file`,
 * `info.thumbnail_file`) with the key, the IV and the ciphertext's SHA-256 instead of a `url`. Plain
 * WebCrypto: Node has it built in, and it is what Element and matrix-js-sdk use in the browser.
 */
import { z } from 'zod';
import { CommandError } from '../errors.ts';
import { TEXTS } from '../texts.ts';

/** Unpadded standard base64 (the spec's encoding of `iv` and `hashes`); padded input is accepted. */
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/);

/** The `EncryptedFile` JSON of an event (`content.file`), as the spec defines it. */
export const encryptedFileSchema = z.object({
  url: z.string().startsWith('mxc://'),
  key: z.object({
    kty: z.literal('oct'),
    alg: z.literal('A256CTR'),
    k: z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/),
    key_ops: z.array(z.string()).refine((ops) => ops.includes('encrypt') && ops.includes('decrypt')),
    ext: z.literal(true),
  }),
  iv: base64,
  hashes: z.object({ sha256: base64 }),
  // v1 was only ever sent with the same 64-bit counter; "v2" is what every client sends today.
  v: z.enum(['v1', 'v2']),
});
export type EncryptedFile = z.infer<typeof encryptedFileSchema>;

/** The ciphertext's hash is not the one its event names: tampered with, or a broken upload. */
export class MediaIntegrityError extends CommandError {
  constructor(mxc: string) {
    super(`encrypted attachment ${mxc}: SHA-256 mismatch`, TEXTS.mediaTampered, {
      code: 'BOT_MEDIA_INTEGRITY',
    });
    this.name = 'MediaIntegrityError';
  }
}

const unpadded = (b64: string) => b64.replace(/=+$/, '');
const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
/** WebCrypto wants ArrayBuffer-backed views; a Node Buffer's pool may be a SharedArrayBuffer. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/**
 * Encrypts `plain` with a fresh key and IV (the IV's upper 8 bytes random, the lower 8 — the
 * counter — zero, as Element does, so the 64-bit counter never wraps). Returns the ciphertext to
 * upload and the `EncryptedFile` once its `url` is known.
 */
export async function encryptAttachment(
  plain: Uint8Array,
): Promise<{ data: Uint8Array; file: (url: string) => EncryptedFile }> {
  const iv = new Uint8Array(16);
  crypto.getRandomValues(iv.subarray(0, 8));
  const key = await crypto.subtle.generateKey({ name: 'AES-CTR', length: 256 }, true, ['encrypt', 'decrypt']);
  const data = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, key, own(plain)),
  );
  const jwk = await crypto.subtle.exportKey('jwk', key);
  const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  const k = jwk.k;
  if (!k) throw new Error('exported AES key has no k');
  return {
    data,
    file: (url) => ({
      url,
      key: { kty: 'oct', alg: 'A256CTR', k: unpadded(k), key_ops: ['encrypt', 'decrypt'], ext: true },
      iv: unpadded(Buffer.from(iv).toString('base64')),
      hashes: { sha256: unpadded(Buffer.from(sha256).toString('base64')) },
      v: 'v2',
    }),
  };
}

/** The plaintext of a downloaded ciphertext; its SHA-256 is checked first (`MediaIntegrityError`). */
export async function decryptAttachment(data: Uint8Array, file: EncryptedFile): Promise<Uint8Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', own(data)));
  if (!equal(digest, bytesOf(file.hashes.sha256))) throw new MediaIntegrityError(file.url);
  const key = await crypto.subtle.importKey(
    'jwk',
    { kty: 'oct', alg: 'A256CTR', k: unpadded(file.key.k), ext: true, key_ops: ['encrypt', 'decrypt'] },
    { name: 'AES-CTR' },
    false,
    ['decrypt'],
  );
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-CTR', counter: own(bytesOf(file.iv)), length: 64 },
    key,
    own(data),
  );
  return new Uint8Array(plain);
}
