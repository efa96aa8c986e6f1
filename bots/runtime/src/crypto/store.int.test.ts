/**
 * The crypto store against a real Postgres and the real WASM machine: an Olm account saved as a
 * sealed snapshot comes back with the same identity keys after its in-memory IndexedDB is gone (a
 * restart), and a wrong key or an altered row is refused rather than silently read.
 */
import { ConfigError } from '@mana/config';
import * as sdk from '@matrix-org/matrix-sdk-crypto-wasm';
import { createTestDatabase, type TestDatabase } from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntimeState, type RuntimeState } from '../state.ts';
import { loadCryptoWasm } from './machine.ts';
import {
  parseStoreKey,
  postgresCryptoStore,
  restoreDatabases,
  seal,
  snapshotDatabases,
  unseal,
} from './store.ts';

let db: TestDatabase;
let state: RuntimeState;

beforeAll(async () => {
  db = await createTestDatabase('bots_crypto_store');
  state = await openRuntimeState({ databaseUrl: db.url, schema: 'bots', appserviceId: 'mana-bots' });
  await loadCryptoWasm();
}, 60_000);

afterAll(async () => {
  await state?.close();
  await db?.drop();
});

async function dropAll(prefix: string) {
  for (const d of await indexedDB.databases())
    if (d.name?.startsWith(prefix))
      await new Promise((resolve) => {
        indexedDB.deleteDatabase(d.name!).onsuccess = resolve;
      });
}

describe('crypto store', () => {
  it('an Olm account survives the loss of its in-memory store through the sealed snapshot', async () => {
    const userId = '@todo:mana.test';
    const prefix = `test-store:${userId}`;
    const key = randomBytes(32);
    const store = postgresCryptoStore(state.sql, key);
    const first = await sdk.OlmMachine.initialize(new sdk.UserId(userId), new sdk.DeviceId('MANAA1'), prefix);
    const identity = first.identityKeys.curve25519.toBase64();
    await first.outgoingRequests();
    await store.save(userId, { deviceId: 'MANAA1', snapshot: await snapshotDatabases(prefix) });
    first.close();
    await dropAll(prefix);
    expect((await indexedDB.databases()).some((d) => d.name?.startsWith(prefix))).toBe(false);

    const row = await store.load(userId);
    expect(row?.deviceId).toBe('MANAA1');
    await restoreDatabases(row!.snapshot);
    const again = await sdk.OlmMachine.initialize(new sdk.UserId(userId), new sdk.DeviceId('MANAA1'), prefix);
    expect(again.identityKeys.curve25519.toBase64()).toBe(identity);
    again.close();

    // The row is ciphertext: the key's owner reads it, a wrong key does not.
    const [raw] = await state.sql<
      { sealed: Buffer }[]
    >`select sealed from crypto_stores where user_id = ${userId}`;
    expect(raw?.sealed.includes(Buffer.from(identity))).toBe(false);
    const wrong = postgresCryptoStore(state.sql, randomBytes(32)).load(userId);
    await expect(wrong).rejects.toThrow(/BOT_CRYPTO_STORE_KEY: does not open the crypto store of @todo/);
    // A ConfigError: the runner exits 78 (bad configuration) naming the variable.
    await expect(wrong).rejects.toBeInstanceOf(ConfigError);
  }, 60_000);

  it('seal: authenticated (altered bytes, another user id refused); parseStoreKey wants 32 bytes', () => {
    const key = randomBytes(32);
    const sealed = seal(key, Buffer.from('olm'), '@a:x|D');
    expect(unseal(key, sealed, '@a:x|D').toString()).toBe('olm');
    expect(() => unseal(key, sealed, '@b:x|D')).toThrow();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    expect(() => unseal(key, altered, '@a:x|D')).toThrow();
    expect(parseStoreKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseStoreKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(() => parseStoreKey('too short')).toThrow(/32 bytes/);
  });
});
