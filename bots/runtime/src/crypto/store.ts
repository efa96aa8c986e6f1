/**
 * A persistent crypto store for the WASM `OlmMachine`: its IndexedDB store lives in memory
 * (`fake-indexeddb`) and each bot user's databases are written to Postgres as one snapshot, sealed
 * with AES-256-GCM under `BOT_CRYPTO_STORE_KEY`, after every batch of changes (see README, "E2EE",
 * for why this rather than a durable IndexedDB). At start-up the snapshot is written back into the
 * in-memory IndexedDB before the machine opens it.
 */
import 'fake-indexeddb/auto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { ConfigError } from '@mana/config';
import type { Sql } from '@mana/db';

interface IndexShape {
  name: string;
  keyPath: string | string[];
  unique: boolean;
  multiEntry: boolean;
}
interface StoreShape {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: IndexShape[];
  /** [key, value] pairs, in key order. */
  records: [IDBValidKey, unknown][];
}
interface DatabaseShape {
  name: string;
  version: number;
  stores: StoreShape[];
}

/** The 32-byte key from `BOT_CRYPTO_STORE_KEY` (base64 or hex); throws naming the problem. */
export function parseStoreKey(raw: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error('must be 32 bytes, as 64 hex digits or base64');
  return key;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(key: Buffer, plain: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Throws when the key is wrong or the data was altered (GCM authentication). */
export function unseal(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES)).setAAD(Buffer.from(aad));
  decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/**
 * `unseal` of what BOT_CRYPTO_STORE_KEY sealed (`what`, for the message). A key that does not open
 * it is bad configuration (the runner exits 78 naming the variable; GCM's own "unable to
 * authenticate data" says nothing of what to fix), never a reason to start afresh and orphan it.
 */
export function unsealStored(key: Buffer, sealed: Uint8Array, aad: string, what: string): Buffer {
  try {
    return unseal(key, sealed, aad);
  } catch {
    throw new ConfigError([
      {
        variable: 'BOT_CRYPTO_STORE_KEY',
        message: `does not open ${what} (a different key, or the row was altered)`,
      },
    ]);
  }
}

const done = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

function open(name: string, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  const req = indexedDB.open(name, version);
  if (upgrade) req.onupgradeneeded = () => upgrade(req.result);
  return done(req);
}

async function dumpDatabase(name: string): Promise<DatabaseShape> {
  const db = await open(name);
  try {
    const names = [...db.objectStoreNames];
    const stores: StoreShape[] = [];
    if (names.length > 0) {
      const tx = db.transaction(names, 'readonly');
      for (const storeName of names) {
        const store = tx.objectStore(storeName);
        const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
        stores.push({
          name: storeName,
          keyPath: store.keyPath,
          autoIncrement: store.autoIncrement,
          indexes: [...store.indexNames].map((i) => {
            const index = store.index(i);
            return { name: i, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
          }),
          records: keys.map((k, i) => [k, values[i]]),
        });
      }
    }
    return { name, version: db.version, stores };
  } finally {
    db.close();
  }
}

async function loadDatabase(shape: DatabaseShape): Promise<void> {
  await done(indexedDB.deleteDatabase(shape.name));
  const db = await open(shape.name, shape.version, (d) => {
    for (const s of shape.stores) {
      const store = d.createObjectStore(s.name, {
        ...(s.keyPath === null ? {} : { keyPath: s.keyPath }),
        autoIncrement: s.autoIncrement,
      });
      for (const i of s.indexes)
        store.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
    }
  });
  try {
    if (shape.stores.length === 0) return;
    const tx = db.transaction(
      shape.stores.map((s) => s.name),
      'readwrite',
    );
    for (const s of shape.stores) {
      const store = tx.objectStore(s.name);
      // Out-of-line keys are given back; in-line keys are inside the value.
      for (const [k, v] of s.records) store.put(v, s.keyPath === null ? k : undefined);
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB restore failed'));
    });
  } finally {
    db.close();
  }
}

/** Every IndexedDB database whose name starts with `prefix`, as one byte string. */
export async function snapshotDatabases(prefix: string): Promise<Uint8Array> {
  const names = (await indexedDB.databases())
    .map((d) => d.name)
    .filter((n): n is string => typeof n === 'string' && n.startsWith(prefix));
  return serialize(await Promise.all(names.map(dumpDatabase)));
}

export async function restoreDatabases(snapshot: Uint8Array): Promise<void> {
  for (const shape of deserialize(snapshot) as DatabaseShape[]) await loadDatabase(shape);
}

export interface CryptoStoreRow {
  deviceId: string;
  snapshot: Uint8Array;
}

/** The sealed snapshots in Postgres (`crypto_stores`), one per bot user. */
export function postgresCryptoStore(sql: Sql, key: Buffer) {
  return {
    async load(userId: string): Promise<CryptoStoreRow | undefined> {
      const rows = await sql<{ device_id: string; sealed: Buffer }[]>`
        select device_id, sealed from crypto_stores where user_id = ${userId}`;
      const row = rows[0];
      if (!row) return undefined;
      const aad = `${userId}|${row.device_id}`;
      return {
        deviceId: row.device_id,
        snapshot: unsealStored(key, row.sealed, aad, `the crypto store of ${userId}`),
      };
    },
    async save(userId: string, row: CryptoStoreRow): Promise<void> {
      const sealed = seal(key, row.snapshot, `${userId}|${row.deviceId}`);
      await sql`
        insert into crypto_stores (user_id, device_id, sealed) values (${userId}, ${row.deviceId}, ${sealed})
        on conflict (user_id) do update set device_id = excluded.device_id, sealed = excluded.sealed, saved_at = now()`;
    },
  };
}
export type CryptoStore = ReturnType<typeof postgresCryptoStore>;
