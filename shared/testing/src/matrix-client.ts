/**
 * A Matrix client for tests, the way a person in Element talks to the homeserver: matrix-js-sdk,
 * syncing, no crypto. Every timeline event it sees is kept in a small buffer, so `waitForEvent`
 * also finds an event that arrived just before the call (a reply can beat the test to its await).
 *
 * @example
 * const alice = await createTestClient({ baseUrl: synapse.baseUrl, ...await synapse.registerUser({ username: 'alice' }) });
 * const roomId = await alice.createDm(bob.userId);
 * await alice.sendText(roomId, 'hello');
 * const reply = await alice.waitForEvent((e) => e.getSender() === bob.userId, { timeoutMs: 5_000 });
 * await alice.stop();
 */
import {
  ClientEvent,
  createClient,
  KnownMembership,
  Preset,
  RoomEvent,
  SyncState,
  type MatrixClient,
  type MatrixEvent,
  type Room,
} from 'matrix-js-sdk';
import { logger as globalSdkLogger, type Logger } from 'matrix-js-sdk/lib/logger.js';

export interface TestClientOptions {
  baseUrl: string;
  userId: string;
  accessToken: string;
  deviceId?: string;
  /** How many recent timeline events `waitForEvent` can look back on. Default 200. */
  bufferSize?: number;
  /** How long to wait for the first sync. Default 30 s. */
  syncTimeoutMs?: number;
  /** Where matrix-js-sdk logs go. Default: nowhere (it is chatty at info level). */
  logger?: Logger;
}

export interface WaitOptions {
  /** Default 10 s. */
  timeoutMs?: number;
}

export interface Invite {
  roomId: string;
  /** Who sent the invite, when the invite event is known. */
  inviter: string | undefined;
}

export interface TestClient {
  userId: string;
  /** The underlying client, for what the helpers do not cover. */
  client: MatrixClient;
  /** Creates a DM the way Element does (`is_direct`, trusted private chat) and invites `otherUserId`. */
  createDm(otherUserId: string): Promise<string>;
  joinRoom(roomId: string): Promise<void>;
  /** Sends an `m.text` message; resolves with the event id. */
  sendText(roomId: string, body: string): Promise<string>;
  /** The first timeline event (buffered or future) matching `predicate`. */
  waitForEvent(predicate: (event: MatrixEvent) => boolean, options?: WaitOptions): Promise<MatrixEvent>;
  /** The first pending invite to this user (already there or future), optionally from one user. */
  waitForInvite(options?: WaitOptions & { from?: string }): Promise<Invite>;
  /**
   * Stops syncing and drops all listeners. matrix-js-sdk leaves one un-cleared timer per /sync
   * request (long-poll + 80 s), so a script, unlike a test runner, should `process.exit()` when done.
   */
  stop(): Promise<void>;
}

const DEFAULT_WAIT_MS = 10_000;
const INVITE: string = KnownMembership.Invite;

/** A matrix-js-sdk logger that drops everything (for `createClient({ logger })`). */
export const silentLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  getChild: () => silentLogger,
};

/**
 * Some parts of matrix-js-sdk (sync, MatrixRTC) log through its global loglevel logger whatever
 * client they serve. Its child loggers pin their own level, so lowering the root's level does not
 * reach them; instead we replace loglevel's `methodFactory`, which children copy when created.
 * This silences matrix-js-sdk for the whole test process, which is what a test run wants.
 */
export function silenceGlobalSdkLogger(): void {
  if (isLoglevelLogger(globalSdkLogger)) {
    globalSdkLogger.methodFactory = () => () => {};
    globalSdkLogger.rebuild();
  }
}

interface LoglevelLogger {
  methodFactory: unknown;
  rebuild(): void;
}

function isLoglevelLogger(logger: object): logger is LoglevelLogger {
  return 'methodFactory' in logger && 'rebuild' in logger && typeof logger.rebuild === 'function';
}

