/**
 * One local replica per profile and account, shared by every tab of the origin.
 *
 * Exactly one tab, the leader (the holder of a Web Lock), runs the sync engine: it owns the Dexie
 * outbox, pushes, pulls and listens for pokes. Other tabs are followers: they read the same
 * IndexedDB through Dexie's cross-tab live queries and hand their writes to the leader over a
 * BroadcastChannel. So a change enters the outbox once and is pushed once, however many tabs are
 * open. When the leader tab closes, the lock passes to a follower, which starts the engine from the
 * same IndexedDB and takes over.
 */
import {
  createSyncClient,
  type Row,
  type SyncClient,
  type SyncStatus,
  type SyncStorage,
} from '@mana/sync-client';
import { createDexieStorage } from '@mana/sync-client/dexie';
import { isLive, rowValues, type RowOf, type RowState, type TableName } from '@mana/sync-protocol';
import { Dexie, liveQuery } from 'dexie';
import { holdLock } from './locks.ts';

/** The apps the web app shows. */
export const WEB_APPS = ['todo', 'calendar', 'zitare'] as const;
export type WebApp = (typeof WEB_APPS)[number];

/** `local`: guest mode, nothing leaves the device. */
export type ReplicaState = 'local' | SyncStatus;
export interface ReplicaStatus {
  state: ReplicaState;
  pending: number;
  leader: boolean;
  /** Short description of the last sync error (state `error`). */
  error?: string;
}

export interface ReplicaNetwork {
  baseUrl: string;
  getToken: () => Promise<string>;
}

export interface ReplicaOptions {
  /** IndexedDB name: `mana-sync:guest` or `mana-sync:<sub>`. */
  dbName: string;
  clientId: string;
  /** Null: guest mode, local only. */
  network: ReplicaNetwork | null;
  /** Runs in the leader before its engine starts, while nothing else writes (seeding, guest upload). */
  prepare?: (storage: SyncStorage) => Promise<void>;
  /** Runs once in the leader after its first sync with the server succeeded (tidying the account). */
  afterFirstSync?: (engine: SyncClient<WebApp>) => Promise<unknown>;
  onError?: (err: unknown) => void;
  /** Engine knobs (tests). */
  pushDebounceMs?: number;
  pullIntervalMs?: number;
}

type Listener = (rows: Record<string, unknown>[]) => void;
interface Sub {
  app: WebApp;
  table: string;
  listener: Listener;
  unbind?: () => void;
}

type WriteOp =
  | { op: 'put'; app: WebApp; table: string; id: string; fields: Record<string, unknown> }
  | { op: 'delete'; app: WebApp; table: string; id: string };
type Message =
  | { type: 'write'; reqId: string; write: WriteOp }
  | { type: 'ack'; reqId: string; error?: string }
  | { type: 'status'; status: ReplicaStatus }
  | { type: 'hello' }
  | { type: 'sync' };

export interface Replica {
  subscribe<A extends WebApp, T extends TableName<A>>(
    app: A,
    table: T,
    listener: (rows: Row<A, T>[]) => void,
  ): () => void;
  put<A extends WebApp, T extends TableName<A>>(
    app: A,
    table: T,
    id: string,
    fields: Partial<RowOf<A, T>>,
  ): Promise<void>;
  delete<A extends WebApp, T extends TableName<A>>(app: A, table: T, id: string): Promise<void>;
  readonly status: ReplicaStatus;
  onStatus(listener: (s: ReplicaStatus) => void): () => void;
  /** Push and pull now (the leader does it; followers ask it). */
  syncNow(): void;
  close(): Promise<void>;
}

interface RowRecord {
  appId: string;
  table: string;
  id: string;
  state: RowState;
}

const liveRows = (records: RowRecord[]) =>
  records.filter((r) => isLive(r.state)).map((r) => ({ ...rowValues(r.state), id: r.id }));

const RESEND_MS = 1000;

