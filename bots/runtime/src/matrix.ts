/**
 * The Matrix side of the runtime on matrix-bot-sdk: one `Appservice` (its intents impersonate the
 * bot users with the as_token); every call goes through `withRetry`.
 */
import type { Logger } from '@mana/logging';
import {
  Appservice,
  LogLevel,
  LogService,
  MemoryStorageProvider,
  type IAppserviceRegistration,
  type MatrixClient,
} from 'matrix-bot-sdk';
import { createHash } from 'node:crypto';
import type { RoomEvent } from './bot.ts';
import { MediaTooLargeError } from './errors.ts';
import { withRetry } from './retry.ts';

export interface BotProfile {
  displayName: string;
  avatarUrl?: string;
}

/** What the runtime needs from Matrix, per bot user. */
export interface MatrixPort {
  /** Registers the bot user if needed and sets its profile. */
  ensureBotUser(userId: string, profile: BotProfile): Promise<void>;
  join(userId: string, roomId: string): Promise<void>;
  /** Sends an event; `txnKey` makes retries (and re-runs after a crash) idempotent at Synapse. */
  send(
    userId: string,
    roomId: string,
    type: string,
    content: Record<string, unknown>,
    txnKey?: string,
  ): Promise<string>;
  typing(userId: string, roomId: string, typing: boolean): Promise<void>;
  joinedMembers(userId: string, roomId: string): Promise<string[]>;
  /**
   * Uploads a file as the bot user and returns its `mxc://` URI. Throws `MediaTooLargeError` (before
   * sending anything) when `bytes` exceed the server's `m.upload.size`.
   */
  uploadMedia(userId: string, bytes: Uint8Array, options: UploadOptions): Promise<string>;
  /** Downloads a file through authenticated media (`/_matrix/client/v1/media/download`). */
  downloadMedia(userId: string, mxc: string): Promise<DownloadedMedia>;
  /** The room's `m.room.topic` (plain text), undefined when it has none. */
  getRoomTopic(userId: string, roomId: string): Promise<string | undefined>;
  /** The room id of an alias (`#ops:example.org`); undefined when the alias is unknown. */
  resolveAlias(userId: string, alias: string): Promise<string | undefined>;
  setRoomTopic(userId: string, roomId: string, topic: string): Promise<void>;
  /** Adds an event to the room's `m.room.pinned_events` (a no-op when it is pinned already). */
  pinEvent(userId: string, roomId: string, eventId: string): Promise<void>;
  unpinEvent(userId: string, roomId: string, eventId: string): Promise<void>;
  redact(userId: string, roomId: string, eventId: string, reason?: string): Promise<void>;
  /** An event of the room (`/rooms/{room}/event/{id}`); undefined when Synapse does not know it. */
  getEvent(userId: string, roomId: string, eventId: string): Promise<RoomEvent | undefined>;
}

export interface UploadOptions {
  contentType: string;
  filename?: string;
  /**
   * The room the file is for: with E2EE, a file for an encrypted room is uploaded encrypted
   * (`crypto/encrypted-uploads.ts`), one for a plain room in the clear. Every upload names it, so
   * a file is uploaded once, in the form its room needs.
   */
  roomId: string;
}

export interface DownloadedMedia {
  bytes: Uint8Array;
  contentType: string;
}

/** A Matrix request that failed, shaped for `classifyMatrixError` (status, errcode, retry delay). */
export class MatrixRequestError extends Error {
  readonly statusCode: number;
  readonly errcode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly body: unknown;
  constructor(what: string, statusCode: number, body: unknown) {
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const errcode = typeof b.errcode === 'string' ? b.errcode : undefined;
    super(
      `${what}: HTTP ${statusCode}${errcode ? ` ${errcode}` : ''}${typeof b.error === 'string' ? `: ${b.error}` : ''}`,
    );
    this.name = 'MatrixRequestError';
    this.statusCode = statusCode;
    this.errcode = errcode;
    this.retryAfterMs = typeof b.retry_after_ms === 'number' ? b.retry_after_ms : undefined;
    this.body = body;
  }
}

