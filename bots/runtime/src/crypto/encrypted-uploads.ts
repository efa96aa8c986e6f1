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

/**
 * `content` with each known `mxc://` replaced: `seal` gives the `EncryptedFile` of an encrypted
 * upload (or undefined: left as it is), `plain` a plain `mxc://` for it. Edits (`m.new_content`)
 * likewise. Returns `content` itself when nothing changed.
 */
async function rewrite(
  content: Json,
  swap: (mxc: string) => Promise<{ file: EncryptedFile } | { url: string } | undefined>,
): Promise<Json> {
  let out = content;
  const set = (key: string, value: unknown, drop?: string) => {
    if (out === content) out = { ...content };
    if (drop) delete out[drop];
    out[key] = value;
  };
  if (typeof content.url === 'string') {
    const s = await swap(content.url);
    if (s && 'file' in s) set('file', s.file, 'url');
    else if (s) set('url', s.url);
  }
  const info = obj(content.info);
  if (info && typeof info.thumbnail_url === 'string') {
    const s = await swap(info.thumbnail_url);
    const { thumbnail_url: _, ...rest } = info;
    if (s && 'file' in s) set('info', { ...rest, thumbnail_file: s.file });
    else if (s) set('info', { ...info, thumbnail_url: s.url });
  }
  // Element's voice messages: `org.matrix.msc1767.file: { file, name, mimetype, size }`, no url.
  const block = obj(content['org.matrix.msc1767.file']);
  if (block && typeof block.url === 'string') {
    const s = await swap(block.url);
    const { url: _, ...rest } = block;
    if (s && 'file' in s) set('org.matrix.msc1767.file', { ...rest, file: s.file });
    else if (s) set('org.matrix.msc1767.file', { ...block, url: s.url });
  }
  const edit = obj(content['m.new_content']);
  if (edit) {
    const next = await rewrite(edit, swap);
    if (next !== edit) set('m.new_content', next);
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
