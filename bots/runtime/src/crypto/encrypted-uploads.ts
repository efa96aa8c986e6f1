/**
 * Files a bot sends into encrypted rooms, without the bot knowing: `MatrixPort.uploadMedia` uploads
 * AES-CTR ciphertext when the file is for an encrypted room (every upload names its room), and
 * `send` then puts the `EncryptedFile` where the contents name the `mxc://` (`url` → `file`,
 * `info.thumbnail_url` → `info.thumbnail_file`, the MSC1767 file block as Element writes it).
 */
import type { MatrixPort, UploadOptions } from '../matrix.ts';
import { encryptAttachment, type EncryptedFile } from './attachments.ts';

/** Keys of recent encrypted uploads kept (a key is ~200 bytes); older ones are sent as uploaded. */
const KEEP = 1000;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

type Swap = (mxc: string) => EncryptedFile | undefined;

/** `block` with its `urlKey` swapped for the `EncryptedFile` under `fileKey` (no url). */
function swapIn(block: Json, urlKey: string, fileKey: string, swap: Swap): Json | undefined {
  const mxc = block[urlKey];
  const file = typeof mxc === 'string' ? swap(mxc) : undefined;
  if (!file) return undefined;
  const { [urlKey]: _, ...rest } = block;
  return { ...rest, [fileKey]: file };
}

/**
 * `content` with each known `mxc://` swapped (`swap` undefined: left as it is), in an edit's
 * `m.new_content` too. Returns `content` itself when nothing changed.
 */
function rewrite(content: Json, swap: Swap): Json {
  let out = swapIn(content, 'url', 'file', swap) ?? content;
  const set = (key: string, value: Json | undefined) => {
    if (value === undefined) return;
    if (out === content) out = { ...content };
    out[key] = value;
  };
  const info = obj(content.info);
  if (info) set('info', swapIn(info, 'thumbnail_url', 'thumbnail_file', swap));
  // Element's voice messages: `org.matrix.msc1767.file: { file, name, mimetype, size }`, no url.
  const block = obj(content['org.matrix.msc1767.file']);
  if (block) set('org.matrix.msc1767.file', swapIn(block, 'url', 'file', swap));
  const edit = obj(content['m.new_content']);
  if (edit) {
    const next = rewrite(edit, swap);
    set('m.new_content', next === edit ? undefined : next);
  }
  return out;
}

export interface EncryptedUploads {
  /** Uploads `bytes` as ciphertext; the `mxc://` to name in the contents, as for a plain upload. */
  upload(matrix: MatrixPort, userId: string, bytes: Uint8Array, options: UploadOptions): Promise<string>;
  /** Contents for an encrypted room: every encrypted upload they name carries its `EncryptedFile`. */
  forEncryptedRoom(content: Json): Json;
}

export function createEncryptedUploads(): EncryptedUploads {
  const uploads = new Map<string, EncryptedFile>();
  return {
    async upload(matrix, userId, bytes, options) {
      const sealed = await encryptAttachment(bytes);
      // As Element uploads it: no file name, no type (both would tell the server what it is).
      const mxc = await matrix.uploadMedia(userId, sealed.data, {
        contentType: 'application/octet-stream',
        roomId: options.roomId,
      });
      uploads.set(mxc, sealed.file(mxc));
      if (uploads.size > KEEP) uploads.delete(uploads.keys().next().value!);
      return mxc;
    },
    forEncryptedRoom: (content) =>
      uploads.size === 0 ? content : rewrite(content, (mxc) => uploads.get(mxc)),
  };
}