/** `mxc://server/mediaId` → its parts; throws on anything else. */
export function parseMxc(mxc: string): { serverName: string; mediaId: string } {
  const m = /^mxc:\/\/([^/?#]+)\/([A-Za-z0-9_-]+)$/.exec(mxc);
  if (!m?.[1] || !m[2]) throw new Error(`not an mxc URI: ${mxc}`);
  return { serverName: m[1], mediaId: m[2] };
}

/** How long the server's media config (`m.upload.size`) is trusted before it is read again. */
const MEDIA_CONFIG_TTL_MS = 10 * 60_000;

export interface AppserviceOptions {
  homeserverUrl: string;
  serverName: string;
  registration: {
    id: string;
    asToken: string;
    hsToken: string;
    senderLocalpart: string;
    userRegex: string;
  };
  logger: Logger;
  retryMaxMs: number;
  /** For the media endpoints (raw bodies); default the global `fetch`. */
  fetch?: typeof fetch;
}

/** matrix-bot-sdk logs through its own LogService; send it to pino, warnings and up only. */
function routeSdkLogs(logger: Logger): void {
  const log = logger.child({ component: 'matrix-bot-sdk' });
  const fmt = (module: string, args: unknown[]) => ({
    module,
    detail: args.map((a) => (a instanceof Error ? a.message : a)),
  });
  LogService.setLogger({
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (module: string, ...args: unknown[]) => log.warn(fmt(module, args), 'sdk warning'),
    error: (module: string, ...args: unknown[]) => log.warn(fmt(module, args), 'sdk error'),
  });
  LogService.setLevel(LogLevel.WARN);
  LogService.muteModule('Metrics');
}

export function createAppservicePort(options: AppserviceOptions): {
  port: MatrixPort;
  appservice: Appservice;
} {
  routeSdkLogs(options.logger);
  const r = options.registration;
  const registration: IAppserviceRegistration = {
    id: r.id,
    as_token: r.asToken,
    hs_token: r.hsToken,
    sender_localpart: r.senderLocalpart,
    namespaces: { users: [{ exclusive: true, regex: r.userRegex }], rooms: [], aliases: [] },
  };
  // The runner serves the appservice HTTP API itself (Hono, see appservice-http.ts); this instance
  // is never `begin()`-ed and is used for its intents only.
  const appservice = new Appservice({
    homeserverName: options.serverName,
    homeserverUrl: options.homeserverUrl,
    port: 0,
    bindAddress: '127.0.0.1',
    registration,
    storage: new MemoryStorageProvider(),
  });
  const log = options.logger.child({ component: 'matrix' });
  const retry = <T>(what: string, fn: () => Promise<T>) =>
    withRetry(fn, {
      maxElapsedMs: options.retryMaxMs,
      onRetry: ({ attempt, delayMs, reason }) =>
        log.warn({ what, attempt, delayMs, reason }, 'matrix call failed, retrying'),
    });
  const client = (userId: string): MatrixClient => appservice.getIntentForUserId(userId).underlyingClient;
  const enc = encodeURIComponent;
  const doFetch = options.fetch ?? fetch;
  const base = options.homeserverUrl.replace(/\/+$/, '');

  /** A request as `userId` (appservice identity assertion), raw body in, `Response` out; non-2xx throws. */
  async function raw(
    what: string,
    userId: string,
    method: string,
    path: string,
    init: { query?: Record<string, string>; body?: Uint8Array; contentType?: string } = {},
  ): Promise<Response> {
    const qs = new URLSearchParams({ ...init.query, user_id: userId });
    const res = await doFetch(`${base}${path}?${qs.toString()}`, {
      method,
      headers: {
        authorization: `Bearer ${r.asToken}`,
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
      },
      // A copy: fetch wants an ArrayBuffer-backed view, a Buffer may sit on a shared pool.
      ...(init.body ? { body: new Uint8Array(init.body) } : {}),
    });
    if (!res.ok) {
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      throw new MatrixRequestError(what, res.status, body);
    }
    return res;
  }

  let mediaConfig: { maxBytes: number | undefined; at: number } | undefined;
  async function maxUploadBytes(userId: string): Promise<number | undefined> {
    if (mediaConfig && Date.now() - mediaConfig.at < MEDIA_CONFIG_TTL_MS) return mediaConfig.maxBytes;
    const res = await retry('media config', () =>
      raw('media config', userId, 'GET', '/_matrix/client/v1/media/config'),
    );
    const body: unknown = await res.json();
    const size =
      typeof body === 'object' && body !== null && 'm.upload.size' in body
        ? body['m.upload.size']
        : undefined;
    mediaConfig = { maxBytes: typeof size === 'number' ? size : undefined, at: Date.now() };
    return mediaConfig.maxBytes;
  }

  const stateEvent = async (userId: string, roomId: string, type: string): Promise<unknown> => {
    try {
      return await retry('state', () => client(userId).getRoomStateEvent(roomId, type, ''));
    } catch (err) {
      const errcode = typeof err === 'object' && err !== null && 'errcode' in err ? err.errcode : undefined;
      if (errcode === 'M_NOT_FOUND') return undefined;
      throw err;
    }
  };
  const setPinned = async (userId: string, roomId: string, change: (pinned: string[]) => string[]) => {
    const current = await stateEvent(userId, roomId, 'm.room.pinned_events');
    const list =
      typeof current === 'object' && current !== null && 'pinned' in current && Array.isArray(current.pinned)
        ? current.pinned.filter((e): e is string => typeof e === 'string')
        : [];
    const next = change(list);
    if (next.length === list.length && next.every((e, i) => e === list[i])) return;
    await retry('pin', () =>
      client(userId).sendStateEvent(roomId, 'm.room.pinned_events', '', { pinned: next }),
    );
  };

  const port: MatrixPort = {
    async ensureBotUser(userId, profile) {
      const localpart = userId.slice(1).split(':')[0] ?? '';
      const c = client(userId);
      await retry('register', async () => {
        try {
          await c.doRequest('POST', '/_matrix/client/v3/register', null, {
            type: 'm.login.application_service',
            username: localpart,
            inhibit_login: true,
          });
        } catch (err) {
          const errcode =
            typeof err === 'object' && err !== null && 'errcode' in err ? err.errcode : undefined;
          // Already registered (or the appservice's own sender user, which always exists).
          if (errcode !== 'M_USER_IN_USE' && errcode !== 'M_EXCLUSIVE') throw err;
        }
      });
      const current: unknown = await retry('profile', () => c.getUserProfile(userId)).catch(() => ({}));
      const displayName =
        typeof current === 'object' && current !== null && 'displayname' in current
          ? current.displayname
          : undefined;
      if (displayName !== profile.displayName)
        await retry('displayname', () => c.setDisplayName(profile.displayName));
      const avatar =
        typeof current === 'object' && current !== null && 'avatar_url' in current
          ? current.avatar_url
          : undefined;
      if (profile.avatarUrl && avatar !== profile.avatarUrl) {
        const url = profile.avatarUrl;
        await retry('avatar', () => c.setAvatarUrl(url));
      }
    },
    async join(userId, roomId) {
      await retry('join', () => client(userId).joinRoom(roomId));
    },
    async send(userId, roomId, type, content, txnKey) {
      const txnId = txnKey
        ? `mana.${createHash('sha256').update(`${userId}|${txnKey}`).digest('base64url').slice(0, 32)}`
        : `mana.${Date.now()}.${Math.random().toString(36).slice(2)}`;
      const res: unknown = await retry('send', () =>
        client(userId).doRequest(
          'PUT',
          `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txnId)}`,
          null,
          content,
        ),
      );
      const eventId = typeof res === 'object' && res !== null && 'event_id' in res ? res.event_id : undefined;
      if (typeof eventId !== 'string') throw new Error('send: no event_id in response');
      return eventId;
    },
    async typing(userId, roomId, typing) {
      // Typing notices are best effort: never retried for long, never fatal.
      await client(userId)
        .setTyping(roomId, typing, 30_000)
        .catch((err: unknown) => log.debug({ err, roomId }, 'typing notice failed'));
    },
    async joinedMembers(userId, roomId) {
      return retry('members', () => client(userId).getJoinedRoomMembers(roomId));
    },
    async uploadMedia(userId, bytes, upload) {
      const limit = await maxUploadBytes(userId);
      if (limit !== undefined && bytes.byteLength > limit)
        throw new MediaTooLargeError(bytes.byteLength, limit);
      try {
        const res = await retry('upload', () =>
          raw('upload', userId, 'POST', '/_matrix/media/v3/upload', {
            ...(upload.filename ? { query: { filename: upload.filename } } : {}),
            body: bytes,
            contentType: upload.contentType,
          }),
        );
        const body: unknown = await res.json();
        const uri =
          typeof body === 'object' && body !== null && 'content_uri' in body ? body.content_uri : undefined;
        if (typeof uri !== 'string') throw new Error('upload: no content_uri in response');
        return uri;
      } catch (err) {
        // The limit may have shrunk since it was read.
        if (err instanceof MatrixRequestError && (err.statusCode === 413 || err.errcode === 'M_TOO_LARGE')) {
          mediaConfig = undefined;
          throw new MediaTooLargeError(bytes.byteLength, limit, { cause: err });
        }
        throw err;
      }
    },
    async downloadMedia(userId, mxc) {
      const { serverName, mediaId } = parseMxc(mxc);
      const res = await retry('download', () =>
        raw(
          'download',
          userId,
          'GET',
          `/_matrix/client/v1/media/download/${enc(serverName)}/${enc(mediaId)}`,
        ),
      );
      return {
        bytes: new Uint8Array(await res.arrayBuffer()),
        contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      };
    },
    async resolveAlias(userId, alias) {
      try {
        const res: unknown = await retry('alias', () =>
          client(userId).doRequest('GET', `/_matrix/client/v3/directory/room/${enc(alias)}`),
        );
        return typeof res === 'object' && res !== null && 'room_id' in res && typeof res.room_id === 'string'
          ? res.room_id
          : undefined;
      } catch (err) {
        if (err instanceof MatrixRequestError && err.statusCode === 404) return undefined;
        throw err;
      }
    },
    async getRoomTopic(userId, roomId) {
      const content = await stateEvent(userId, roomId, 'm.room.topic');
      return typeof content === 'object' &&
        content !== null &&
        'topic' in content &&
        typeof content.topic === 'string'
        ? content.topic
        : undefined;
    },
    async setRoomTopic(userId, roomId, topic) {
      await retry('topic', () =>
        client(userId).sendStateEvent(roomId, 'm.room.topic', '', {
          topic,
          // The same topic as a text block (Matrix 1.15, MSC3765); clients that know it prefer it.
          'm.topic': { 'm.text': [{ mimetype: 'text/plain', body: topic }] },
        }),
      );
    },
    async pinEvent(userId, roomId, eventId) {
      await setPinned(userId, roomId, (pinned) => (pinned.includes(eventId) ? pinned : [...pinned, eventId]));
    },
    async unpinEvent(userId, roomId, eventId) {
      await setPinned(userId, roomId, (pinned) => pinned.filter((e) => e !== eventId));
    },
    async redact(userId, roomId, eventId, reason) {
      await retry('redact', () => client(userId).redactEvent(roomId, eventId, reason ?? null));
    },
    async getEvent(userId, roomId, eventId) {
      let ev: unknown;
      try {
        ev = await retry('event', () => client(userId).getEvent(roomId, eventId));
      } catch (err) {
        const errcode = typeof err === 'object' && err !== null && 'errcode' in err ? err.errcode : undefined;
        if (errcode === 'M_NOT_FOUND' || errcode === 'M_FORBIDDEN') return undefined;
        throw err;
      }
      const e = typeof ev === 'object' && ev !== null ? (ev as Record<string, unknown>) : {};
      const content = typeof e.content === 'object' && e.content !== null ? e.content : {};
      const sender = typeof e.sender === 'string' ? e.sender : '';
      const edited = latestEdit(e.unsigned, sender);
      return {
        eventId,
        type: typeof e.type === 'string' ? e.type : '',
        sender,
        content: content as Record<string, unknown>,
        ...(edited ? { edited } : {}),
        ...(typeof e.origin_server_ts === 'number' ? { originServerTs: e.origin_server_ts } : {}),
      };
    },
  };
  return { port, appservice };
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The newest edit's `m.new_content` from the server's bundled aggregation
 * (`unsigned["m.relations"]["m.replace"]`, the whole edit event in current Synapse, MSC3925);
 * an edit by anyone but the sender does not count.
 */
function latestEdit(unsigned: unknown, sender: string): Record<string, unknown> | undefined {
  const edit = record(record(record(unsigned)?.['m.relations'])?.['m.replace']);
  if (!edit || edit.sender !== sender) return undefined;
  return record(record(edit.content)?.['m.new_content']);
}
