/**
 * Talking to the bots as a person in Element does (matrix-js-sdk), and reading the room back from
 * Synapse itself (`/messages`) to count replies exactly.
 */
import type { TestClient } from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { until, type BotsStack } from './bots-stack.ts';

export interface RawEvent {
  event_id: string;
  room_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  unsigned?: Record<string, unknown>;
}

export interface Chat {
  client: TestClient;
  userId: string;
  accessToken: string;
  roomId: string;
  bot: string;
  /** Sends `text`, waits for the bot's reply to it (`m.relates_to.m.in_reply_to`). */
  ask(text: string, timeoutMs?: number): Promise<RawEvent>;
  /** Sends without waiting; the event id. */
  send(text: string): Promise<string>;
  /** Sends any event (a threaded message, a reaction, media); the event id. */
  sendEvent(type: string, content: Record<string, unknown>): Promise<string>;
  /** Every reply of the bot to `eventId`, as Synapse has them. */
  repliesTo(eventId: string): Promise<RawEvent[]>;
  /** The room's timeline as Synapse has it (oldest first, up to 500 events). */
  timeline(): Promise<RawEvent[]>;
  /** The raw event, as Synapse would push it to an appservice. */
  event(eventId: string): Promise<RawEvent>;
}

export function inReplyTo(e: RawEvent): string | undefined {
  const rel = e.content['m.relates_to'];
  if (typeof rel !== 'object' || rel === null) return undefined;
  const irt = (rel as Record<string, unknown>)['m.in_reply_to'];
  if (typeof irt !== 'object' || irt === null) return undefined;
  const id = (irt as Record<string, unknown>).event_id;
  return typeof id === 'string' ? id : undefined;
}

export const bodyOf = (e: RawEvent): string => (typeof e.content.body === 'string' ? e.content.body : '');

/** The content of a text message in the thread of `root`, as Element sends it. */
export const threadMessage = (root: string, body: string): Record<string, unknown> => ({
  msgtype: 'm.text',
  body,
  'm.relates_to': {
    rel_type: 'm.thread',
    event_id: root,
    is_falling_back: true,
    'm.in_reply_to': { event_id: root },
  },
});

const enc = encodeURIComponent;

/** A client-server API call as `token`; throws on a non-2xx answer. */
export async function matrixApi<T>(
  stack: BotsStack,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${stack.synapse.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Opens a DM with `bot` the way Element does and waits until the bot has joined. */
export async function openChat(
  stack: BotsStack,
  user: { userId: string; accessToken: string },
  bot: string,
  /** A group room instead of a DM: its alias's localpart (`ops` → `#ops:mana.test`), more invitees. */
  group?: { alias: string; invite?: readonly string[] },
): Promise<Chat> {
  const client = await stack.matrixClient(user);
  const roomId = group
    ? (
        await matrixApi<{ room_id: string }>(
          stack,
          user.accessToken,
          'POST',
          '/_matrix/client/v3/createRoom',
          {
            preset: 'private_chat',
            room_alias_name: group.alias,
            invite: [bot, ...(group.invite ?? [])],
          },
        )
      ).room_id
    : await client.createDm(bot);
  await joined(stack, user, roomId, bot);
  return chatIn(stack, user, bot, roomId, client);
}

/** Waits until `member` has joined `roomId` (as `user` sees it). */
export async function joined(
  stack: BotsStack,
  user: { accessToken: string },
  roomId: string,
  member: string,
): Promise<void> {
  await until(
    `${member} to join`,
    async () => {
      const m = await matrixApi<{ joined: Record<string, unknown> }>(
        stack,
        user.accessToken,
        'GET',
        `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`,
      );
      return member in m.joined ? true : undefined;
    },
    30_000,
  );
}

/**
 * The same helpers for a room that exists already (a group room); `client` is the user's
 * matrix-js-sdk client (one is started when not given).
 */
export async function chatIn(
  stack: BotsStack,
  user: { userId: string; accessToken: string },
  bot: string,
  roomId: string,
  client?: TestClient,
): Promise<Chat> {
  const c = client ?? (await stack.matrixClient(user));
  return roomChat(stack, user, bot, roomId, c);
}

function roomChat(
  stack: BotsStack,
  user: { userId: string; accessToken: string },
  bot: string,
  roomId: string,
  client: TestClient,
): Chat {
  const timeline = async () => {
    const r = await matrixApi<{ chunk: RawEvent[] }>(
      stack,
      user.accessToken,
      'GET',
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=500`,
    );
    return r.chunk.reverse();
  };
  const repliesTo = async (eventId: string) =>
    (await timeline()).filter(
      (e) => e.type === 'm.room.message' && e.sender === bot && inReplyTo(e) === eventId,
    );
  const sendEvent = async (type: string, content: Record<string, unknown>) => {
    const r = await matrixApi<{ event_id: string }>(
      stack,
      user.accessToken,
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${randomBytes(8).toString('hex')}`,
      content,
    );
    return r.event_id;
  };
  const send = (text: string) => sendEvent('m.room.message', { msgtype: 'm.text', body: text });
  return {
    client,
    userId: user.userId,
    accessToken: user.accessToken,
    roomId,
    bot,
    send,
    sendEvent,
    timeline,
    repliesTo,
    async ask(text, timeoutMs = 20_000) {
      const eventId = await send(text);
      // The client's sync sees the reply as soon as Synapse has it.
      const ev = await client.waitForEvent(
        (e) =>
          e.getSender() === bot &&
          e.getRoomId() === roomId &&
          inReplyTo({ content: e.getContent() } as RawEvent) === eventId,
        {
          timeoutMs,
        },
      );
      return {
        event_id: ev.getId() ?? '',
        room_id: roomId,
        type: ev.getType(),
        sender: ev.getSender() ?? '',
        origin_server_ts: ev.getTs(),
        content: ev.getContent(),
      };
    },
    event: (eventId) =>
      matrixApi<RawEvent>(
        stack,
        user.accessToken,
        'GET',
        `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(eventId)}`,
      ),
  };
}

/** Delivers a transaction to the runner exactly as Synapse does (PUT with the hs_token). */
export async function deliverTransaction(
  stack: BotsStack,
  txnId: string,
  body: unknown,
  raw = false,
): Promise<number> {
  const res = await fetch(`${stack.runner.url}/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${stack.hsToken}`, 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  await res.body?.cancel();
  return res.status;
}

/** Uploads a file as `user` through the media API (authenticated); its `mxc://` URI. */
export async function uploadAs(
  stack: BotsStack,
  user: { accessToken: string },
  bytes: Uint8Array,
  contentType: string,
  filename: string,
): Promise<string> {
  const res = await fetch(
    `${stack.synapse.baseUrl}/_matrix/media/v3/upload?filename=${encodeURIComponent(filename)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
      body: Buffer.from(bytes),
    },
  );
  const json = (await res.json()) as { content_uri?: string };
  if (!res.ok || !json.content_uri) throw new Error(`upload: ${res.status} ${JSON.stringify(json)}`);
  return json.content_uri;
}
