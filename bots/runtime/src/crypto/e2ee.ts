/**
 * End-to-end encryption for every hosted bot: one `BotCrypto` per bot user, the transaction
 * extensions routed to them (MSC2409 to-device events by `to_user_id`/`to_device_id`, MSC3202
 * device lists and key counts), decryption for the dispatcher, and a `MatrixPort` whose `send`
 * encrypts in encrypted rooms (replies, edits, reactions, placeholders alike).
 */
import type { Logger } from '@mana/logging';
import type { MatrixPort } from '../matrix.ts';
import type { MatrixEvent } from '../state.ts';
import { createEncryptedUploads } from './encrypted-uploads.ts';
import { decryptionErrorText, openBotCrypto, type BotCrypto, type SyncChanges } from './machine.ts';
import type { BackupKeyStore, BackupMetrics } from './backup.ts';
import type { CryptoStore } from './store.ts';

export interface E2eeOptions {
  bots: readonly { userId: string; displayName: string }[];
  homeserverUrl: string;
  asToken: string;
  store: CryptoStore;
  /** The key backup's sealed recovery keys (backup.ts); without it, no key backup. */
  backupKeys?: BackupKeyStore;
  metrics?: BackupMetrics;
  log: Logger;
  retryMaxMs: number;
  fetch?: typeof fetch;
}

export type Decryption =
  | { ok: true; event: MatrixEvent }
  /** No machine (crypto off or not started yet). */
  | { ok: false; reason: 'unavailable' }
  | { ok: false; reason: 'undecryptable'; error: string };

