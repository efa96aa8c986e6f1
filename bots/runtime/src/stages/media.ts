/**
 * Files as input: which kind a message carries (image, audio, a voice note, a file, a video) and
 * what the bot is handed to read it (authenticated download). A bot declares what it takes; for
 * anything else it answers "I only understand text" instead of staying silent.
 */
import type { IncomingMedia, MediaKind } from '../bot.ts';
import { pick } from '@mana/i18n';
import { decryptAttachment, encryptedFileSchema } from '../crypto/attachments.ts';
import type { MatrixPort } from '../matrix.ts';
import type { MatrixEvent } from '../state.ts';
import { TEXTS } from '../texts.ts';
import { obj, threadRootOf } from './addressing.ts';
import type { HostedBot } from './hosted.ts';
import type { Job } from './pipeline.ts';

const KIND_OF: Readonly<Record<string, MediaKind>> = {
  'm.image': 'image',
  'm.audio': 'audio',
  'm.file': 'file',
  'm.video': 'video',
};

export function isMediaMessage(content: Record<string, unknown>): boolean {
  return typeof content.msgtype === 'string' && content.msgtype in KIND_OF;
}

/**
 * The file a message carries, or undefined when it has no usable `url` or `file`. An encrypted
 * room's attachment (`file`, an `EncryptedFile`) is decrypted by `download()`, its hash checked first.
 */
export function incomingMedia(
  content: Record<string, unknown>,
  download: (mxc: string) => Promise<{ bytes: Uint8Array; contentType: string }>,
): IncomingMedia | undefined {
  const base = typeof content.msgtype === 'string' ? KIND_OF[content.msgtype] : undefined;
  const encrypted = 'file' in content ? encryptedFileSchema.safeParse(content.file) : undefined;
  if (encrypted && !encrypted.success) return undefined;
  const file = encrypted?.data;
  const mxc = file ? file.url : content.url;
  if (!base || typeof mxc !== 'string' || !mxc.startsWith('mxc://')) return undefined;
  const voice =
    base === 'audio' && ('org.matrix.msc3245.voice' in content || 'org.matrix.msc3245.voice.v2' in content);
  const info = obj(content.info);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    kind: voice ? 'voice' : base,
    mxc,
    body: str(content.body) ?? '',
    filename: str(content.filename) ?? str(content.body),
    mimetype: str(info?.mimetype),
    size: num(info?.size),
    durationMs: num(info?.duration),
    download: file
      ? async () => ({
          bytes: await decryptAttachment((await download(mxc)).bytes, file),
          // The server only saw ciphertext (application/octet-stream); the type is in the event.
          contentType: str(info?.mimetype) ?? 'application/octet-stream',
        })
      : () => download(mxc),
  };
}

export function downloaderFor(matrix: MatrixPort, botUserId: string) {
  return (mxc: string) => matrix.downloadMedia(botUserId, mxc);
}

/** The pipeline's job for a file in a DM: the bot's media handler, or "I only understand text". */
export function mediaJob(bot: HostedBot, event: MatrixEvent, matrix: MatrixPort): Job {
  const media = incomingMedia(event.content, downloaderFor(matrix, bot.info.userId));
  const takes = media && bot.def.media?.accepts.includes(media.kind) ? bot.def.media : undefined;
  const root = threadRootOf(event.content);
  return {
    bot,
    event,
    addressed: { text: '', ...(root ? { threadRoot: root } : {}) },
    isDirect: true,
    label: media ? `media:${media.kind}` : 'media',
    ...(takes && media
      ? {
          work: (ctx) => takes.handle(ctx, media),
          operation: (ctx) => (typeof takes.cost === 'function' ? takes.cost(ctx, media) : takes.cost),
          prefetch: true,
        }
      : { immediate: (lang) => ({ reply: { text: pick(lang, TEXTS.textOnly) }, outcome: 'usage' }) }),
  };
}
