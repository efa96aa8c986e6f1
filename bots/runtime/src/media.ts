/**
 * Message contents for files a bot sends (after `MatrixPort.uploadMedia`): voice messages (`m.audio`
 * with the MSC1767 / MSC3245 fields Element shows as a voice note), images and plain files.
 */

export interface MediaRef {
  /** `mxc://` URI from `uploadMedia`. */
  mxc: string;
  mimetype: string;
  /** Bytes. */
  size: number;
}

export interface AudioOptions extends MediaRef {
  /** Milliseconds. */
  durationMs: number;
  /** Amplitudes, any length; scaled into Element's 0…1024 integers (see `normalizeWaveform`). */
  waveform?: readonly number[];
  /** The text shown by clients that render no audio (also `org.matrix.msc1767.text`). */
  body?: string;
  filename?: string;
  /** A voice message (MSC3245: recorded speech, shown as a voice note); default true. */
  voice?: boolean;
}

/** Element draws at most this many bars; longer waveforms are averaged down. */
const WAVEFORM_POINTS = 100;
const WAVEFORM_MAX = 1024;

/**
 * Scales amplitudes (any non-negative range) to integers 0…1024, at most 100 points (averaged
 * buckets), the loudest point at 1024.
 */
export function normalizeWaveform(samples: readonly number[], points = WAVEFORM_POINTS): number[] {
  const abs = samples.map((s) => (Number.isFinite(s) ? Math.abs(s) : 0));
  let buckets = abs;
  if (abs.length > points) {
    buckets = [];
    for (let i = 0; i < points; i++) {
      const from = Math.floor((i * abs.length) / points);
      const to = Math.max(from + 1, Math.floor(((i + 1) * abs.length) / points));
      let sum = 0;
      for (let j = from; j < to; j++) sum += abs[j] ?? 0;
      buckets.push(sum / (to - from));
    }
  }
  const peak = Math.max(0, ...buckets);
  return buckets.map((v) => (peak === 0 ? 0 : Math.round((v / peak) * WAVEFORM_MAX)));
}

/**
 * An `m.audio` message; by default a voice message (`org.matrix.msc3245.voice`) with duration and
 * waveform, which Element shows as a playable voice note.
 *
 * @example
 * const mxc = await matrix.uploadMedia(botId, ogg, { contentType: 'audio/ogg', filename: 'reply.ogg', roomId });
 * await matrix.send(botId, roomId, 'm.room.message',
 *   audioContent({ mxc, mimetype: 'audio/ogg', size: ogg.byteLength, durationMs: 2300, waveform }));
 */
export function audioContent(options: AudioOptions): Record<string, unknown> {
  const body = options.body ?? 'Voice message';
  const duration = Math.max(0, Math.round(options.durationMs));
  const waveform = normalizeWaveform(options.waveform ?? []);
  const name = options.filename ?? body;
  return {
    msgtype: 'm.audio',
    body,
    ...(options.filename ? { filename: options.filename } : {}),
    url: options.mxc,
    info: { mimetype: options.mimetype, size: options.size, duration },
    'org.matrix.msc1767.text': body,
    'org.matrix.msc1767.file': {
      url: options.mxc,
      name,
      mimetype: options.mimetype,
      size: options.size,
    },
    'org.matrix.msc1767.audio': { duration, waveform },
    ...(options.voice === false ? {} : { 'org.matrix.msc3245.voice': {} }),
  };
}

export interface ImageOptions extends MediaRef {
  /** Pixels. */
  width: number;
  height: number;
  /** Alt text / file name shown by clients that render no images. */
  body: string;
  filename?: string;
}

/** An `m.image` message. */
export function imageContent(options: ImageOptions): Record<string, unknown> {
  return {
    msgtype: 'm.image',
    body: options.body,
    ...(options.filename ? { filename: options.filename } : {}),
    url: options.mxc,
    info: { mimetype: options.mimetype, size: options.size, w: options.width, h: options.height },
  };
}

export interface FileOptions extends MediaRef {
  /** The file name shown. */
  filename: string;
  /** A caption; default the file name. */
  body?: string;
}

/** An `m.file` message (a download). */
export function fileContent(options: FileOptions): Record<string, unknown> {
  return {
    msgtype: 'm.file',
    body: options.body ?? options.filename,
    filename: options.filename,
    url: options.mxc,
    info: { mimetype: options.mimetype, size: options.size },
  };
}
