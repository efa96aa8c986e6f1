/**
 * Key backup against a real Synapse (appservice registration with the E2EE switches), real Postgres
 * and the real WASM machines: a bot's backup is created once and its recovery key sealed in
 * Postgres; a room key sent to it by another device (a second bot user, its to-device message
 * handed over as a transaction would) is backed up; a restart with the same store keeps the
 * version; after the store is lost the new device restores the key and decrypts the old message;
 * a wrong BOT_CRYPTO_STORE_KEY, a replaced server version and Synapse being unreachable are handled.
 * And issue #18's lost room keys: Synapse skips some to-device events on their way to the
 * appservice under concurrency (see `catchUpToDevice` in machine.ts); here the loss is made certain
 * (a room key sent through Synapse is never handed to `receive`, as if its transaction never came)
 * and the bot must find it in its device's inbox through `/sync`.
 */
import * as sdk from '@matrix-org/matrix-sdk-crypto-wasm';
import {
  createTestDatabase,
  freePort,
  startSynapse,
  until,
  type SynapseHandle,
  type TestDatabase,
} from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntimeState, type RuntimeState } from '../state.ts';
import { postgresBackupKeys, type BackupMetrics } from './backup.ts';
import { decryptionErrorText, openBotCrypto, type BotCrypto, type BotCryptoOptions } from './machine.ts';
import { postgresCryptoStore } from './store.ts';

const SERVER = 'mana.test';
const BOT = `@bkbot:${SERVER}`;
const OTHER = `@bkother:${SERVER}`;
/** The lost-key tests' own pair, so the backup tests' devices and inboxes are not touched. */
const LOSER = `@bkloser:${SERVER}`;
const SENDER = `@bksender:${SERVER}`;
const asToken = randomBytes(24).toString('hex');
const storeKey = randomBytes(32);

let synapse: SynapseHandle;
let db: TestDatabase;
let state: RuntimeState;
let deadUrl: string;
const registry = new Registry();
const metrics: BackupMetrics = {
  keys: new Counter({ name: 'k', help: 'k', labelNames: ['result'] as const, registers: [registry] }),
  restored: new Counter({ name: 'r', help: 'r', registers: [registry] }),
};
const logs: { level: string; obj: unknown; msg: string }[] = [];
const log = {
  info: (obj: unknown, msg: string) => void logs.push({ level: 'info', obj, msg }),
  warn: (obj: unknown, msg: string) => void logs.push({ level: 'warn', obj, msg }),
  debug: (obj: unknown, msg: string) => void logs.push({ level: 'debug', obj, msg }),
} as unknown as BotCryptoOptions['log'];

/** Synapse "down" for the bot's backup: those requests go to a port nobody listens on (ECONNREFUSED). */
let botDown = false;
/** The bot device's inbox out of reach (`/sync`), so a missing key can only come from the backup. */
let noInbox = false;
/** To-device messages the other bot sent to BOT, as Synapse would put them in a transaction. */
const toBot: Record<string, unknown>[] = [];

