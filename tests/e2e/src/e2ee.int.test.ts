/**
 * Issue 18's acceptance, end to end: the bots as end-to-end-encryption participants. A real Synapse
 * with the appservice E2EE switches (MSC2409 to-device, MSC3202, MSC4190) and the whole bots stack
 * (`startBotsStack({ e2ee: true })`: auth with SSO, sync, credits, Postgres, Redis, the runner as its
 * own process); the user is matrix-js-sdk with its Rust crypto (`initRustCrypto`), as Element is.
 */
import { openRuntimeState } from '@mana/bot-runtime/testing';
import { decryptAttachment, encryptAttachment, type IEncryptedFile } from 'matrix-encrypt-attachment';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createE2eeClient, type ClearEvent, type E2eeClient } from './support/e2ee-client.ts';
import { SERVER_NAME, startBotsStack, until, type BotsStack, type StackUser } from './support/bots-stack.ts';
import { expectVoiceOgg, recordedVoice, startFakeStt, type FakeStt } from './support/speech.ts';

const TODO = `@todo:${SERVER_NAME}`;
const TTS = `@tts:${SERVER_NAME}`;

let stack: BotsStack;
let stt: FakeStt;
let erin: StackUser;
let client: E2eeClient;
let roomId: string;

const inReplyTo = (e: ClearEvent): string | undefined => {
  const rel = e.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined;
  return rel?.['m.in_reply_to']?.event_id;
};
/** The bot's notice for a message it could not decrypt (texts.ts), in either language. */
const UNDECRYPTABLE = /nicht entschlüsseln|could not decrypt/;
const body = (e: ClearEvent) => (typeof e.content.body === 'string' ? e.content.body : '');
const repliesTo = async (eventId: string) =>
  (await client.events(roomId)).filter((e) => e.sender === TODO && inReplyTo(e) === eventId);
/** The bot's device ids, as the client's crypto sees them (keys downloaded fresh). */
const botDevices = async () => [
  ...((await client.client.getCrypto()!.getUserDeviceInfo([TODO], true)).get(TODO)?.keys() ?? []),
];

beforeAll(async () => {
  stt = await startFakeStt();
  stack = await startBotsStack({
    label: 'e2e_e2ee',
    e2ee: true,
    runnerEnv: {
      BOTS: 'todo,mana,tts',
      BOT_STT_URL: stt.url,
      BOT_PROGRESS_AFTER_MS: '15000',
      BOT_UNDECRYPTABLE_WAIT_MS: '1500',
    },
  });
  erin = await stack.ssoUser('erin');
  client = await createE2eeClient(stack.synapse.baseUrl, erin);
  roomId = await client.encryptedDm(TODO);
}, 180_000);

afterEach((ctx) => {
  // What the runner said about it, when a test failed (its warnings and the E2EE lines).
  if (ctx.task.result?.state !== 'fail') return;
  const lines = stack.runner.logs().filter((l) => /"level":(40|50|60)|e2ee|crypto/.test(l));
  console.error(lines.slice(-40).join('\n'));
});

afterAll(async () => {
  client?.stop();
  await stack?.close();
  await stt?.close();
}, 60_000);

