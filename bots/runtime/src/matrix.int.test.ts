/**
 * The Matrix port's capabilities against a REAL Synapse (appservice registration as in production):
 * authenticated media up and down, the server's upload limit, room topic, pins, redactions, and a
 * streaming message's edits.
 */
import { createLogger } from '@mana/logging';
import { freePort, startSynapse, type SynapseHandle } from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaTooLargeError } from './errors.ts';
import { createAppservicePort, type MatrixPort } from './matrix.ts';
import { audioContent } from './media.ts';
import { userIdRegexFor } from './namespace.ts';
import { createStreamingMessage } from './streaming.ts';

const BOT = '@todo:mana.test';
const MAX_UPLOAD = 256 * 1024;

let synapse: SynapseHandle;
let matrix: MatrixPort;
let alice: { userId: string; accessToken: string };
let roomId: string;

async function api<T>(base: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  const asToken = randomBytes(24).toString('hex');
  synapse = await startSynapse({
    appservices: [
      {
        id: 'mana-bots',
        url: `http://127.0.0.1:${await freePort()}`,
        asToken,
        hsToken: randomBytes(24).toString('hex'),
        senderLocalpart: 'mana',
        users: [{ regex: userIdRegexFor(['mana', 'todo'], 'mana.test') }],
      },
    ],
    config: { max_upload_size: `${MAX_UPLOAD / 1024}K` },
  });
  matrix = createAppservicePort({
    homeserverUrl: synapse.baseUrl,
    serverName: 'mana.test',
    registration: {
      id: 'mana-bots',
      asToken,
      hsToken: 'unused',
      senderLocalpart: 'mana',
      userRegex: userIdRegexFor(['mana', 'todo'], 'mana.test'),
    },
    logger: createLogger({ service: 'matrix-int', level: 'silent' }),
    retryMaxMs: 20_000,
  }).port;
  await matrix.ensureBotUser(BOT, { displayName: 'Todo' });
  alice = await synapse.registerUser({ username: 'alice' });
  const room = await api<{ room_id: string }>(
    synapse.baseUrl,
    alice.accessToken,
    'POST',
    '/_matrix/client/v3/createRoom',
    {
      preset: 'private_chat',
      invite: [BOT],
      // The bot may set the topic and pins, as in a DM it was invited to by its owner.
      power_level_content_override: { users: { [BOT]: 50 } },
    },
  );
  roomId = room.room_id;
  await matrix.join(BOT, roomId);
}, 180_000);

afterAll(async () => {
  await synapse?.stop();
});