async function as<T>(method: string, path: string, userId: string, body?: unknown): Promise<T> {
  const url = `${synapse.baseUrl}${path}${path.includes('?') ? '&' : '?'}user_id=${encodeURIComponent(userId)}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${asToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const serverVersion = () =>
  as<{ version: string; auth_data: { public_key: string } }>(
    'GET',
    '/_matrix/client/v3/room_keys/version',
    BOT,
  );
/** Session ids the server holds for BOT in `version`, by room. */
async function backedUp(version: string): Promise<Record<string, string[]>> {
  const { rooms } = await as<{ rooms: Record<string, { sessions: Record<string, unknown> }> }>(
    'GET',
    `/_matrix/client/v3/room_keys/keys?version=${encodeURIComponent(version)}`,
    BOT,
  );
  return Object.fromEntries(Object.entries(rooms).map(([r, { sessions }]) => [r, Object.keys(sessions)]));
}

function open(userId: string, extra: Partial<BotCryptoOptions> = {}): Promise<BotCrypto> {
  return openBotCrypto({
    userId,
    displayName: userId,
    homeserverUrl: synapse.baseUrl,
    asToken,
    store: postgresCryptoStore(state.sql, storeKey),
    backupKeys: postgresBackupKeys(state.sql, storeKey),
    metrics,
    log,
    retryMaxMs: 500,
    backupRetryMs: 200,
    ...extra,
  });
}

/** machine.ts calls fetch with a string URL. */
const urlOf = (input: Parameters<typeof fetch>[0]) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
const botFetch: typeof fetch = (input, init) =>
  fetch(
    (botDown && urlOf(input).includes('/room_keys/')) || (noInbox && urlOf(input).includes('/sync?'))
      ? urlOf(input).replace(synapse.baseUrl, deadUrl)
      : input,
    init,
  );
/** The other bot's fetch: what it sends to BOT's devices is kept for BOT's `receive`. */
const otherFetch: typeof fetch = async (input, init) => {
  const m = /\/sendToDevice\/([^/]+)\//.exec(urlOf(input));
  if (m && typeof init?.body === 'string') {
    const { messages } = JSON.parse(init.body) as { messages: Record<string, Record<string, unknown>> };
    for (const [device, content] of Object.entries(messages[BOT] ?? {}))
      toBot.push({ sender: OTHER, type: decodeURIComponent(m[1]!), content, to_device_id: device });
  }
  return fetch(input, init);
};

/** The room event of encrypted `content`, as a transaction brings it. */
const encryptedEvent = (sender: string, roomId: string, content: Record<string, unknown>) => ({
  event_id: `$${randomBytes(8).toString('hex')}`,
  type: 'm.room.encrypted',
  sender,
  origin_server_ts: Date.now(),
  room_id: roomId,
  content,
});

/** The other bot encrypts a message in `roomId` (a new one each time) for BOT's current device. */
async function shareKey(bot: BotCrypto, other: BotCrypto, roomId: string, text: string) {
  toBot.length = 0;
  // BOT's device list changed (a new device after a lost store), as a transaction would say.
  await other.receive({ toDevice: [], changed: [BOT], left: [] });
  const content = await other.encrypt(roomId, [OTHER, BOT], 'm.room.message', {
    msgtype: 'm.text',
    body: text,
  });
  const toDevice = toBot.filter((m) => m.to_device_id === bot.deviceId);
  expect(toDevice.length).toBeGreaterThan(0);
  const event = encryptedEvent(OTHER, roomId, content);
  return { event, toDevice, sessionId: (content as { session_id: string }).session_id };
}
/** …and BOT takes the room key in, as from a transaction. */
async function roomKeyArrives(bot: BotCrypto, other: BotCrypto, roomId: string, text: string) {
  const shared = await shareKey(bot, other, roomId, text);
  await bot.receive({ toDevice: shared.toDevice, changed: [], left: [] });
  return shared;
}

async function forgetStore(userId: string) {
  await state.sql`delete from crypto_stores where user_id = ${userId}`;
  for (const d of await indexedDB.databases())
    if (d.name?.startsWith(`mana-crypto:${userId}`))
      await new Promise((resolve) => {
        indexedDB.deleteDatabase(d.name!).onsuccess = resolve;
      });
}

const counter = async (name: string, result?: string) =>
  (await registry.getSingleMetric(name)!.get()).values
    .filter((v) => result === undefined || v.labels.result === result)
    .reduce((n, v) => n + v.value, 0);

beforeAll(async () => {
  deadUrl = `http://127.0.0.1:${await freePort()}`;
  [db, synapse] = await Promise.all([
    createTestDatabase('bots_crypto_backup'),
    startSynapse({
      serverName: SERVER,
      appservices: [
        {
          id: 'mana-bots',
          url: deadUrl,
          asToken,
          hsToken: randomBytes(24).toString('hex'),
          senderLocalpart: 'mana',
          users: [{ regex: '@bk.*:mana\\.test' }],
          e2ee: true,
        },
      ],
    }),
  ]);
  state = await openRuntimeState({ databaseUrl: db.url, schema: 'bots', appserviceId: 'mana-bots' });
  for (const username of ['bkbot', 'bkother', 'bkloser', 'bksender'])
    await as('POST', '/_matrix/client/v3/register', `@mana:${SERVER}`, {
      type: 'm.login.application_service',
      username,
      inhibit_login: true,
    });
}, 120_000);

