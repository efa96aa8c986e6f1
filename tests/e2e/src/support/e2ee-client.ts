/**
 * A Matrix client with end-to-end encryption, as Element X or Element Web have it: matrix-js-sdk
 * with its Rust crypto (`initRustCrypto`, the matrix-sdk-crypto WASM), in memory. It creates
 * encrypted DMs, sends encrypted messages and reads the bots' encrypted replies decrypted.
 */
import {
  ClientEvent,
  createClient,
  EventType,
  KnownMembership,
  Preset,
  RelationType,
  RoomEvent,
  SyncState,
  type MatrixClient,
  type MatrixEvent,
  type TimelineEvents,
} from 'matrix-js-sdk';
import { silenceGlobalSdkLogger, silentLogger } from '@mana/testing';
import { until } from './bots-stack.ts';

/** A decrypted timeline event (or a plain one), as the tests read it. */
export interface ClearEvent {
  eventId: string;
  sender: string;
  /** What was on the wire: `m.room.encrypted` for an encrypted event. */
  wireType: string;
  type: string;
  content: Record<string, unknown>;
}

export interface E2eeClient {
  client: MatrixClient;
  userId: string;
  deviceId: string;
  /** An encrypted DM with `bot` (Element X's default), once the bot has joined. */
  encryptedDm(bot: string): Promise<string>;
  /** The same DM unencrypted (as a client that does not encrypt makes it), once the bot has joined. */
  plainDm(bot: string): Promise<string>;
  /** Sends `m.text`, encrypted by the client in an encrypted room; resolves with the event id. */
  sendText(roomId: string, body: string): Promise<string>;
  /** Sends any `m.room.message` content (a file's), encrypted by the client in an encrypted room. */
  sendContent(roomId: string, content: Record<string, unknown>): Promise<string>;
  /** An `m.reaction` on `eventId` (encrypted in an encrypted room, as Element sends it). */
  react(roomId: string, eventId: string, key: string): Promise<string>;
  /** Uploads bytes as Element uploads an encrypted attachment's ciphertext: no name, no type. */
  uploadCiphertext(bytes: Uint8Array): Promise<string>;
  /** Every event of the room seen so far, decrypted where the client could. */
  events(roomId: string): Promise<ClearEvent[]>;
  /** The first event of the room matching `predicate` (after decryption), looked for every `everyMs` (default 200). */
  waitFor(
    roomId: string,
    predicate: (e: ClearEvent) => boolean,
    timeoutMs?: number,
    everyMs?: number,
  ): Promise<ClearEvent>;
  stop(): void;
}

export async function createE2eeClient(
  baseUrl: string,
  user: { userId: string; accessToken: string },
): Promise<E2eeClient> {
  const who = (await (
    await fetch(`${baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    })
  ).json()) as { device_id?: string };
  if (!who.device_id) throw new Error('whoami: no device_id');
  const deviceId = who.device_id;
  silenceGlobalSdkLogger();
  const client = createClient({
    baseUrl,
    userId: user.userId,
    accessToken: user.accessToken,
    deviceId,
    logger: silentLogger,
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const seen = new Map<string, MatrixEvent[]>();
  client.on(RoomEvent.Timeline, (event, room) => {
    const roomId = room?.roomId ?? event.getRoomId();
    if (!roomId) return;
    seen.set(roomId, [...(seen.get(roomId) ?? []), event]);
  });
  const prepared = new Promise<void>((resolve) => {
    const on = (state: SyncState) => {
      if (state === SyncState.Prepared) {
        client.off(ClientEvent.Sync, on);
        resolve();
      }
    };
    client.on(ClientEvent.Sync, on);
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;

  const events = async (roomId: string): Promise<ClearEvent[]> => {
    const list = seen.get(roomId) ?? [];
    // Decryption runs in the background; wait for what is in flight.
    await Promise.all(list.map((e) => client.decryptEventIfNeeded(e)));
    return list.map((e) => ({
      eventId: e.getId() ?? '',
      sender: e.getSender() ?? '',
      wireType: e.getWireType(),
      type: e.getType(),
      content: e.getContent(),
    }));
  };

  const dm = async (bot: string, encrypted: boolean): Promise<string> => {
    const { room_id: roomId } = await client.createRoom({
      is_direct: true,
      invite: [bot],
      preset: Preset.TrustedPrivateChat,
      initial_state: encrypted
        ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }]
        : [],
    });
    await until(
      `${bot} to join`,
      () => (client.getRoom(roomId)?.getMember(bot)?.membership === KnownMembership.Join ? true : undefined),
      60_000,
    );
    return roomId;
  };

  return {
    client,
    userId: user.userId,
    deviceId,
    encryptedDm: (bot) => dm(bot, true),
    plainDm: (bot) => dm(bot, false),
    async sendText(roomId, body) {
      const { event_id: eventId } = await client.sendTextMessage(roomId, body);
      return eventId;
    },
    async sendContent(roomId, content) {
      // The SDK's type lists the spec's message shapes; a test sends whichever it builds.
      const { event_id: eventId } = await client.sendMessage(
        roomId,
        content as unknown as TimelineEvents['m.room.message'],
      );
      return eventId;
    },
    async react(roomId, eventId, key) {
      const { event_id: id } = await client.sendEvent(roomId, EventType.Reaction, {
        'm.relates_to': { rel_type: RelationType.Annotation, event_id: eventId, key },
      });
      return id;
    },
    async uploadCiphertext(bytes) {
      const { content_uri: mxc } = await client.uploadContent(new Blob([new Uint8Array(bytes)]), {
        type: 'application/octet-stream',
        includeFilename: false,
      });
      return mxc;
    },
    events,
    async waitFor(roomId, predicate, timeoutMs = 60_000, everyMs = 200) {
      return until('an event', async () => (await events(roomId)).find(predicate), timeoutMs, everyMs);
    },
    stop: () => client.stopClient(),
  };
}