export interface E2ee {
  start(): Promise<void>;
  /** True once every bot has its device and keys. */
  readonly ready: boolean;
  deviceId(userId: string): string | undefined;
  /** The MSC2409 / MSC3202 parts of a transaction body, and m.room.encryption events it carries. */
  receiveTransaction(body: Record<string, unknown>): Promise<void>;
  /** Decrypts with the first of `userIds` (bots in the room) that can. */
  decrypt(event: MatrixEvent, userIds: readonly string[]): Promise<Decryption>;
  /** `matrix` with `send` (and the files its contents name) encrypted in encrypted rooms. */
  port(matrix: MatrixPort): MatrixPort;
  close(): void;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

export function createE2ee(options: E2eeOptions): E2ee {
  const log = options.log.child({ component: 'e2ee' });
  const machines = new Map<string, BotCrypto>();
  /** Rooms known to be encrypted or not (encryption, once on, stays on). */
  const encrypted = new Map<string, boolean>();
  let ready = false;
  /** The key counts last given to each machine: Synapse repeats them in every transaction. */
  const lastCounts = new Map<string, string>();

  async function isEncrypted(userId: string, roomId: string): Promise<boolean> {
    const known = encrypted.get(roomId);
    if (known !== undefined) return known;
    const base = options.homeserverUrl.replace(/\/+$/, '');
    const qs = new URLSearchParams({ user_id: userId });
    const res = await (options.fetch ?? fetch)(
      `${base}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/?${qs.toString()}`,
      { headers: { authorization: `Bearer ${options.asToken}` } },
    );
    await res.body?.cancel();
    // 404: no encryption event. Anything else unexpected: assume plain, ask again next time.
    if (res.ok || res.status === 404) encrypted.set(roomId, res.ok);
    return res.ok;
  }

  /** With the first of `userIds` that has a machine and can (the dispatcher, and events read back). */
  async function decrypt(event: MatrixEvent, userIds: readonly string[]): Promise<Decryption> {
    let error = 'no bot of the room has a crypto device';
    let any = false;
    for (const userId of userIds) {
      const machine = machines.get(userId);
      if (!machine) continue;
      any = true;
      try {
        const clear = await machine.decrypt(event);
        return { ok: true, event: { ...event, type: clear.type, content: clear.content } };
      } catch (err) {
        error = decryptionErrorText(err);
      }
    }
    return any ? { ok: false, reason: 'undecryptable', error } : { ok: false, reason: 'unavailable' };
  }

  return {
    get ready() {
      return ready;
    },
    deviceId: (userId) => machines.get(userId)?.deviceId,
    async start() {
      for (const bot of options.bots) {
        machines.set(
          bot.userId,
          await openBotCrypto({
            userId: bot.userId,
            displayName: bot.displayName,
            homeserverUrl: options.homeserverUrl,
            asToken: options.asToken,
            store: options.store,
            ...(options.backupKeys ? { backupKeys: options.backupKeys } : {}),
            ...(options.metrics ? { metrics: options.metrics } : {}),
            log,
            retryMaxMs: options.retryMaxMs,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
        );
      }
      ready = true;
    },
    async receiveTransaction(body) {
      for (const e of Array.isArray(body.events) ? body.events : []) {
        const ev = obj(e);
        if (ev?.type === 'm.room.encryption' && ev.state_key === '' && typeof ev.room_id === 'string')
          encrypted.set(ev.room_id, true);
        if (ev?.type === 'm.room.encrypted' && typeof ev.room_id === 'string')
          encrypted.set(ev.room_id, true);
      }
      if (machines.size === 0) return;
      const toDevice = Array.isArray(body['de.sorunome.msc2409.to_device'])
        ? (body['de.sorunome.msc2409.to_device'] as unknown[])
        : [];
      const lists = obj(body['org.matrix.msc3202.device_lists']);
      const changed = strings(lists?.changed);
      const left = strings(lists?.left);
      const counts = obj(body['org.matrix.msc3202.device_one_time_keys_count']);
      const fallback = obj(body['org.matrix.msc3202.device_unused_fallback_key_types']);
      const work: Promise<void>[] = [];
      for (const machine of machines.values()) {
        const mine = toDevice
          .map(obj)
          .filter(
            (m): m is Record<string, unknown> =>
              m !== undefined && m.to_user_id === machine.userId && m.to_device_id === machine.deviceId,
          );
        const count = obj(obj(counts?.[machine.userId])?.[machine.deviceId]);
        const fallbackTypes = obj(fallback?.[machine.userId])?.[machine.deviceId];
        const countsKey = JSON.stringify([count, fallbackTypes]);
        const sameCounts = lastCounts.get(machine.userId) === countsKey;
        // Nothing new for this machine: no work, no snapshot, no delay for the acknowledgement.
        if (mine.length === 0 && changed.length === 0 && left.length === 0 && (sameCounts || !count))
          continue;
        lastCounts.set(machine.userId, countsKey);
        const changes: SyncChanges = {
          toDevice: mine,
          changed,
          left,
          ...(count
            ? {
                oneTimeKeyCounts: Object.fromEntries(
                  Object.entries(count).filter((kv): kv is [string, number] => typeof kv[1] === 'number'),
                ),
              }
            : {}),
          ...(Array.isArray(fallbackTypes) ? { unusedFallbackKeyTypes: strings(fallbackTypes) } : {}),
        };
        work.push(
          machine.receive(changes).catch((err: unknown) => {
            log.error({ err, userId: machine.userId }, 'crypto changes of a transaction failed');
          }),
        );
      }
      await Promise.all(work);
    },
    decrypt,
    port(matrix) {
      const files = createEncryptedUploads();
      return {
        ...matrix,
        async uploadMedia(userId, bytes, upload) {
          if (!machines.has(userId) || !(await isEncrypted(userId, upload.roomId)))
            return matrix.uploadMedia(userId, bytes, upload);
          return files.upload(matrix, userId, bytes, upload);
        },
        /**
         * An encrypted event read back (🗣 on a message, `ctx.event`) is decrypted as one arriving
         * in a transaction; one that cannot be decrypted is returned as it is (no text to read).
         * An edit of an encrypted message is itself encrypted, so the original text is read.
         */
        async getEvent(userId, roomId, eventId) {
          const ev = await matrix.getEvent(userId, roomId, eventId);
          if (!ev || ev.type !== 'm.room.encrypted') return ev;
          const raw = {
            event_id: eventId,
            room_id: roomId,
            type: ev.type,
            sender: ev.sender,
            content: ev.content,
            origin_server_ts: ev.originServerTs ?? 0,
          };
          const result = await decrypt(raw, [userId]);
          if (!result.ok) {
            if (result.reason === 'undecryptable')
              log.info({ err: result.error, eventId }, 'could not decrypt an event read back');
            return ev;
          }
          const { edited: _, ...rest } = ev;
          return { ...rest, type: result.event.type, content: result.event.content };
        },
        async send(userId, roomId, type, content, txnKey) {
          const machine = machines.get(userId);
          if (!machine || !(await isEncrypted(userId, roomId)))
            return matrix.send(userId, roomId, type, content, txnKey);
          const members = await matrix.joinedMembers(userId, roomId);
          const sealed = await machine.encrypt(roomId, members, type, files.forEncryptedRoom(content));
          return matrix.send(userId, roomId, 'm.room.encrypted', sealed, txnKey);
        },
      };
    },
    close() {
      for (const m of machines.values()) m.close();
    },
  };
}
