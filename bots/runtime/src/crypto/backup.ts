/**
 * Server-side key backup for a bot user (`m.megolm_backup.v1.curve25519-aes-sha2`): its Megolm
 * inbound sessions, encrypted to the backup's public key, kept on the homeserver, so a bot that
 * loses its crypto store (a new device) restores them and reads what was sent to the old one. The
 * recovery key (the backup's private key) is sealed in Postgres (`crypto_backup_keys`) under
 * `BOT_CRYPTO_STORE_KEY`, apart from the store snapshot it is meant to replace. Uploading the keys
 * is machine.ts's (after each batch, in the background); this file sets the backup up at start-up
 * and restores from it.
 */
import * as sdk from '@matrix-org/matrix-sdk-crypto-wasm';
import type { Sql } from '@mana/db';
import type { Logger } from '@mana/logging';
import type { Counter } from 'prom-client';
import { MatrixRequestError } from '../matrix.ts';
import { seal, unsealStored } from './store.ts';

export const BACKUP_ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';

export interface BackupKeyRow {
  version: string;
  /** The recovery key, base64 (`BackupDecryptionKey.toBase64()`). */
  key: string;
}

/** Associated data of a sealed recovery key: whose it is and what it is (not a store snapshot). */
const aadOf = (userId: string) => `${userId}|megolm-backup-key`;

/** The sealed recovery keys in Postgres (`crypto_backup_keys`), one per bot user. */
export function postgresBackupKeys(sql: Sql, key: Buffer) {
  return {
    async load(userId: string): Promise<BackupKeyRow | undefined> {
      const rows = await sql<{ version: string; sealed: Buffer }[]>`
        select version, sealed from crypto_backup_keys where user_id = ${userId}`;
      const row = rows[0];
      if (!row) return undefined;
      // Never start on a key we cannot read: a new backup would orphan the old one silently.
      const plain = unsealStored(
        key,
        row.sealed,
        aadOf(userId),
        `the key backup's recovery key of ${userId}`,
      );
      return { version: row.version, key: plain.toString('utf8') };
    },
    async save(userId: string, row: BackupKeyRow): Promise<void> {
      const sealed = seal(key, Buffer.from(row.key, 'utf8'), aadOf(userId));
      await sql`
        insert into crypto_backup_keys (user_id, version, sealed) values (${userId}, ${row.version}, ${sealed})
        on conflict (user_id) do update set version = excluded.version, sealed = excluded.sealed, saved_at = now()`;
    },
  };
}
export type BackupKeyStore = ReturnType<typeof postgresBackupKeys>;

export interface BackupMetrics {
  /** Room keys sent to the backup, by result (uploaded, failed). */
  keys: Counter<'result'>;
  /** Room keys imported from the backup (a new device after its store was lost). */
  restored: Counter;
}

/** Matrix canonical JSON (keys sorted, no whitespace): what signatures are made over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type BackupRequest = (method: string, path: string, body?: unknown) => Promise<unknown>;

export interface BackupContext {
  userId: string;
  machine: sdk.OlmMachine;
  /** machine.ts's request: as the bot user on its device, with its retry. */
  request: BackupRequest;
  keys: BackupKeyStore;
  log: Pick<Logger, 'info' | 'warn'>;
  metrics?: BackupMetrics | undefined;
}

export interface ActiveBackup {
  version: string;
  key: sdk.BackupDecryptionKey;
}

interface ServerVersion {
  version: string;
  algorithm: string;
  auth_data: { public_key?: unknown; signatures?: unknown };
}
interface KeyBackupData {
  session_data: { ephemeral: string; mac: string; ciphertext: string };
}

const VERSION_PATH = '/_matrix/client/v3/room_keys/version';
const enc = encodeURIComponent;

/** The server's current backup version; undefined when it has none (404 `M_NOT_FOUND`). */
async function currentVersion(request: BackupRequest): Promise<ServerVersion | undefined> {
  try {
    return (await request('GET', VERSION_PATH)) as ServerVersion;
  } catch (err) {
    if (err instanceof MatrixRequestError && err.statusCode === 404) return undefined;
    throw err;
  }
}

/** `auth_data` signed by the machine: its device key, and its master key when it has one. */
async function signedAuthData(machine: sdk.OlmMachine, publicKey: string) {
  const authData = { public_key: publicKey };
  const signatures = await machine.sign(canonicalJson(authData));
  return { ...authData, signatures: JSON.parse(signatures.asJSON()) as Record<string, unknown> };
}

/**
 * At start-up: our backup (the sealed recovery key and the server's current version holding its
 * public key), or a new one; the machine then backs up to it. `restore`: the store is new (lost),
 * so every key in the backup is imported before the machine reads its first event.
 */
