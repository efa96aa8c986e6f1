/**
 * One bot user's end-to-end encryption: a `matrix-sdk-crypto` `OlmMachine` (WASM, no native binary)
 * on a device the appservice creates for it (MSC4190), fed from the appservice transactions
 * (to-device events, device lists, one-time-key counts: MSC2409 / MSC3202). Every request the
 * machine asks for is sent as the bot user on that device (`user_id` and `device_id` query
 * parameters, the appservice's identity assertion). Each batch of changes is saved (sealed) to
 * Postgres before the caller goes on; see store.ts.
 */
import * as sdk from '@matrix-org/matrix-sdk-crypto-wasm';
import type { Logger } from '@mana/logging';
import { createHash, randomBytes } from 'node:crypto';
import { MatrixRequestError } from '../matrix.ts';
import { withRetry } from '../retry.ts';
import {
  restoreSession,
  sessionsIn,
  setUpBackup,
  type ActiveBackup,
  type BackupContext,
  type BackupKeyStore,
  type BackupMetrics,
} from './backup.ts';
import { restoreDatabases, snapshotDatabases, type CryptoStore } from './store.ts';

let loaded: Promise<void> | undefined;
/** Loads the WASM module once per process. */
export const loadCryptoWasm = (): Promise<void> => (loaded ??= sdk.initAsync());

export interface BotCryptoOptions {
  userId: string;
  displayName: string;
  homeserverUrl: string;
  asToken: string;
  store: CryptoStore;
  /** The sealed recovery keys of the key backup; without it, no backup (see backup.ts). */
  backupKeys?: BackupKeyStore;
  metrics?: BackupMetrics;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  retryMaxMs: number;
  /** First wait before a failed backup upload is tried again (doubling up to 60 s). */
  backupRetryMs?: number;
  fetch?: typeof fetch;
}

/** To-device events, device lists and key counts of one transaction, for one bot device. */
export interface SyncChanges {
  toDevice: Record<string, unknown>[];
  changed: string[];
  left: string[];
  oneTimeKeyCounts?: Record<string, number>;
  unusedFallbackKeyTypes?: string[];
}

export interface DecryptedEvent {
  type: string;
  content: Record<string, unknown>;
}