afterAll(async () => {
  await state?.close();
  await synapse?.stop();
  await db?.drop();
});

describe('key backup', () => {
  let bot: BotCrypto;
  let other: BotCrypto;
  let version: string;
  let message: Awaited<ReturnType<typeof roomKeyArrives>>['event'];
  const room = `!backup:${SERVER}`;

  it('is created once, its recovery key sealed in Postgres; a room key that arrives is backed up', async () => {
    bot = await open(BOT, { fetch: botFetch });
    other = await open(OTHER, { fetch: otherFetch });
    version = bot.backupVersion!;
    expect(version).toBeTruthy();
    const server = await serverVersion();
    expect(server.version).toBe(version);

    const [row] = await state.sql<{ version: string; sealed: Buffer }[]>`
      select version, sealed from crypto_backup_keys where user_id = ${BOT}`;
    expect(row?.version).toBe(version);
    const key = (await postgresBackupKeys(state.sql, storeKey).load(BOT))!.key;
    // The sealed row is ciphertext; its key is the server version's private key.
    expect(row!.sealed.includes(Buffer.from(key))).toBe(false);
    expect(sdk.BackupDecryptionKey.fromBase64(key).megolmV1PublicKey.publicKeyBase64).toBe(
      server.auth_data.public_key,
    );

    const first = await roomKeyArrives(bot, other, room, 'first');
    message = first.event;
    const sessionId = first.sessionId;
    await until('the session in the backup', async () =>
      (await backedUp(version))[room]?.includes(sessionId) ? true : undefined,
    );
    expect((await bot.decrypt(message)).content.body).toBe('first');
    expect(await counter('k', 'uploaded')).toBeGreaterThan(0);
    // Never the key in a log line.
    expect(JSON.stringify(logs)).not.toContain(key);
  }, 60_000);

  it('a restart with the same store keeps the version (no second one)', async () => {
    bot.close();
    const created = logs.filter((l) => l.msg === 'key backup version created').length;
    bot = await open(BOT, { fetch: botFetch });
    expect(bot.backupVersion).toBe(version);
    expect((await serverVersion()).version).toBe(version);
    expect(logs.filter((l) => l.msg === 'key backup version created').length).toBe(created);
  }, 60_000);

  it('after the store is lost: a new device restores the room key and decrypts the old message', async () => {
    const oldDevice = bot.deviceId;
    bot.close();
    await forgetStore(BOT);
    const restoredBefore = await counter('r');
    bot = await open(BOT, { fetch: botFetch });
    expect(bot.deviceId).not.toBe(oldDevice);
    // The old device (no store behind it any more) is gone: senders encrypt to the new one only.
    const { devices } = await as<{ devices: { device_id: string }[] }>(
      'GET',
      '/_matrix/client/v3/devices',
      BOT,
    );
    expect(devices.map((d) => d.device_id)).toEqual([bot.deviceId]);
    expect(bot.backupVersion).toBe(version);
    // The new device signed the version again (its machine and the bot's other devices trust it).
    const { auth_data } = await as<{ auth_data: { signatures: Record<string, Record<string, string>> } }>(
      'GET',
      '/_matrix/client/v3/room_keys/version',
      BOT,
    );
    expect(Object.keys(auth_data.signatures[BOT] ?? {})).toContain(`ed25519:${bot.deviceId}`);
    expect(await counter('r')).toBeGreaterThan(restoredBefore);
    expect((await bot.decrypt(message)).content.body).toBe('first');
  }, 60_000);

  it('a room key missing from the store (an older snapshot put back) is fetched from the backup when a message needs it', async () => {
    const [older] = await state.sql<{ device_id: string; sealed: Buffer }[]>`
      select device_id, sealed from crypto_stores where user_id = ${BOT}`;
    const second = await roomKeyArrives(bot, other, `!single:${SERVER}`, 'second');
    await until('the second session in the backup', async () =>
      (await backedUp(version))[`!single:${SERVER}`]?.includes(second.sessionId) ? true : undefined,
    );
    bot.close();
    await forgetStore(BOT);
    await state.sql`
      insert into crypto_stores (user_id, device_id, sealed) values (${BOT}, ${older!.device_id}, ${older!.sealed})`;
    const restored = await counter('r');
    bot = await open(BOT, { fetch: botFetch });
    // A store was there: nothing restored at start-up; the one session when the message needs it.
    expect(bot.backupVersion).toBe(version);
    expect(await counter('r')).toBe(restored);
    // (The to-device event is still in the device's inbox too: catch-up.int.test.ts reads it.)
    noInbox = true;
    try {
      expect((await bot.decrypt(second.event)).content.body).toBe('second');
    } finally {
      noInbox = false;
    }
    expect(await counter('r')).toBe(restored + 1);
  }, 60_000);

  it('a wrong BOT_CRYPTO_STORE_KEY is refused at start-up, naming the variable', async () => {
    bot.close();
    await forgetStore(BOT);
    const wrong = randomBytes(32);
    await expect(
      open(BOT, {
        fetch: botFetch,
        store: postgresCryptoStore(state.sql, wrong),
        backupKeys: postgresBackupKeys(state.sql, wrong),
      }),
    ).rejects.toThrow(/BOT_CRYPTO_STORE_KEY: does not open/);
  }, 60_000);

  it('a server version with another key: a new version with ours (warned), every key sent to it', async () => {
    bot = await open(BOT, { fetch: botFetch });
    const third = await roomKeyArrives(bot, other, `!third:${SERVER}`, 'third');
    await until('the session in the backup', async () =>
      (await backedUp(version))[`!third:${SERVER}`]?.includes(third.sessionId) ? true : undefined,
    );
    bot.close();
    // Someone replaces the backup version with one of their own key.
    const foreign = sdk.BackupDecryptionKey.createRandomKey().megolmV1PublicKey.publicKeyBase64;
    const { version: replaced } = await as<{ version: string }>(
      'POST',
      '/_matrix/client/v3/room_keys/version',
      BOT,
      {
        algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
        auth_data: { public_key: foreign },
      },
    );
    bot = await open(BOT, { fetch: botFetch });
    expect(bot.backupVersion).not.toBe(replaced);
    expect(bot.backupVersion).not.toBe(version);
    expect(logs.some((l) => l.level === 'warn' && /not ours/.test(l.msg))).toBe(true);
    const key = (await postgresBackupKeys(state.sql, storeKey).load(BOT))!.key;
    expect((await serverVersion()).auth_data.public_key).toBe(
      sdk.BackupDecryptionKey.fromBase64(key).megolmV1PublicKey.publicKeyBase64,
    );
    // The keys backed up to the old version go to the new one too.
    await until('the session in the new version', async () =>
      (await backedUp(bot.backupVersion!))[`!third:${SERVER}`]?.includes(third.sessionId) ? true : undefined,
    );
    expect((await bot.decrypt(third.event)).content.body).toBe('third');
  }, 60_000);

  it('Synapse unreachable during a backup: warned, no crash, the keys go up once it is back', async () => {
    const warnsBefore = logs.filter((l) => l.msg.startsWith('room key backup failed')).length;
    const failedBefore = await counter('k', 'failed');
    const down = await shareKey(bot, other, `!down:${SERVER}`, 'down');
    // The to-device batch itself needs no request: it is taken in while Synapse is unreachable.
    botDown = true;
    try {
      await bot.receive({ toDevice: down.toDevice, changed: [], left: [] });
      await until('a warning', async () =>
        logs.filter((l) => l.msg.startsWith('room key backup failed')).length > warnsBefore
          ? true
          : undefined,
      );
      expect(await counter('k', 'failed')).toBeGreaterThan(failedBefore);
    } finally {
      botDown = false;
    }
    await until('the session backed up after all', async () =>
      (await backedUp(bot.backupVersion!))[`!down:${SERVER}`]?.includes(down.sessionId) ? true : undefined,
    );
    expect((await bot.decrypt(down.event)).content.body).toBe('down');
    bot.close();
    other.close();
  }, 60_000);
});