describe('an encrypted DM with @todo', () => {
  it('neu Milch kaufen @morgen, encrypted: the reply comes encrypted, decrypts to the expected text, the task is in sync', async () => {
    const commandId = await client.sendText(roomId, 'neu Milch kaufen @morgen');
    const reply = await client.waitFor(
      roomId,
      (e) => e.sender === TODO && inReplyTo(e) === commandId,
      90_000,
    );
    expect(reply.wireType).toBe('m.room.encrypted');
    expect(reply.type).toBe('m.room.message');
    expect(reply.content.msgtype).toBe('m.notice');
    expect(body(reply)).toContain('Neue Aufgabe');
    expect(body(reply)).toContain('Milch kaufen');
    // The greeting on joining the DM was encrypted too: nothing of the bot's is in plain text.
    const fromBot = (await client.events(roomId)).filter(
      (e) => e.sender === TODO && e.type !== 'm.room.member',
    );
    expect(fromBot.length).toBeGreaterThanOrEqual(2);
    for (const e of fromBot) expect(e.wireType).toBe('m.room.encrypted');

    const sync = await stack.webSync(erin, 'erin-web');
    await sync.sync('todo');
    expect((await sync.query('todo', 'tasks')).map((t) => t.title)).toContain('Milch kaufen');
  }, 120_000);

  it('the bot has one device, cross-signed by its owner', async () => {
    const devices = await botDevices();
    expect(devices).toHaveLength(1);
    const status = await client.client.getCrypto()!.getDeviceVerificationStatus(TODO, devices[0]!);
    expect(status?.signedByOwner).toBe(true);
    const identity = await client.client.getCrypto()!.getUserVerificationStatus(TODO);
    // The owner's cross-signing identity is known to the client (master + self-signing keys).
    expect(identity).toBeDefined();
  }, 60_000);

  describe('encrypted attachments', () => {
    /** An encrypted voice note as Element sends one: the ciphertext uploaded, `file` in the event. */
    async function sendVoiceNote(ogg: Uint8Array, durationMs: number, tamper = false) {
      const { data, info } = await encryptAttachment(new Uint8Array(ogg).buffer);
      const bytes = new Uint8Array(data);
      if (tamper) bytes[200] = bytes[200]! ^ 1;
      const file = { ...info, url: await client.uploadCiphertext(bytes) };
      return client.sendContent(roomId, {
        msgtype: 'm.audio',
        body: 'Voice message',
        file,
        info: { mimetype: 'audio/ogg', size: ogg.byteLength, duration: durationMs },
        'org.matrix.msc1767.text': 'Voice message',
        'org.matrix.msc1767.file': {
          file,
          name: 'Voice message.ogg',
          mimetype: 'audio/ogg',
          size: ogg.byteLength,
        },
        'org.matrix.msc1767.audio': { duration: durationMs, waveform: [0, 512, 1024] },
        'org.matrix.msc3245.voice': {},
      });
    }

    it('an encrypted voice note to @todo is decrypted, transcribed and becomes a task in sync', async () => {
      const note = await recordedVoice('Neu Zahnpasta kaufen');
      stt.hear('Neu Zahnpasta kaufen.');
      const id = await sendVoiceNote(note.ogg, note.durationMs);
      const transcript = await client.waitFor(
        roomId,
        (e) => e.sender === TODO && inReplyTo(e) === id && body(e).startsWith('🎤'),
        60_000,
      );
      expect(transcript.wireType).toBe('m.room.encrypted');
      expect(body(transcript)).toBe('🎤 „Neu Zahnpasta kaufen.“');
      const added = await client.waitFor(
        roomId,
        (e) => e.sender === TODO && inReplyTo(e) === id && body(e).includes('Neue Aufgabe'),
        60_000,
      );
      expect(added.wireType).toBe('m.room.encrypted');
      expect(body(added)).toContain('Zahnpasta kaufen');
      // Speech-to-text got the plaintext Ogg/Opus, with the type the event names.
      const request = stt.requests.at(-1)!;
      expect(request.fileType).toBe('audio/ogg');
      expect(Math.abs(request.seconds! * 1000 - note.durationMs) / note.durationMs).toBeLessThan(0.1);
      const sync = await stack.webSync(erin, 'erin-web-voice');
      await sync.sync('todo');
      const tasks = await sync.query('todo', 'tasks');
      expect(tasks.filter((t) => String(t.title).startsWith('Zahnpasta kaufen'))).toHaveLength(1);
    }, 90_000);

    it('an encrypted file whose ciphertext does not match its hash: refused with a clear reply, never transcribed', async () => {
      const before = stt.requests.length;
      const note = await recordedVoice('Liste');
      const id = await sendVoiceNote(note.ogg, note.durationMs, true);
      const refused = await client.waitFor(roomId, (e) => e.sender === TODO && inReplyTo(e) === id, 60_000);
      expect(refused.wireType).toBe('m.room.encrypted');
      expect(body(refused)).toMatch(/Prüfsumme stimmt nicht/);
      expect(stt.requests.length).toBe(before);
    }, 90_000);

    it('the tts bot’s voice message in an encrypted DM: encrypted, its file decrypts on the client and decodes', async () => {
      const ttsRoom = await client.encryptedDm(TTS);
      const commandId = await client.sendText(ttsRoom, 'Guten Morgen! Heute ist ein schöner Tag.');
      const voice = await client.waitFor(
        ttsRoom,
        (e) => e.sender === TTS && e.content.msgtype === 'm.audio' && inReplyTo(e) === commandId,
        60_000,
      );
      expect(voice.wireType).toBe('m.room.encrypted');
      const c = voice.content;
      expect(c.url).toBeUndefined();
      const file = c.file as IEncryptedFile & { url: string };
      expect(file.url).toMatch(/^mxc:\/\//);
      expect(file).toMatchObject({
        v: 'v2',
        key: { kty: 'oct', alg: 'A256CTR', ext: true, key_ops: ['encrypt', 'decrypt'] },
      });
      const info = c.info as { mimetype: string; size: number; duration: number };
      expect(info.mimetype).toBe('audio/ogg');
      expect(c['org.matrix.msc1767.file']).toEqual({
        file,
        name: 'voice-message.ogg',
        mimetype: 'audio/ogg',
        size: info.size,
      });
      expect(c['org.matrix.msc3245.voice']).toEqual({});
      // What the server holds is ciphertext; the client decrypts it with the event's key.
      const res = await fetch(
        `${stack.synapse.baseUrl}/_matrix/client/v1/media/download/${file.url.slice('mxc://'.length)}`,
        { headers: { authorization: `Bearer ${erin.accessToken}` } },
      );
      expect(res.status).toBe(200);
      const ciphertext = await res.arrayBuffer();
      expect(new TextDecoder().decode(new Uint8Array(ciphertext).subarray(0, 4))).not.toBe('OggS');
      const ogg = new Uint8Array(await decryptAttachment(ciphertext, file));
      await expectVoiceOgg(ogg, info);

      // 🗣 on the encrypted message: the bot reads the event back, decrypts it and reads it aloud
      // in its thread (it used to get only ciphertext back and find no text).
      await client.react(ttsRoom, commandId, '🗣️');
      const aloud = await client.waitFor(
        ttsRoom,
        (e) =>
          e.sender === TTS &&
          e.content.msgtype === 'm.audio' &&
          (e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined)?.rel_type ===
            'm.thread' &&
          (e.content['m.relates_to'] as { event_id?: string }).event_id === commandId,
        60_000,
      );
      expect(aloud.wireType).toBe('m.room.encrypted');
      expect(aloud.content['org.matrix.msc1767.text']).toBe('Guten Morgen! Heute ist ein schöner Tag.');
    }, 120_000);
  });

  it('a group room with three users: a command addressed to todo is answered encrypted, and every member decrypts the reply', async () => {
    const [fred, gina] = await Promise.all([stack.ssoUser('fred'), stack.ssoUser('gina')]);
    const others = await Promise.all([fred, gina].map((u) => createE2eeClient(stack.synapse.baseUrl, u)));
    try {
      const { room_id: group } = await client.client.createRoom({
        name: 'Einkauf',
        invite: [TODO, fred.userId, gina.userId],
        initial_state: [
          { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
        ],
      });
      for (const c of others)
        await until(
          'the invite',
          async () =>
            c.client.joinRoom(group).then(
              () => true,
              () => undefined,
            ),
          60_000,
          500,
        );
      await until(
        'everyone in the room',
        () => {
          const room = client.client.getRoom(group);
          return [TODO, fred.userId, gina.userId].every((u) => room?.getMember(u)?.membership === 'join')
            ? true
            : undefined;
        },
        60_000,
      );
      const [fredClient, ginaClient] = others;
      const commandId = await fredClient!.sendText(group, 'todo: neu Brot kaufen');
      for (const c of [client, fredClient!, ginaClient!]) {
        const reply = await c.waitFor(group, (e) => e.sender === TODO && inReplyTo(e) === commandId, 90_000);
        expect(reply.wireType).toBe('m.room.encrypted');
        expect(reply.type).toBe('m.room.message');
        expect(body(reply)).toContain('Brot kaufen');
      }
    } finally {
      for (const c of others) c.stop();
    }
  }, 240_000);

  it('kill -9 of the runner: a command sent while it is down is decrypted and answered once after the restart, on the same device', async () => {
    const before = await botDevices();
    await stack.runner.kill();
    const commandId = await client.sendText(roomId, 'liste');
    await stack.startRunner();
    const reply = await client.waitFor(
      roomId,
      (e) => e.sender === TODO && inReplyTo(e) === commandId,
      180_000,
    );
    expect(reply.wireType).toBe('m.room.encrypted');
    expect(body(reply)).toContain('Milch kaufen');
    expect(stack.runner.logs().some((l) => l.includes('"restored":true') && l.includes(TODO))).toBe(true);
    expect(await botDevices()).toEqual(before);
    // Answered once: a second command's reply comes after it, and the first still has one.
    const nextId = await client.sendText(roomId, 'hilfe');
    await client.waitFor(roomId, (e) => e.sender === TODO && inReplyTo(e) === nextId, 90_000);
    expect(await repliesTo(commandId)).toHaveLength(1);
  }, 300_000);

  it('the crypto store lost (runner killed, its snapshot deleted): the new device restores the room keys from the backup and answers a command sent to the old one, once', async () => {
    /** The bot's key backup on the server, read as the bot (the appservice's identity assertion). */
    const asTodo = async (path: string) => {
      const res = await fetch(
        `${stack.synapse.baseUrl}${path}${path.includes('?') ? '&' : '?'}user_id=${encodeURIComponent(TODO)}`,
        { headers: { authorization: `Bearer ${stack.runnerEnv.BOT_AS_TOKEN}` } },
      );
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    /** The Megolm session an event of erin's was encrypted with (the raw event on the server). */
    const sessionOf = async (eventId: string) => {
      const res = await fetch(
        `${stack.synapse.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`,
        { headers: { authorization: `Bearer ${erin.accessToken}` } },
      );
      const ev = (await res.json()) as { type: string; content: { session_id?: string } };
      expect(ev.type).toBe('m.room.encrypted');
      return ev.content.session_id!;
    };

    const firstId = await client.sendText(roomId, 'liste');
    await client.waitFor(roomId, (e) => e.sender === TODO && inReplyTo(e) === firstId, 90_000);
    const session = await sessionOf(firstId);
    const { json: info } = await asTodo('/_matrix/client/v3/room_keys/version');
    const version = String(info.version);
    // Backed up in the background: soon after the room key arrived.
    await until(
      'the session in the backup',
      async () =>
        (
          await asTodo(
            `/_matrix/client/v3/room_keys/keys/${encodeURIComponent(roomId)}/${encodeURIComponent(session)}?version=${version}`,
          )
        ).status === 200
          ? true
          : undefined,
      60_000,
    );
    const before = await botDevices();

    await stack.runner.kill();
    const state = await openRuntimeState({
      databaseUrl: stack.db.url,
      schema: 'bots',
      appserviceId: 'mana-bots',
    });
    try {
      const deleted = await state.sql`delete from crypto_stores where user_id = ${TODO}`;
      expect(deleted.count).toBe(1);
    } finally {
      await state.close();
    }
    // Sent while the runner is down, in the same Megolm session: its key went to the old device only.
    const secondId = await client.sendText(roomId, 'neu Brot backen');
    expect(await sessionOf(secondId)).toBe(session);

    await stack.startRunner();
    const reply = await client.waitFor(
      roomId,
      (e) => e.sender === TODO && inReplyTo(e) === secondId,
      180_000,
    );
    expect(reply.wireType).toBe('m.room.encrypted');
    expect(body(reply)).toContain('Neue Aufgabe');
    expect(body(reply)).toContain('Brot backen');
    const logs = stack.runner.logs();
    expect(logs.some((l) => l.includes('room keys restored from the backup') && l.includes(TODO))).toBe(true);
    expect(logs.some((l) => l.includes('"restored":false') && l.includes(TODO))).toBe(true);
    // One new device (the old one, without a store, removed), cross-signed by its owner again.
    const after = await botDevices();
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
    const status = await client.client.getCrypto()!.getDeviceVerificationStatus(TODO, after[0]!);
    expect(status?.signedByOwner).toBe(true);
    // The same backup version, now signed by the new device.
    expect(String((await asTodo('/_matrix/client/v3/room_keys/version')).json.version)).toBe(version);
    // Answered once: a later command (a key shared with the new device) is answered after it.
    const nextId = await client.sendText(roomId, 'hilfe');
    await client.waitFor(roomId, (e) => e.sender === TODO && inReplyTo(e) === nextId, 90_000);
    expect(await repliesTo(secondId)).toHaveLength(1);
  }, 360_000);

  it('many encrypted DMs made at once by several users: every first message is decrypted and answered (issue #18: Synapse dropped ~8 % of the room keys on their way to the bot)', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.ssoUser(`crowd${i}`)));
    const clients = await Promise.all(users.map((u) => createE2eeClient(stack.synapse.baseUrl, u)));
    try {
      // Per user 4 DMs, one after the other; the 8 users side by side (the bench's pattern, smaller).
      const answers = await Promise.all(
        clients.map(async (c) => {
          const bodies: string[] = [];
          for (let i = 0; i < 4; i++) {
            const dm = await c.encryptedDm(TODO);
            const id = await c.sendText(dm, 'hilfe');
            const answer = await c.waitFor(
              dm,
              (e) => e.sender === TODO && (inReplyTo(e) === id || UNDECRYPTABLE.test(body(e))),
              60_000,
              100,
            );
            bodies.push(body(answer));
          }
          return bodies;
        }),
      );
      const all = answers.flat();
      expect(all).toHaveLength(32);
      expect(all.filter((b) => UNDECRYPTABLE.test(b))).toEqual([]);
    } finally {
      for (const c of clients) c.stop();
    }
  }, 120_000);

  it('a message it cannot decrypt (a session it never got) gets one short notice, encrypted', async () => {
    const keys = await client.client.getCrypto()!.getOwnDeviceKeys();
    // Past the client's crypto: a Megolm event of a session nobody shared with the bot.
    const res = await fetch(
      `${stack.synapse.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/${Date.now()}`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${erin.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          algorithm: 'm.megolm.v1.aes-sha2',
          sender_key: keys.curve25519,
          device_id: client.deviceId,
          session_id: Buffer.alloc(32, 7).toString('base64').replace(/=+$/, ''),
          ciphertext: Buffer.alloc(120, 9).toString('base64').replace(/=+$/, ''),
        }),
      },
    );
    expect(res.status).toBe(200);
    const notice = await client.waitFor(
      roomId,
      (e) => e.sender === TODO && body(e).includes('nicht entschlüsseln'),
      120_000,
    );
    expect(notice.wireType).toBe('m.room.encrypted');
    expect(notice.content.msgtype).toBe('m.notice');
  }, 180_000);

  it('with E2EE off: the cannot-read notice, in plain text, once for several messages (at most every 10 minutes)', async () => {
    const handled = async () => {
      const text = await (await fetch(`${stack.runner.url}/metrics`)).text();
      return [...text.matchAll(/^bot_events_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    await stack.runner.stop();
    await stack.startRunner({ BOT_E2EE: 'false' });
    const start = await handled();
    await client.sendText(roomId, 'liste');
    await client.sendText(roomId, 'hilfe');
    // Read from the server, not the client's sync: a plain notice is readable there.
    const plainNotices = async () => {
      const res = await fetch(
        `${stack.synapse.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=200`,
        { headers: { authorization: `Bearer ${erin.accessToken}` } },
      );
      const { chunk } = (await res.json()) as {
        chunk: { sender: string; type: string; content: { body?: unknown } }[];
      };
      return chunk.filter(
        (e) =>
          e.sender === TODO &&
          e.type === 'm.room.message' &&
          typeof e.content.body === 'string' &&
          e.content.body.includes('verschlüsselte Nachrichten'),
      );
    };
    await until('the notice', async () => ((await plainNotices()).length > 0 ? true : undefined), 120_000);
    // Both messages processed (each notice would be sent before its event counts as done).
    await until(
      'both messages processed',
      async () => ((await handled()) >= start + 2 ? true : undefined),
      120_000,
    );
    expect(await plainNotices()).toHaveLength(1);
  }, 240_000);
});