export interface BotCrypto {
  readonly userId: string;
  readonly deviceId: string;
  /** The key backup version the machine backs up to (undefined without a backup). */
  readonly backupVersion: string | undefined;
  receive(changes: SyncChanges): Promise<void>;
  /**
   * The decrypted event of an `m.room.encrypted` one; throws when its keys are missing, after
   * asking the sender's devices for them (an `m.room_key_request`).
   */
  decrypt(event: { room_id: string }): Promise<DecryptedEvent>;
  /** `m.room.encrypted` content for a room event, the room key shared with `members`' devices first. */
  encrypt(
    roomId: string,
    members: string[],
    type: string,
    content: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  close(): void;
}

/**
 * The text of a decryption failure: the WASM `MegolmDecryptionError` is not an `Error` (its
 * `String()` is `[object Object]`), its reason is in `code` and `description`.
 */
export function decryptionErrorText(err: unknown): string {
  if (err instanceof sdk.MegolmDecryptionError)
    return `${sdk.DecryptionErrorCode[err.code] ?? err.code}: ${err.description}`;
  return err instanceof Error ? err.message : String(err);
}

function storePrefix(userId: string): string {
  return `mana-crypto:${userId}`;
}

export async function openBotCrypto(options: BotCryptoOptions): Promise<BotCrypto> {
  await loadCryptoWasm();
  const { userId, store, log } = options;
  const base = options.homeserverUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const saved = await store.load(userId);
  // Read (unsealed) first, like the snapshot: a wrong BOT_CRYPTO_STORE_KEY stops here.
  const sealedBackup = await options.backupKeys?.load(userId);
  // Device ids are ours to choose (MSC4190); a new one only when nothing was saved.
  const deviceId = saved?.deviceId ?? `MANA${randomBytes(5).toString('hex').toUpperCase()}`;
  if (saved) await restoreDatabases(saved.snapshot);

  async function request(method: string, path: string, body?: unknown, asDevice = true): Promise<unknown> {
    const qs = new URLSearchParams({ user_id: userId, ...(asDevice ? { device_id: deviceId } : {}) });
    return withRetry(
      async () => {
        const res = await doFetch(`${base}${path}${path.includes('?') ? '&' : '?'}${qs.toString()}`, {
          method,
          headers: { authorization: `Bearer ${options.asToken}`, 'content-type': 'application/json' },
          // A GET has no body (fetch refuses one).
          ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
        });
        const text = await res.text();
        const parsed: unknown = text ? JSON.parse(text) : {};
        if (!res.ok) throw new MatrixRequestError(`${method} ${path}`, res.status, parsed);
        return parsed;
      },
      {
        maxElapsedMs: options.retryMaxMs,
        onRetry: ({ attempt, delayMs, reason }) =>
          log.warn({ what: path, attempt, delayMs, reason }, 'crypto request failed, retrying'),
      },
    );
  }

  /**
   * A new device means the old one's store is gone: its keys can decrypt nothing any more, yet
   * senders would keep encrypting to it. Our earlier devices (`MANA…`) are deleted, so clients
   * see one device again (an appservice needs no UIA for that, MSC4190). Not fatal when it fails.
   */
  async function removeDeadDevices(): Promise<void> {
    try {
      const { devices } = (await request('GET', '/_matrix/client/v3/devices', undefined, false)) as {
        devices?: { device_id: string }[];
      };
      const dead = (devices ?? [])
        .map((d) => d.device_id)
        .filter((d) => d !== deviceId && d.startsWith('MANA'));
      for (const d of dead)
        await request('DELETE', `/_matrix/client/v3/devices/${encodeURIComponent(d)}`, {}, false);
      if (dead.length > 0) log.info({ userId, deviceId, removed: dead }, 'devices without a store removed');
    } catch (err) {
      log.warn({ err, userId }, 'could not remove the devices without a store');
    }
  }

  // The device first: requests with `device_id` need it to exist.
  await request(
    'PUT',
    `/_matrix/client/v3/devices/${encodeURIComponent(deviceId)}`,
    {
      display_name: options.displayName,
    },
    false,
  );
  if (!saved) await removeDeadDevices();
  const machine = await sdk.OlmMachine.initialize(
    new sdk.UserId(userId),
    new sdk.DeviceId(deviceId),
    storePrefix(userId),
  );
  machine.roomKeyRequestsEnabled = true;

  const enc = encodeURIComponent;
  /** Where each kind of request goes (the client-server API's endpoints for them). */
  function route(req: sdk.OutgoingRequest): [method: string, path: string] {
    switch (req.type) {
      case sdk.RequestType.KeysUpload:
        return ['POST', '/_matrix/client/v3/keys/upload'];
      case sdk.RequestType.KeysQuery:
        return ['POST', '/_matrix/client/v3/keys/query'];
      case sdk.RequestType.KeysClaim:
        return ['POST', '/_matrix/client/v3/keys/claim'];
      case sdk.RequestType.SignatureUpload:
        return ['POST', '/_matrix/client/v3/keys/signatures/upload'];
      case sdk.RequestType.ToDevice: {
        const r = req as sdk.ToDeviceRequest;
        return ['PUT', `/_matrix/client/v3/sendToDevice/${enc(r.event_type)}/${enc(r.txn_id)}`];
      }
      case sdk.RequestType.RoomMessage: {
        const r = req as sdk.RoomMessageRequest;
        return [
          'PUT',
          `/_matrix/client/v3/rooms/${enc(r.room_id)}/send/${enc(r.event_type)}/${enc(r.txn_id)}`,
        ];
      }
      case sdk.RequestType.KeysBackup: {
        const r = req as sdk.KeysBackupRequest;
        return ['PUT', `/_matrix/client/v3/room_keys/keys?version=${enc(r.version)}`];
      }
    }
  }
  async function send(req: sdk.OutgoingRequest): Promise<void> {
    const [method, path] = route(req);
    const res = await request(method, path, JSON.parse(req.body));
    if (req.id) await machine.markRequestAsSent(req.id, req.type, JSON.stringify(res));
  }

  /** Sends what the machine asks for until it asks for nothing more (keys query → claim …). */
  async function flush(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      const requests = await machine.outgoingRequests();
      if (requests.length === 0) return;
      for (const r of requests) await send(r);
    }
  }

