/**
 * A fake Matrix port and a dispatcher wired to in-memory ports, for bots' unit tests.
 */
import { CREDITS_AUDIENCE } from '@mana/auth-client';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import type { BotDefinition, RoomEvent } from './bot.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { MediaTooLargeError } from './errors.ts';
import type { MatrixPort } from './matrix.ts';
import { createBotMetrics } from './metrics.ts';
import { memoryCredits, memoryIdentity, memoryKv, memoryScheduler, memoryStores } from './memory.ts';
import { settingsOnSync } from './settings.ts';
import type { MatrixEvent } from './state.ts';
import type { Decrypter } from './stages/encrypted.ts';
import type { SpeechToText } from './stages/voice.ts';

export interface SentEvent {
  userId: string;
  roomId: string;
  type: string;
  content: Record<string, unknown>;
  eventId: string;
}

export interface FakeMatrix extends MatrixPort {
  sent: SentEvent[];
  joins: string[];
  typingLog: { roomId: string; on: boolean }[];
  /** Uploaded files by mxc URI. */
  media: Map<string, { bytes: Uint8Array; contentType: string; filename?: string | undefined }>;
  /** Room state the bots set: `roomId|type` → content. */
  state: Map<string, Record<string, unknown>>;
  redactions: { roomId: string; eventId: string; reason?: string | undefined }[];
  /** Uploads above this many bytes are refused (`MediaTooLargeError`). */
  maxUploadBytes: number;
  /** Events people sent (the harness records what it dispatches), for `getEvent`. */
  events: Map<string, RoomEvent & { roomId: string }>;
  /** Room aliases `resolveAlias` knows: `#alias:server` → room id. */
  aliases: Map<string, string>;
}

export function fakeMatrix(members: Map<string, string[]>): FakeMatrix {
  let n = 0;
  const sent: SentEvent[] = [];
  const media: FakeMatrix['media'] = new Map();
  const state: FakeMatrix['state'] = new Map();
  const redactions: FakeMatrix['redactions'] = [];
  const pinned = (roomId: string): string[] => {
    const p = state.get(`${roomId}|m.room.pinned_events`)?.pinned;
    return Array.isArray(p) ? p.filter((e): e is string => typeof e === 'string') : [];
  };
  const joins: string[] = [];
  const typingLog: { roomId: string; on: boolean }[] = [];
  const txns = new Map<string, string>();
  const self: FakeMatrix = {
    sent,
    joins,
    media,
    state,
    redactions,
    maxUploadBytes: 50 * 1024 * 1024,
    events: new Map(),
    aliases: new Map(),
    /** Typing notices in the order sent. */
    typingLog,
    async ensureBotUser() {},
    async join(userId, roomId) {
      joins.push(`${userId}|${roomId}`);
      members.set(roomId, [...new Set([...(members.get(roomId) ?? []), userId])]);
    },
    async send(userId, roomId, type, content, txnKey) {
      // Like Synapse: the same transaction id gives the same event, sent once.
      const key = txnKey ? `${userId}|${txnKey}` : undefined;
      const seen = key ? txns.get(key) : undefined;
      if (seen) return seen;
      const eventId = `$sent${++n}`;
      if (key) txns.set(key, eventId);
      sent.push({ userId, roomId, type, content, eventId });
      return eventId;
    },
    async typing(_userId, roomId, on) {
      typingLog.push({ roomId, on });
    },
    async joinedMembers(_userId, roomId) {
      return members.get(roomId) ?? [];
    },
    async uploadMedia(_userId, bytes, options) {
      if (bytes.byteLength > self.maxUploadBytes)
        throw new MediaTooLargeError(bytes.byteLength, self.maxUploadBytes);
      const mxc = `mxc://mana.test/fake${++n}`;
      media.set(mxc, { bytes: bytes.slice(), contentType: options.contentType, filename: options.filename });
      return mxc;
    },
    async downloadMedia(_userId, mxc) {
      const m = media.get(mxc);
      if (!m) throw new Error(`no media ${mxc}`);
      return { bytes: m.bytes.slice(), contentType: m.contentType };
    },
    async resolveAlias(_userId, alias) {
      return self.aliases.get(alias);
    },
    async getRoomTopic(_userId, roomId) {
      const t = state.get(`${roomId}|m.room.topic`)?.topic;
      return typeof t === 'string' ? t : undefined;
    },
    async setRoomTopic(_userId, roomId, topic) {
      state.set(`${roomId}|m.room.topic`, { topic });
    },
    async pinEvent(_userId, roomId, eventId) {
      const p = pinned(roomId);
      if (!p.includes(eventId)) state.set(`${roomId}|m.room.pinned_events`, { pinned: [...p, eventId] });
    },
    async unpinEvent(_userId, roomId, eventId) {
      state.set(`${roomId}|m.room.pinned_events`, { pinned: pinned(roomId).filter((e) => e !== eventId) });
    },
    async redact(_userId, roomId, eventId, reason) {
      redactions.push({ roomId, eventId, reason });
    },
    async getEvent(_userId, roomId, eventId) {
      const known = self.events.get(eventId);
      if (known) return known.roomId === roomId ? known : undefined;
      const mine = sent.find((e) => e.eventId === eventId && e.roomId === roomId);
      if (!mine) return undefined;
      // Like Synapse's bundled aggregation: the newest edit by the same sender.
      const edit = sent.findLast((e) => {
        const rel = e.content['m.relates_to'] as { rel_type?: unknown; event_id?: unknown } | undefined;
        return e.userId === mine.userId && rel?.rel_type === 'm.replace' && rel.event_id === eventId;
      })?.content['m.new_content'];
      return {
        eventId,
        type: mine.type,
        sender: mine.userId,
        content: mine.content,
        ...(typeof edit === 'object' && edit !== null ? { edited: edit as Record<string, unknown> } : {}),
      };
    },
  };
  return self;
}