export async function setUpBackup(
  ctx: BackupContext,
  sealed: BackupKeyRow | undefined,
  restore: boolean,
): Promise<ActiveBackup> {
  const { userId, machine, request, log } = ctx;
  const server = await currentVersion(request);
  let active: ActiveBackup | undefined;
  if (sealed) {
    const ours = sdk.BackupDecryptionKey.fromBase64(sealed.key);
    if (
      server?.algorithm === BACKUP_ALGORITHM &&
      server.auth_data.public_key === ours.megolmV1PublicKey.publicKeyBase64
    ) {
      active = { version: server.version, key: ours };
      // A new device (or new cross-signing keys) has not signed it: sign it again, so the machine
      // (and every other device of the bot) trusts it.
      if (!(await machine.verifyBackup(server)).trusted())
        await request('PUT', `${VERSION_PATH}/${enc(server.version)}`, {
          algorithm: BACKUP_ALGORITHM,
          auth_data: await signedAuthData(machine, ours.megolmV1PublicKey.publicKeyBase64),
          version: server.version,
        });
    } else {
      log.warn(
        { userId, ourVersion: sealed.version, serverVersion: server?.version },
        server
          ? "the server's key backup is not ours (another key): creating a new backup version"
          : 'our key backup is gone from the server: creating a new backup version',
      );
    }
  }
  const created = active === undefined;
  active ??= await createVersion(ctx);
  const publicKey = active.key.megolmV1PublicKey.publicKeyBase64;
  // Keys marked as backed up to another version are to be sent again to this one.
  const previous = (await machine.getBackupKeys()).backupVersion;
  if (previous !== undefined && previous !== active.version) await machine.disableBackup();
  await machine.saveBackupDecryptionKey(active.key, active.version);
  await machine.enableBackupV1(publicKey, active.version);
  if (restore && !created) await restoreAll(ctx, active);
  log.info({ userId, version: active.version, created }, 'key backup ready');
  return active;
}

async function createVersion(ctx: BackupContext): Promise<ActiveBackup> {
  const key = sdk.BackupDecryptionKey.createRandomKey();
  const info = {
    algorithm: BACKUP_ALGORITHM,
    auth_data: await signedAuthData(ctx.machine, key.megolmV1PublicKey.publicKeyBase64),
  };
  if (!(await ctx.machine.verifyBackup(info)).trusted())
    throw new Error(`the machine does not trust its own backup signature (${ctx.userId})`);
  const { version } = (await ctx.request('POST', VERSION_PATH, info)) as { version: string };
  // Sealed in Postgres before anything is backed up to it: keys never go where we cannot follow.
  await ctx.keys.save(ctx.userId, { version, key: key.toBase64() });
  ctx.log.info({ userId: ctx.userId, version }, 'key backup version created');
  return { version, key };
}

/** Decrypts backed-up sessions and imports them; returns how many were imported. */
async function importSessions(
  ctx: BackupContext,
  backup: ActiveBackup,
  rooms: Record<string, { sessions?: Record<string, KeyBackupData> }>,
): Promise<{ imported: number; total: number; failed: number }> {
  const byRoom = new Map<sdk.RoomId, Map<string, unknown>>();
  let total = 0;
  let failed = 0;
  for (const [roomId, room] of Object.entries(rooms)) {
    const sessions = new Map<string, unknown>();
    for (const [sessionId, data] of Object.entries(room.sessions ?? {})) {
      total++;
      try {
        const s = data.session_data;
        sessions.set(sessionId, JSON.parse(backup.key.decryptV1(s.ephemeral, s.mac, s.ciphertext)));
      } catch {
        failed++; // not encrypted to our key (or damaged): skipped, the others still count
      }
    }
    if (sessions.size > 0) byRoom.set(new sdk.RoomId(roomId), sessions);
  }
  if (byRoom.size === 0) return { imported: 0, total, failed };
  const result = await ctx.machine.importBackedUpRoomKeys(byRoom, () => undefined, backup.version);
  ctx.metrics?.restored.inc(result.importedCount);
  return { imported: result.importedCount, total, failed };
}

/** Every key in the backup (one request: a bot's backup is small). */
async function restoreAll(ctx: BackupContext, backup: ActiveBackup): Promise<void> {
  const res = (await ctx.request(
    'GET',
    `/_matrix/client/v3/room_keys/keys?version=${enc(backup.version)}`,
  )) as {
    rooms?: Record<string, { sessions?: Record<string, KeyBackupData> }>;
  };
  const counts = await importSessions(ctx, backup, res.rooms ?? {});
  ctx.log.info(
    { userId: ctx.userId, version: backup.version, ...counts },
    'room keys restored from the backup',
  );
}

/**
 * One session from the backup (a message whose room key we lack); true when it was imported.
 * A 404 (not backed up) is no error.
 */
export async function restoreSession(
  ctx: BackupContext,
  backup: ActiveBackup,
  roomId: string,
  sessionId: string,
): Promise<boolean> {
  let data: KeyBackupData;
  try {
    data = (await ctx.request(
      'GET',
      `/_matrix/client/v3/room_keys/keys/${enc(roomId)}/${enc(sessionId)}?version=${enc(backup.version)}`,
    )) as KeyBackupData;
  } catch (err) {
    if (err instanceof MatrixRequestError && err.statusCode === 404) return false;
    throw err;
  }
  const { imported } = await importSessions(ctx, backup, { [roomId]: { sessions: { [sessionId]: data } } });
  if (imported > 0)
    ctx.log.info({ userId: ctx.userId, roomId, sessionId }, 'room key restored from the backup');
  return imported > 0;
}

/** How many sessions a `KeysBackupRequest` body carries (for the metric). */
export function sessionsIn(body: string): number {
  const { rooms } = JSON.parse(body) as { rooms?: Record<string, { sessions?: Record<string, unknown> }> };
  return Object.values(rooms ?? {}).reduce((n, r) => n + Object.keys(r.sessions ?? {}).length, 0);
}