describe('a room key the appservice transactions never brought', () => {
  let bot: BotCrypto;
  let other: BotCrypto;
  /** SENDER encrypts a message in `roomId` for `to`; its room key reaches LOSER's device through Synapse only. */
  async function lostKey(roomId: string, text: string, to = [SENDER, LOSER]) {
    const content = await other.encrypt(roomId, to, 'm.room.message', { msgtype: 'm.text', body: text });
    return encryptedEvent(SENDER, roomId, content);
  }
  const received = (room: string) =>
    logs.filter((l) => l.msg === 'room key received' && (l.obj as { roomId?: string }).roomId === room)
      .length;

  it('is read from the bot device’s inbox (/sync) when a message needs it, and the message decrypts', async () => {
    bot = await open(LOSER);
    other = await open(SENDER);
    const clear = await bot.decrypt(await lostKey(`!lost1:${SERVER}`, 'hallo'));
    expect(clear).toEqual({ type: 'm.room.message', content: { msgtype: 'm.text', body: 'hallo' } });
    expect(
      logs.some((l) => l.msg.includes('read from /sync') && (l.obj as { userId?: string }).userId === LOSER),
    ).toBe(true);
  }, 60_000);

  it('a second lost key, later, is found the same way, reading on from the first catch-up (nothing twice)', async () => {
    const clear = await bot.decrypt(await lostKey(`!lost2:${SERVER}`, 'noch eins'));
    expect(clear.content.body).toBe('noch eins');
    expect(received(`!lost1:${SERVER}`)).toBe(1);
    expect(received(`!lost2:${SERVER}`)).toBe(1);
  }, 60_000);

  it('the same event arriving late in a transaction after the catch-up is not taken in again', async () => {
    const warnings = logs.length;
    // What the catch-up read: the inbox's last events, as a late transaction would bring them.
    const inbox: Record<string, unknown>[] = [];
    const spy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (urlOf(input).includes('/sync?')) {
        const body = (await res.clone().json()) as { to_device?: { events?: Record<string, unknown>[] } };
        inbox.push(...(body.to_device?.events ?? []));
      }
      return res;
    };
    bot.close();
    bot = await open(LOSER, { fetch: spy });
    const clear = await bot.decrypt(await lostKey(`!lost3:${SERVER}`, 'spät'));
    expect(clear.content.body).toBe('spät');
    expect(inbox.length).toBeGreaterThan(0);
    await bot.receive({
      toDevice: inbox.map((e) => ({ ...e, to_user_id: LOSER, to_device_id: bot.deviceId })),
      changed: [],
      left: [],
    });
    // (The restart's catch-up read the inbox from its start: replays of lost1/2 there, at debug.)
    const failed = logs
      .slice(warnings)
      .filter((l) => l.msg === 'to-device event could not be decrypted')
      .map((l) => (l.obj as { via: string }).via);
    expect(failed).not.toContain('transaction');
    expect(received(`!lost3:${SERVER}`)).toBe(1);
  }, 60_000);

  it('a message whose key was never sent to the bot still fails as missing', async () => {
    // Encrypted for SENDER only: LOSER's inbox has nothing for it.
    const failure: unknown = await bot
      .decrypt(await lostKey(`!lost4:${SERVER}`, 'nicht für dich', [SENDER]))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(decryptionErrorText(failure)).toMatch(/^MissingRoomKey: Can't find the room key/);
    bot.close();
    other.close();
  }, 60_000);
});