let eventCounter = 0;
export function textEvent(
  sender: string,
  roomId: string,
  body: string,
  extra: Record<string, unknown> = {},
): MatrixEvent {
  return {
    event_id: `$e${++eventCounter}-${Math.random().toString(36).slice(2, 8)}`,
    room_id: roomId,
    type: 'm.room.message',
    sender,
    content: { msgtype: 'm.text', body, ...extra },
  };
}

export interface TestHarness {
  dispatcher: Dispatcher;
  matrix: ReturnType<typeof fakeMatrix>;
  members: Map<string, string[]>;
  identity: ReturnType<typeof memoryIdentity>;
  credits: ReturnType<typeof memoryCredits>;
  stores: ReturnType<typeof memoryStores>;
  scheduler: ReturnType<typeof memoryScheduler>;
  kv: ReturnType<typeof memoryKv>;
  fired: Set<string>;
  /** Sends `body` from `sender` in `roomId`; returns the notices the bots sent in reply. */
  say(sender: string, roomId: string, body: string, extra?: Record<string, unknown>): Promise<SentEvent[]>;
  /** The plain bodies of `say`'s replies. */
  ask(sender: string, roomId: string, body: string): Promise<string[]>;
  /**
   * `sender` invites `bot` (a user id) into `roomId`, as a DM unless `isDirect` is false; returns
   * the plain bodies of what the bots sent (the greeting).
   */
  invite(sender: string, roomId: string, bot: string, isDirect?: boolean): Promise<string[]>;
}

export function createTestHarness(options: {
  bots: readonly BotDefinition[];
  linked?: string[];
  costs?: Record<string, number>;
  now?: () => Date;
  progressAfterMs?: number;
  typingAfterMs?: number;
  commandTimeoutMs?: number;
  /** The web app the replies link to (default `https://app.mana.test`). */
  webUrl?: string;
  /** Transcribes voice notes (default: none, voice input is off). */
  stt?: SpeechToText;
  /** Decrypts `m.room.encrypted` events (default: none, E2EE is off). */
  e2ee?: Decrypter;
  undecryptableWaitMs?: number;
}): TestHarness {
  const members = new Map<string, string[]>();
  const matrix = fakeMatrix(members);
  const identity = memoryIdentity(options.linked ?? []);
  const credits = memoryCredits(options.costs ?? {});
  const stores = memoryStores(identity);
  const scheduler = memoryScheduler();
  const kv = memoryKv();
  const fired = new Set<string>();
  const metrics = createBotMetrics(createMetrics({ service: 'bots-test', defaults: false }));
  const dispatcher = createDispatcher({
    bots: options.bots,
    serverName: 'mana.test',
    namespace: /^@(mana|todo|clock):mana\.test$/,
    matrix,
    kv,
    identity,
    stores,
    credits,
    settings: settingsOnSync(stores, { defaultTimezone: 'Europe/Berlin' }),
    accounts: {
      describe: async (u) => (await identity.tokenFor(u, 'x'), { username: u.slice(1).split(':')[0] ?? '' }),
    },
    scheduler,
    claims: {
      // One process, jobs run in turn: a claim is done or free, never held by another runner.
      claim: async (id) => (fired.has(id) ? 'done' : (fired.add(id), { token: id })),
      renew: async () => true,
      finish: async () => undefined,
      release: async (id) => void fired.delete(id),
      renewEveryMs: 5000,
    },
    metrics,
    log: createLogger({ service: 'bots-test', level: 'silent' }),
    defaultLanguage: 'de',
    defaultTimezone: 'Europe/Berlin',
    webUrl: options.webUrl ?? 'https://app.mana.test',
    inviteAllowList: [],
    progressAfterMs: options.progressAfterMs ?? 0,
    ...(options.typingAfterMs === undefined ? {} : { typingAfterMs: options.typingAfterMs }),
    commandTimeoutMs: options.commandTimeoutMs ?? 5_000,
    maxMessageBytes: 8192,
    creditsAudience: CREDITS_AUDIENCE,
    ...(options.now ? { now: options.now } : {}),
    ...(options.stt ? { stt: options.stt } : {}),
    ...(options.e2ee ? { e2ee: options.e2ee } : {}),
    ...(options.undecryptableWaitMs === undefined
      ? {}
      : { undecryptableWaitMs: options.undecryptableWaitMs }),
  });
  const say = async (sender: string, roomId: string, body: string, extra?: Record<string, unknown>) => {
    const before = matrix.sent.length;
    const event = textEvent(sender, roomId, body, extra);
    matrix.events.set(event.event_id, { ...event, eventId: event.event_id, roomId });
    await dispatcher.handle(event);
    return matrix.sent.slice(before);
  };
  return {
    dispatcher,
    matrix,
    members,
    identity,
    credits,
    stores,
    scheduler,
    kv,
    fired,
    say,
    async ask(sender, roomId, body) {
      return (await say(sender, roomId, body))
        .filter((e) => e.type === 'm.room.message')
        .map((e) => String(e.content.body));
    },
    async invite(sender, roomId, bot, isDirect = true) {
      if (!members.has(roomId)) members.set(roomId, [sender]);
      const before = matrix.sent.length;
      await dispatcher.handle({
        event_id: `$invite${++eventCounter}`,
        room_id: roomId,
        type: 'm.room.member',
        sender,
        state_key: bot,
        content: { membership: 'invite', ...(isDirect ? { is_direct: true } : {}) },
      });
      return matrix.sent
        .slice(before)
        .filter((e) => e.type === 'm.room.message')
        .map((e) => String(e.content.body));
    },
  };
}