export function openReplica(o: ReplicaOptions): Replica {
  const channel = new BroadcastChannel(`mana:${o.dbName}`);
  const subs = new Set<Sub>();
  const statusListeners = new Set<(s: ReplicaStatus) => void>();
  const onError = o.onError ?? (() => {});
  const readDb = createDexieStorage({ name: o.dbName }).db;
  let engine: SyncClient<WebApp> | undefined;
  let closed = false;
  let status: ReplicaStatus = { state: o.network ? 'syncing' : 'local', pending: 0, leader: false };
  const inflight = new Map<
    string,
    { msg: Message; resolve: () => void; reject: (e: Error) => void; timer: ReturnType<typeof setInterval> }
  >();
  const handled = new Map<string, string | undefined>();
  let reqCounter = 0;

  const setStatus = (s: ReplicaStatus) => {
    status = s;
    for (const l of statusListeners) l(s);
  };

  function bind(sub: Sub) {
    sub.unbind?.();
    if (engine) {
      sub.unbind = engine.subscribe(sub.app, sub.table as TableName<WebApp>, sub.listener);
      return;
    }
    const rows = readDb.table<RowRecord>('rows');
    const obs = liveQuery(() =>
      rows
        .where('[appId+table+id]')
        .between([sub.app, sub.table, Dexie.minKey], [sub.app, sub.table, Dexie.maxKey])
        .toArray(),
    );
    const s = obs.subscribe({ next: (recs) => sub.listener(liveRows(recs)), error: onError });
    sub.unbind = () => s.unsubscribe();
  }

  function engineStatus(e: SyncClient<WebApp>, state: SyncStatus, pending: number): ReplicaStatus {
    if (!o.network) return { state: 'local', pending, leader: true };
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    const err = e.lastError;
    return {
      state: offline && state !== 'syncing' ? 'offline' : state,
      pending,
      leader: true,
      ...(state === 'error' && err ? { error: err instanceof Error ? err.message : 'sync failed' } : {}),
    };
  }

  async function apply(w: WriteOp) {
    if (!engine) throw new Error('not the leader');
    const app = w.app;
    if (w.op === 'put') await engine.put(app, w.table as TableName<typeof app>, w.id, w.fields as never);
    else await engine.delete(app, w.table as TableName<typeof app>, w.id);
  }

  const onOnline = () => {
    if (engine && o.network) void engine.sync().catch(() => {});
    else if (engine) setStatus(engineStatus(engine, engine.status, engine.pending));
  };
  const onOffline = () => engine && setStatus(engineStatus(engine, engine.status, engine.pending));

  channel.onmessage = (ev: MessageEvent<Message>) => {
    const msg = ev.data;
    if (msg.type === 'status' && !engine) {
      setStatus({ ...msg.status, leader: false });
      // A new leader: hand it whatever it has not acknowledged yet.
      for (const f of inflight.values()) channel.postMessage(f.msg);
    } else if (msg.type === 'ack') {
      const f = inflight.get(msg.reqId);
      if (!f) return;
      inflight.delete(msg.reqId);
      clearInterval(f.timer);
      if (msg.error === undefined) f.resolve();
      else f.reject(new Error(msg.error));
    } else if (engine && msg.type === 'hello') {
      channel.postMessage({ type: 'status', status } satisfies Message);
    } else if (engine && msg.type === 'sync') {
      onOnline();
    } else if (engine && msg.type === 'write') {
      if (handled.has(msg.reqId)) {
        channel.postMessage({
          type: 'ack',
          reqId: msg.reqId,
          ...(handled.get(msg.reqId) !== undefined ? { error: handled.get(msg.reqId) } : {}),
        } satisfies Message);
        return;
      }
      apply(msg.write).then(
        () => {
          remember(msg.reqId, undefined);
          channel.postMessage({ type: 'ack', reqId: msg.reqId } satisfies Message);
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          remember(msg.reqId, error);
          channel.postMessage({ type: 'ack', reqId: msg.reqId, error } satisfies Message);
        },
      );
    }
  };
  function remember(reqId: string, error: string | undefined) {
    handled.set(reqId, error);
    if (handled.size > 1000) for (const k of [...handled.keys()].slice(0, 500)) handled.delete(k);
  }

  async function becomeLeader() {
    if (closed) return;
    const storage = createDexieStorage({ name: o.dbName });
    await o.prepare?.(storage);
    const e = createSyncClient<WebApp>({
      baseUrl: o.network?.baseUrl ?? 'http://offline.invalid',
      apps: WEB_APPS,
      clientId: o.clientId,
      getToken: o.network ? o.network.getToken : () => '',
      storage,
      WebSocket: o.network ? undefined : null,
      pushDebounceMs: o.network ? (o.pushDebounceMs ?? 50) : null,
      pullIntervalMs: o.network ? (o.pullIntervalMs ?? 30_000) : null,
      onError,
    });
    await e.ready;
    if (closed) {
      await e.stop();
      return;
    }
    engine = e;
    for (const sub of subs) bind(sub);
    e.onStatus((s, pending) => {
      setStatus(engineStatus(e, s, pending));
      channel.postMessage({ type: 'status', status } satisfies Message);
    });
    setStatus(engineStatus(e, e.status, e.pending));
    channel.postMessage({ type: 'status', status } satisfies Message);
    const tidy = o.network ? o.afterFirstSync : undefined;
    if (tidy)
      void e
        .sync()
        .then(() => (engine === e ? tidy(e) : undefined))
        .catch(onError);
    // Writes this tab sent while it was a follower: the engine is ours now.
    for (const [reqId, f] of inflight) {
      inflight.delete(reqId);
      clearInterval(f.timer);
      const w = f.msg.type === 'write' ? f.msg.write : undefined;
      if (w) apply(w).then(f.resolve, f.reject);
    }
  }

  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  const release = holdLock(`mana:leader:${o.dbName}`, becomeLeader, onError);
  channel.postMessage({ type: 'hello' } satisfies Message);

  function forward(write: WriteOp): Promise<void> {
    if (engine) return apply(write);
    const reqId = `${o.clientId}-${Date.now().toString(36)}-${(reqCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const msg: Message = { type: 'write', reqId, write };
    return new Promise<void>((resolve, reject) => {
      // Resent until acknowledged: the leader may be changing hands. The leader applies it once.
      const timer = setInterval(() => channel.postMessage(msg), RESEND_MS);
      inflight.set(reqId, { msg, resolve, reject, timer });
      channel.postMessage(msg);
    });
  }

  return {
    subscribe(app, table, listener) {
      const sub: Sub = { app, table, listener: listener as Listener };
      subs.add(sub);
      bind(sub);
      return () => {
        subs.delete(sub);
        sub.unbind?.();
      };
    },
    put: (app, table, id, fields) => forward({ op: 'put', app, table, id, fields }),
    delete: (app, table, id) => forward({ op: 'delete', app, table, id }),
    get status() {
      return status;
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => void statusListeners.delete(listener);
    },
    syncNow() {
      if (engine) onOnline();
      else channel.postMessage({ type: 'sync' } satisfies Message);
    },
    async close() {
      closed = true;
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      for (const sub of subs) sub.unbind?.();
      subs.clear();
      for (const f of inflight.values()) {
        clearInterval(f.timer);
        f.reject(new Error('replica closed'));
      }
      inflight.clear();
      const e = engine;
      engine = undefined;
      await e?.stop();
      release();
      channel.close();
      readDb.close();
    },
  };
}