describe('authenticated media', () => {
  it('an uploaded voice note downloads byte-identical, and the m.audio event carries it', async () => {
    const audio = randomBytes(100_000);
    const mxc = await matrix.uploadMedia(BOT, audio, {
      contentType: 'audio/ogg',
      filename: 'voice.ogg',
      roomId,
    });
    expect(mxc).toMatch(/^mxc:\/\/mana\.test\//);
    const back = await matrix.downloadMedia(BOT, mxc);
    expect(back.contentType).toBe('audio/ogg');
    expect(Buffer.from(back.bytes).equals(audio)).toBe(true);

    // The unauthenticated (legacy) download is frozen on this server: only the bot's token works.
    const [server, id] = mxc.slice('mxc://'.length).split('/');
    const anon = await fetch(`${synapse.baseUrl}/_matrix/client/v1/media/download/${server}/${id}`);
    expect(anon.status).toBe(401);

    const eventId = await matrix.send(
      BOT,
      roomId,
      'm.room.message',
      audioContent({
        mxc,
        mimetype: 'audio/ogg',
        size: audio.byteLength,
        durationMs: 1500,
        waveform: [1, 2, 3],
      }),
    );
    const ev = await api<{ content: Record<string, unknown> }>(
      synapse.baseUrl,
      alice.accessToken,
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`,
    );
    expect(ev.content).toMatchObject({ msgtype: 'm.audio', url: mxc, 'org.matrix.msc3245.voice': {} });
    // And a person in the room downloads it too.
    const res = await fetch(`${synapse.baseUrl}/_matrix/client/v1/media/download/${server}/${id}`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
    expect(Buffer.from(await res.arrayBuffer()).equals(audio)).toBe(true);
  });

  it('a file over the server limit is refused before it is sent, with a typed error', async () => {
    const err = await matrix
      .uploadMedia(BOT, new Uint8Array(MAX_UPLOAD + 1), { contentType: 'application/octet-stream', roomId })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaTooLargeError);
    expect(err).toMatchObject({ code: 'BOT_MEDIA_TOO_LARGE', size: MAX_UPLOAD + 1, limit: MAX_UPLOAD });
    // Exactly at the limit is fine.
    await expect(
      matrix.uploadMedia(BOT, new Uint8Array(MAX_UPLOAD), {
        contentType: 'application/octet-stream',
        roomId,
      }),
    ).resolves.toMatch(/^mxc:/);
  });

  it('an unknown mxc is an error, not an empty file', async () => {
    await expect(matrix.downloadMedia(BOT, 'mxc://mana.test/doesnotexist')).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('room state and redactions', () => {
  it('topic is set and read back', async () => {
    expect(await matrix.getRoomTopic(BOT, roomId)).toBeUndefined();
    await matrix.setRoomTopic(BOT, roomId, 'Tasks: 3 open');
    expect(await matrix.getRoomTopic(BOT, roomId)).toBe('Tasks: 3 open');
  });

  it('pins are added once and removed; a redacted event loses its body', async () => {
    const a = await matrix.send(BOT, roomId, 'm.room.message', { msgtype: 'm.notice', body: 'a' });
    const b = await matrix.send(BOT, roomId, 'm.room.message', { msgtype: 'm.notice', body: 'b' });
    await matrix.pinEvent(BOT, roomId, a);
    await matrix.pinEvent(BOT, roomId, b);
    await matrix.pinEvent(BOT, roomId, a);
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.pinned_events/`;
    expect(await api(synapse.baseUrl, alice.accessToken, 'GET', path)).toEqual({ pinned: [a, b] });
    await matrix.unpinEvent(BOT, roomId, a);
    expect(await api(synapse.baseUrl, alice.accessToken, 'GET', path)).toEqual({ pinned: [b] });

    await matrix.redact(BOT, roomId, b, 'outdated');
    const ev = await api<{ content: Record<string, unknown> }>(
      synapse.baseUrl,
      alice.accessToken,
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(b)}`,
    );
    expect(ev.content).toEqual({});
  });
});

describe('streaming edits', () => {
  it('30 updates over 3 s at one edit per 500 ms: at most 7 edits, the last one is the final text', async () => {
    const msg = await createStreamingMessage({ matrix, userId: BOT, roomId, initial: '…', intervalMs: 500 });
    let text = '';
    for (let i = 1; i <= 30; i++) {
      text += `word${i} `;
      msg.update(text);
      await new Promise((r) => setTimeout(r, 100));
    }
    await msg.finish(text.trim());
    const rel = await api<{
      chunk: {
        event_id: string;
        sender: string;
        origin_server_ts: number;
        content: Record<string, unknown>;
      }[];
    }>(
      synapse.baseUrl,
      alice.accessToken,
      'GET',
      `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(msg.eventId)}/m.replace?limit=100`,
    );
    const edits = rel.chunk.toSorted((a, b) => a.origin_server_ts - b.origin_server_ts);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(3000 / 500) + 1);
    expect(edits.length).toBe(msg.edits);
    expect(edits.every((e) => e.sender === BOT)).toBe(true);
    const last = edits.at(-1)?.content;
    expect(last?.['m.new_content']).toMatchObject({ msgtype: 'm.notice', body: text.trim() });
    expect(last?.body).toBe(`* ${text.trim()}`);
    // What a client shows: the original with the latest edit applied (server-side aggregation).
    const original = await api<{ unsigned?: { 'm.relations'?: { 'm.replace'?: { event_id: string } } } }>(
      synapse.baseUrl,
      alice.accessToken,
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(msg.eventId)}`,
    );
    expect(original.unsigned?.['m.relations']?.['m.replace']?.event_id).toBe(edits.at(-1)?.event_id);
  });
});
