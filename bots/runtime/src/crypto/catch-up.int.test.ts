/**
 * Issue #18's lost room keys: Synapse skips some to-device events on their way to the appservice
 * under concurrency (see `catchUpToDevice` in machine.ts), so a bot can lack a room key that is in
 * its device's inbox. Here the loss is made certain: another device (a second bot user) sends BOT a
 * room key through a real Synapse, and it is never handed to BOT's `receive` (the transaction that
 * should have carried it never came). BOT must still decrypt the message, by reading the inbox
 * through `/sync`; and a second lost key later is found the same way, from where the first read
 * stopped. Real Synapse (appservice with the E2EE switches), Postgres and WASM machines.
 */
import {
  createTestDatabase,
  freePort,
  startSynapse,
  type SynapseHandle,
  type TestDatabase,
} from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntimeState, type RuntimeState } from '../state.ts';
import { openBotCrypto, type BotCrypto, type BotCryptoOptions } from './machine.ts';
import { postgresCryptoStore } from './store.ts';

const SERVER = 'mana.test';
const BOT = `@cubot:${SERVER}`;
const OTHER = `@cuother:${SERVER}`;
const asToken = randomBytes(24).toString('hex');

let synapse: SynapseHandle;
let db: TestDatabase;
let state: RuntimeState;
const logs: { obj: unknown; msg: string }[] = [];
const log = {
  info: (obj: unknown, msg: string) => void logs.push({ obj, msg }),
  warn: (obj: unknown, msg: string) => void logs.push({ obj, msg }),
  debug: (obj: unknown, msg: string) => void logs.push({ obj, msg }),
} as unknown as BotCryptoOptions['log'];

async function register(username: string) {
  const res = await fetch(
    `${synapse.baseUrl}/_matrix/client/v3/register?user_id=${encodeURIComponent(`@mana:${SERVER}`)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${asToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.application_service', username, inhibit_login: true }),
    },
  );
  expect(res.ok).toBe(true);
}

const open = (userId: string): Promise<BotCrypto> =>
  openBotCrypto({
    userId,
    displayName: userId,
    homeserverUrl: synapse.baseUrl,
    asToken,
    store: postgresCryptoStore(state.sql, randomBytes(32)),
    log,
    retryMaxMs: 500,
  });

/** OTHER encrypts a message in `roomId` for BOT; its room key goes to BOT's device through Synapse only. */
async function lostKey(other: BotCrypto, roomId: string, text: string) {
  const content = await other.encrypt(roomId, [OTHER, BOT], 'm.room.message', {
    msgtype: 'm.text',
    body: text,
  });
  return {
    event_id: `$${randomBytes(8).toString('hex')}`,
    type: 'm.room.encrypted',
    sender: OTHER,
    origin_server_ts: Date.now(),
    room_id: roomId,
    content,
  };
}

beforeAll(async () => {
  [db, synapse] = await Promise.all([
    createTestDatabase('bots_crypto_catch_up'),
    startSynapse({
      serverName: SERVER,
      appservices: [
        {
          id: 'mana-bots',
          // Nobody listens: no transaction ever reaches the bots, as if Synapse had skipped them.
          url: `http://127.0.0.1:${await freePort()}`,
          asToken,
          hsToken: randomBytes(24).toString('hex'),
          senderLocalpart: 'mana',
          users: [{ regex: '@cu.*:mana\\.test' }],
          e2ee: true,
        },
      ],
    }),
  ]);
  state = await openRuntimeState({ databaseUrl: db.url, schema: 'bots', appserviceId: 'mana-bots' });
  for (const username of ['cubot', 'cuother']) await register(username);
}, 120_000);

afterAll(async () => {
  await state?.close();
  await synapse?.stop();
  await db?.drop();
});

describe('a room key the appservice transactions never brought', () => {
  let bot: BotCrypto;
  let other: BotCrypto;

  it('is read from the bot device’s inbox (/sync) when a message needs it, and the message decrypts', async () => {
    bot = await open(BOT);
    other = await open(OTHER);
    const event = await lostKey(other, `!first:${SERVER}`, 'hallo');
    const clear = await bot.decrypt(event);
    expect(clear).toEqual({ type: 'm.room.message', content: { msgtype: 'm.text', body: 'hallo' } });
    expect(logs.some((l) => l.msg.includes('read from /sync'))).toBe(true);
  }, 60_000);

  it('a second lost key, later, is found the same way (reading on from the first catch-up)', async () => {
    const event = await lostKey(other, `!second:${SERVER}`, 'noch eins');
    const clear = await bot.decrypt(event);
    expect(clear.content.body).toBe('noch eins');
    // The bot's own room-key receipts: one per room, each read once (nothing read twice).
    const received = logs
      .filter((l) => l.msg === 'room key received')
      .map((l) => (l.obj as { roomId: string }).roomId);
    expect(received.filter((r) => r.startsWith('!first')).length).toBe(1);
    expect(received.filter((r) => r.startsWith('!second')).length).toBe(1);
  }, 60_000);

  it('a message whose key was never sent at all still fails as missing (no endless catch-up)', async () => {
    // Encrypted for OTHER only: BOT never gets a key, not in a transaction nor in its inbox.
    const content = await other.encrypt(`!third:${SERVER}`, [OTHER], 'm.room.message', {
      msgtype: 'm.text',
      body: 'nicht für dich',
    });
    const event = {
      event_id: '$third',
      type: 'm.room.encrypted',
      sender: OTHER,
      origin_server_ts: Date.now(),
      room_id: `!third:${SERVER}`,
      content,
    };
    await expect(bot.decrypt(event)).rejects.toMatchObject({
      description: expect.stringContaining("Can't find the room key"),
    });
  }, 60_000);

  afterAll(() => {
    bot?.close();
    other?.close();
  });
});
