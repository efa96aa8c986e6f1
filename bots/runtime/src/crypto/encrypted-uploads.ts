/**
 * Files a bot sends into encrypted rooms, without the bot knowing: `MatrixPort.uploadMedia` uploads
 * AES-CTR ciphertext when the file is for an encrypted room (or for a room not named, as a job's
 * upload: the safe side), and `send` then puts the `EncryptedFile` where the contents name the
 * `mxc://` (`url` → `file`, `info.thumbnail_url` → `info.thumbnail_file`, the MSC1767 file block as
 * Element writes it). Should such an encrypted upload go to a plain room after all, it is
 * decrypted and uploaded once more in the clear, so plain clients can show it.
 */
import type { MatrixPort, UploadOptions } from '../matrix.ts';
import { decryptAttachment, encryptAttachment, type EncryptedFile } from './attachments.ts';

/** Keys of recent encrypted uploads kept (a key is ~200 bytes); older ones are sent as uploaded. */
const KEEP = 1000;

interface Upload {
  file: EncryptedFile;
  contentType: string;
  filename?: string | undefined;
  /** Its upload in the clear, once one was needed for a plain room. */
  plainMxc?: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

type Swap = (mxc: string) => Promise<{ file: EncryptedFile } | { url: string } | undefined>;

/** `block` with its `urlKey` swapped: the `EncryptedFile` under `fileKey` (no url), or the new url. */
async function swapIn(block: Json, urlKey: string, fileKey: string, swap: Swap): Promise<Json | undefined> {
  const mxc = block[urlKey];
  const s = typeof mxc === 'string' ? await swap(mxc) : undefined;
  if (!s) return undefined;
  const { [urlKey]: _, ...rest } = block;
  return 'file' in s ? { ...rest, [fileKey]: s.file } : { ...block, [urlKey]: s.url };
}

/**
 * `content` with each known `mxc://` swapped (`swap` undefined: left as it is), in an edit's
 * `m.new_content` too. Returns `content` itself when nothing changed.
 */
async function rewrite(content: Json, swap: Swap): Promise<Json> {
  let out = (await swapIn(content, 'url', 'file', swap)) ?? content;
  const set = (key: string, value: Json | undefined) => {
    if (value === undefined) return;
    if (out === content) out = { ...content };
    out[key] = value;
  };
  const info = obj(content.info);
  if (info) set('info', await swapIn(info, 'thumbnail_url', 'thumbnail_file', swap));
  // Element's voice messages: `org.matrix.msc1767.file: { file, name, mimetype, size }`, no url.
  const block = obj(content['org.matrix.msc1767.file']);
  if (block) set('org.matrix.msc1767.file', await swapIn(block, 'url', 'file', swap));
  const edit = obj(content['m.new_content']);
  if (edit) {
    const next = await rewrite(edit, swap);
    set('m.new_content', next === edit ? undefined : next);
  }
  return out;
}

export interface EncryptedUploads {
  /** Uploads `bytes` as ciphertext; the `mxc://` to name in the contents, as for a plain upload. */
  upload(matrix: MatrixPort, userId: string, bytes: Uint8Array, options: UploadOptions): Promise<string>;
  /** Contents for an encrypted room: every encrypted upload they name carries its `EncryptedFile`. */
  forEncryptedRoom(content: Json): Promise<Json>;
  /** Contents for a plain room: every encrypted upload they name uploaded in the clear instead. */
  forPlainRoom(matrix: MatrixPort, userId: string, content: Json): Promise<Json>;
}

export function createEncryptedUploads(): EncryptedUploads {
  const uploads = new Map<string, Upload>();
  return {
    async upload(matrix, userId, bytes, options) {
      const sealed = await encryptAttachment(bytes);
      // As Element uploads it: no file name, no type (both would tell the server what it is).
      const mxc = await matrix.uploadMedia(userId, sealed.data, { contentType: 'application/octet-stream' });
      uploads.set(mxc, {
        file: sealed.file(mxc),
        contentType: options.contentType,
        filename: options.filename,
      });
      if (uploads.size > KEEP) uploads.delete(uploads.keys().next().value!);
      return mxc;
    },
    forEncryptedRoom: (content) =>
      uploads.size === 0
        ? Promise.resolve(content)
        : rewrite(content, (mxc) => {
            const u = uploads.get(mxc);
            return Promise.resolve(u && { file: u.file });
          }),
    forPlainRoom: (matrix, userId, content) =>
      uploads.size === 0
        ? Promise.resolve(content)
        : rewrite(content, async (mxc) => {
            const u = uploads.get(mxc);
            if (!u) return undefined;
            if (!u.plainMxc) {
              const plain = await decryptAttachment((await matrix.downloadMedia(userId, mxc)).bytes, u.file);
              u.plainMxc = await matrix.uploadMedia(userId, plain, {
                contentType: u.contentType,
                ...(u.filename ? { filename: u.filename } : {}),
              });
            }
            return { url: u.plainMxc };
          }),
  };
}