  async function save(): Promise<void> {
    await store.save(userId, { deviceId, snapshot: await snapshotDatabases(storePrefix(userId)) });
  }

  // One operation at a time per machine: outgoing requests and the snapshot must not interleave.
  let tail: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  }

  const backupContext: BackupContext | undefined = options.backupKeys && {
    userId,
    machine,
    request,
    keys: options.backupKeys,
    log,
    metrics: options.metrics,
  };
  let backup: ActiveBackup | undefined;

  await serial(async () => {
    await flush();
    const status = await machine.crossSigningStatus();
    if (!status.hasMaster || !status.hasSelfSigning || !status.hasUserSigning) {
      // The bot's own master, self-signing and user-signing keys; its device signed by them.
      const boot = await machine.bootstrapCrossSigning(true);
      const uploadKeys = boot.uploadKeysRequest as sdk.KeysUploadRequest | undefined;
      if (uploadKeys) await send(uploadKeys);
      await request(
        'POST',
        '/_matrix/client/v3/keys/device_signing/upload',
        JSON.parse(boot.uploadSigningKeysRequest.body),
      );
      await send(boot.uploadSignaturesRequest);
      log.info({ userId, deviceId }, 'bot cross-signing keys created');
    }
    // After cross-signing, so the backup is signed by the master key too; a new store (nothing
    // saved: a new device) restores the backed-up room keys before the first event is read.
    if (backupContext) backup = await setUpBackup(backupContext, sealedBackup, saved === undefined);
    await flush();
    await save();
  });
  log.info({ userId, deviceId, restored: saved !== undefined }, 'bot crypto ready');

  /*
   * Room keys go to the backup in the background, after each batch that can bring new sessions
   * (a transaction's to-device events, an encryption): not before the transaction is acknowledged,
   * since the keys are already safe in the sealed store snapshot by then and the upload would only
   * add latency. One upload at a time; a failure (Synapse down past the request's own retries) is
   * logged at warn and tried again later, with a doubling wait (up to 60 s), until it goes through.
   */
  const retryFirstMs = options.backupRetryMs ?? 5_000;
  let retryMs = retryFirstMs;
  let running = false;
  let again = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;
  async function uploadPending(): Promise<void> {
    for (;;) {
      const req = await machine.backupRoomKeys();
      if (!req) return;
      const count = sessionsIn(req.body);
      // Sent like any request of the machine (`route`), but marked as sent in turn with the others.
      const [method, path] = route(req);
      let res: unknown;
      try {
        res = await request(method, path, JSON.parse(req.body));
      } catch (err) {
        options.metrics?.keys.inc({ result: 'failed' }, count);
        throw err;
      }
      // Not saved right away: the next batch's snapshot keeps it; lost, the keys are sent again.
      await serial(() => machine.markRequestAsSent(req.id, req.type, JSON.stringify(res)));
      options.metrics?.keys.inc({ result: 'uploaded' }, count);
      log.debug({ userId, version: req.version, count }, 'room keys backed up');
    }
  }
  function backUpSoon(): void {
    if (!backup || closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      try {
        do {
          again = false;
          await uploadPending();
        } while (again && !closed);
        retryMs = retryFirstMs;
      } catch (err) {
        if (closed) return;
        log.warn({ err, userId, retryInMs: retryMs }, 'room key backup failed, trying again later');
        clearTimeout(retryTimer);
        retryTimer = setTimeout(backUpSoon, retryMs);
        retryMs = Math.min(retryMs * 2, 60_000);
      } finally {
        running = false;
      }
    })();
  }
  backUpSoon(); // what the last run did not get to, and the start-up's own sessions

  /** The event's session is unknown or starts later than its index: a room key may yet be found. */
  const isMissingKey = (err: unknown) =>
    err instanceof sdk.MegolmDecryptionError &&
    (err.code === sdk.DecryptionErrorCode.MissingRoomKey ||
      err.code === sdk.DecryptionErrorCode.UnknownMessageIndex);

  /** A missing (or too new) room key may be in the backup: fetched once per session. */
  const askedBackup = new Set<string>();
  async function fromBackup(event: { room_id: string }, err: unknown): Promise<boolean> {
    const sessionId = (event as { content?: { session_id?: unknown } }).content?.session_id;
    if (!backup || !backupContext || typeof sessionId !== 'string' || !isMissingKey(err)) return false;
    const key = `${event.room_id}|${sessionId}`;
    if (askedBackup.has(key)) return false;
    askedBackup.add(key);
    try {
      return await restoreSession(backupContext, backup, event.room_id, sessionId);
    } catch (e) {
      log.warn({ err: e, userId, sessionId }, 'could not fetch a room key from the backup');
      return false;
    }
  }

  /** What `receiveSyncChanges` made of to-device events: room keys at debug, Olm failures at warn. */
  function logProcessed(processed: sdk.ProcessedToDeviceEvent[], via: 'transaction' | 'sync'): number {
    let roomKeys = 0;
    for (const p of processed) {
      if (p.type === sdk.ProcessedToDeviceEventType.Decrypted) {
        const ev = JSON.parse(p.rawEvent) as {
          type?: string;
          sender?: string;
          content?: Record<string, unknown>;
        };
        if (ev.type !== 'm.room_key' && ev.type !== 'm.forwarded_room_key') continue;
        roomKeys++;
        log.debug(
          { userId, via, sender: ev.sender, roomId: ev.content?.room_id, sessionId: ev.content?.session_id },
          'room key received',
        );
      } else if (p.type === sdk.ProcessedToDeviceEventType.UnableToDecrypt) {
        const ev = JSON.parse(p.rawEvent) as { sender?: string };
        // After a catch-up the appservice may still bring a message already taken in: a replay.
        log[via === 'sync' ? 'debug' : 'warn'](
          { userId, via, sender: ev.sender, reason: (p as sdk.UTDToDeviceEvent).utdInfo.reason },
          'to-device event could not be decrypted',
        );
      }
    }
    return roomKeys;
  }

  /**
   * Synapse loses some to-device events on their way to the appservice under concurrency (issue
   * #18): each `sendToDevice` notifies the appservice handler with its own stream id and only its
   * own recipients, and the handler moves the appservice's `to_device` position up to that id
   * whatever it found; when two sends finish out of order, the earlier one's events (a client's
   * room key for the bot) lie below the position and are never sent. They are still in the bot
   * device's inbox (an appservice's delivery does not delete them), so a missing room key reads
   * the inbox through `/sync` as the bot's device, to-device events only, page by page. The token
   * is kept (in memory) so the next catch-up reads only what came since; a restart reads the
   * inbox once from its start (replays of events taken in already fail to decrypt, harmlessly).
   */
  let syncSince: string | undefined;
  /**
   * To-device events taken in lately (by their content), by either way: a catch-up often reads an
   * event whose transaction is only late, not lost. Taken in twice, an Olm message fails to decrypt
   * the second time (its key is used up) and the machine may then treat the session as wedged.
   */
  const seen = new Set<string>();
  function firstTime(events: unknown[]): unknown[] {
    return events.filter((e) => {
      const content = (e as { content?: unknown }).content;
      const key = createHash('sha256')
        .update(JSON.stringify(content ?? null))
        .digest('base64');
      if (seen.has(key)) return false;
      seen.add(key);
      if (seen.size > 2_000) seen.delete(seen.values().next().value!);
      return true;
    });
  }
  let catchingUp: Promise<number> | undefined;
  const toDeviceOnly = JSON.stringify({
    room: { rooms: [] },
    presence: { not_types: ['*'] },
    account_data: { not_types: ['*'] },
  });
  async function catchUpToDevice(): Promise<number> {
    let roomKeys = 0;
    for (let page = 0; page < 50; page++) {
      const qs = new URLSearchParams({ filter: toDeviceOnly, timeout: '0', set_presence: 'offline' });
      if (syncSince) qs.set('since', syncSince);
      const res = (await request('GET', `/_matrix/client/v3/sync?${qs.toString()}`)) as {
        next_batch?: string;
        to_device?: { events?: unknown[] };
      };
      const events = firstTime(res.to_device?.events ?? []);
      if (events.length > 0) {
        const processed = await machine.receiveSyncChanges(
          JSON.stringify(events),
          new sdk.DeviceLists(),
          new Map(),
          undefined,
          new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted),
        );
        roomKeys += logProcessed(processed, 'sync');
        // Saved before the next request acknowledges (deletes) these events on the homeserver.
        await flush();
        await save();
      }
      if (res.next_batch) syncSince = res.next_batch;
      if ((res.to_device?.events ?? []).length === 0 || !res.next_batch) break;
    }
    if (roomKeys > 0) {
      log.info({ userId, roomKeys }, 'room keys the appservice transactions missed, read from /sync');
      backUpSoon();
    }
    return roomKeys;
  }
  /** One catch-up at a time; callers arriving meanwhile share it. */
  function catchUp(): Promise<number> {
    catchingUp ??= catchUpToDevice().finally(() => (catchingUp = undefined));
    return catchingUp;
  }

  const decryptOnce = async (event: { room_id: string }) =>
    machine.decryptRoomEvent(
      JSON.stringify(event),
      new sdk.RoomId(event.room_id),
      new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted),
    );

  /** A missing room key from the bot device's inbox (catch-up), else from the key backup. */
  async function recover(
    event: { room_id: string },
    err: unknown,
  ): Promise<sdk.DecryptedRoomEvent | undefined> {
    if (isMissingKey(err)) {
      const keys = await catchUp().catch((e: unknown) => {
        log.warn({ err: e, userId }, 'could not read to-device events from /sync');
        return 0;
      });
      if (keys > 0) {
        try {
          return await decryptOnce(event);
        } catch {
          // Not this event's key: the backup may have it.
        }
      }
    }
    if (!(await fromBackup(event, err))) return undefined;
    const decrypted = await decryptOnce(event);
    await save();
    return decrypted;
  }

  return {
    userId,
    deviceId,
    get backupVersion() {
      return backup?.version;
    },
    receive: (changes) =>
      serial(async () => {
        const counts = new Map(Object.entries(changes.oneTimeKeyCounts ?? {}));
        const processed = await machine.receiveSyncChanges(
          JSON.stringify(firstTime(changes.toDevice)),
          new sdk.DeviceLists(
            changes.changed.map((u) => new sdk.UserId(u)),
            changes.left.map((u) => new sdk.UserId(u)),
          ),
          counts,
          changes.unusedFallbackKeyTypes ? new Set(changes.unusedFallbackKeyTypes) : undefined,
          new sdk.DecryptionSettings(sdk.TrustRequirement.Untrusted),
        );
        logProcessed(processed, 'transaction');
        try {
          await flush();
          await save();
        } finally {
          // Room keys come as to-device events: a batch without any has nothing to back up.
          if (changes.toDevice.length > 0) backUpSoon(); // also when a request or the snapshot failed
        }
      }),
    decrypt: (event) =>
      serial(async () => {
        let decrypted: sdk.DecryptedRoomEvent;
        try {
          decrypted = await decryptOnce(event);
        } catch (err) {
          const recovered = await recover(event, err);
          if (!recovered) {
            // A missing session queues a room key request: send it now.
            await flush().catch((e: unknown) => log.warn({ err: e }, 'room key request failed'));
            throw err;
          }
          decrypted = recovered;
        }
        const clear = JSON.parse(decrypted.event) as { type?: unknown; content?: unknown };
        if (typeof clear.type !== 'string' || typeof clear.content !== 'object' || clear.content === null)
          throw new Error('decrypted event has no type or content');
        return { type: clear.type, content: clear.content as Record<string, unknown> };
      }),
    encrypt: (roomId, members, type, content) =>
      serial(async () => {
        // Fresh ids for every call: the WASM side takes ownership of (frees) the ones it is given.
        const users = () => members.map((u) => new sdk.UserId(u));
        await machine.updateTrackedUsers(users());
        await flush(); // keys query for new members
        const claim = await machine.getMissingSessions(users());
        if (claim) await send(claim);
        const settings = new sdk.EncryptionSettings();
        let shared = false;
        for (const r of await machine.shareRoomKey(new sdk.RoomId(roomId), users(), settings)) {
          shared = true;
          await send(r);
        }
        const encrypted = JSON.parse(
          await machine.encryptRoomEvent(new sdk.RoomId(roomId), type, JSON.stringify(content)),
        ) as Record<string, unknown>;
        await flush();
        await save();
        // A new outbound session (it is always shared first) is an inbound one of ours too; a reply
        // in a session already shared has no key to back up, and skips the store scan.
        if (shared) backUpSoon();
        return encrypted;
      }),
    close: () => {
      closed = true;
      clearTimeout(retryTimer);
      machine.close();
    },
  };
}