export async function createTestClient(options: TestClientOptions): Promise<TestClient> {
  silenceGlobalSdkLogger();
  const client = createClient({
    baseUrl: options.baseUrl,
    userId: options.userId,
    accessToken: options.accessToken,
    ...(options.deviceId ? { deviceId: options.deviceId } : {}),
    logger: options.logger ?? silentLogger,
  });

  const bufferSize = options.bufferSize ?? 200;
  const buffer: MatrixEvent[] = [];
  const eventWaiters = new Set<(event: MatrixEvent) => void>();
  client.on(RoomEvent.Timeline, (event, _room, toStartOfTimeline) => {
    // Back-pagination is history, not something that "arrived".
    if (toStartOfTimeline) return;
    buffer.push(event);
    if (buffer.length > bufferSize) buffer.shift();
    for (const waiter of eventWaiters) waiter(event);
  });

  await startAndWaitForSync(client, options.syncTimeoutMs ?? 30_000);

  const waitForEvent: TestClient['waitForEvent'] = (predicate, { timeoutMs = DEFAULT_WAIT_MS } = {}) => {
    const buffered = buffer.find(predicate);
    if (buffered) return Promise.resolve(buffered);
    return withTimeout(timeoutMs, 'a matching timeline event', (resolve) => {
      const waiter = (event: MatrixEvent) => {
        if (predicate(event)) resolve(event);
      };
      eventWaiters.add(waiter);
      return () => eventWaiters.delete(waiter);
    });
  };

  const waitForInvite: TestClient['waitForInvite'] = ({ timeoutMs = DEFAULT_WAIT_MS, from } = {}) => {
    const toInvite = (room: Room): Invite | undefined => {
      if (room.getMyMembership() !== INVITE) return undefined;
      const inviter = room.getMember(options.userId)?.events.member?.getSender();
      return from === undefined || inviter === from ? { roomId: room.roomId, inviter } : undefined;
    };
    for (const room of client.getRooms()) {
      const invite = toInvite(room);
      if (invite) return Promise.resolve(invite);
    }
    return withTimeout(timeoutMs, `an invite${from ? ` from ${from}` : ''}`, (resolve) => {
      const onMembership = (room: Room) => {
        const invite = toInvite(room);
        if (invite) resolve(invite);
      };
      client.on(RoomEvent.MyMembership, onMembership);
      return () => client.off(RoomEvent.MyMembership, onMembership);
    });
  };

  return {
    userId: options.userId,
    client,
    async createDm(otherUserId) {
      const { room_id } = await client.createRoom({
        is_direct: true,
        invite: [otherUserId],
        preset: Preset.TrustedPrivateChat,
      });
      return room_id;
    },
    async joinRoom(roomId) {
      await client.joinRoom(roomId);
    },
    async sendText(roomId, body) {
      const { event_id } = await client.sendTextMessage(roomId, body);
      return event_id;
    },
    waitForEvent,
    waitForInvite,
    async stop() {
      client.stopClient();
      client.removeAllListeners();
      eventWaiters.clear();
    },
  };
}

async function startAndWaitForSync(client: MatrixClient, timeoutMs: number): Promise<void> {
  let lastState = 'none';
  const synced = withTimeout(timeoutMs, 'the first sync', (resolve) => {
    const onSync = (state: SyncState) => {
      lastState = state;
      if (state === SyncState.Prepared || state === SyncState.Syncing) resolve(undefined);
    };
    client.on(ClientEvent.Sync, onSync);
    return () => client.off(ClientEvent.Sync, onSync);
  });
  // A small initial timeline: tests care about what happens next, not about history.
  await client.startClient({ initialSyncLimit: 10 });
  try {
    await synced;
  } catch (err) {
    client.stopClient();
    throw new Error(`${err instanceof Error ? err.message : String(err)} (last sync state: ${lastState})`, {
      cause: err,
    });
  }
}

/**
 * A promise settled by `subscribe`'s `resolve` or rejected after `timeoutMs`; the cleanup that
 * `subscribe` returns runs either way, so no listener outlives its wait.
 */
function withTimeout<T>(
  timeoutMs: number,
  what: string,
  subscribe: (resolve: (value: T) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = subscribe((value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
      // Deferred: `subscribe` may call this before it has returned `unsubscribe`.
      queueMicrotask(() => unsubscribe());
    });
  });
}
