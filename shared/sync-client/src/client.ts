/**
 * The client engine: a local replica per app that applies writes at once, queues them in a
 * persistent outbox, pushes (debounced), pulls on poke / interval / reconnect, and merges server rows
 * with the same field rule the server uses, so every replica converges.
 */
import {
  SYNC_PROTOCOL_VERSION,
  SyncErrCode,
  applyChange,
  createClock,
  emptyRow,
  isLive,
  mergeRow,
  pullResponseSchema,
  pushResponseSchema,
  rowValues,
  validateChange,
  wsServerMessageSchema,
  type AppId,
  type Change,
  type FieldWrite,
  type HlcClock,
  type JsonValue,
  type PullResponse,
  type RowOf,
  type RowState,
  type ServerRow,
  type TableName,
} from '@mana/sync-protocol';
import { SyncClientError } from './errors.ts';
import {
  createMemoryStorage,
  type OutboxEntry,
  type StorageCommit,
  type StoredRow,
  type SyncStorage,
} from './storage.ts';

export type SyncStatus = 'synced' | 'pending' | 'syncing' | 'offline' | 'error';

/** The part of the WebSocket API the engine uses (browsers' and Node's global WebSocket have it). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface SyncClientOptions<A extends AppId = AppId> {
  /** Sync server base URL, e.g. `https://sync.example.org`. */
  baseUrl: string;
  apps: readonly A[];
  /** Called before every request and WebSocket auth; return a fresh token when the old one expires. */
  getToken: () => string | Promise<string>;
  /** Stable per device (or per bot); becomes part of every clock this replica issues. */
  clientId: string;
  storage?: SyncStorage;
  fetch?: typeof fetch;
  /** WebSocket implementation for live pokes; `null` turns live updates off. Default: globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor | null;
  /** Push this long after the last local write (batches bursts of typing). `null`: only on `sync()`. */
  pushDebounceMs?: number | null;
  /** Pull this often even without pokes; `null`: never. */
  pullIntervalMs?: number | null;
  /** Changes per push and rows per pull. */
  batchSize?: number;
  /** Retry delays after failures and for reconnects: doubling from min to max, with jitter. */
  backoff?: { minMs: number; maxMs: number };
  now?: () => number;
  onError?: (err: unknown) => void;
}

/** A live row as readers see it: the id plus the fields it has (rows merge field by field). */
export type Row<A extends AppId, T extends TableName<A>> = Partial<RowOf<A, T>> & { id: string };

export interface SyncClient<A extends AppId = AppId> {
  /** Resolves when local storage is loaded; every other method waits for it. */
  readonly ready: Promise<void>;
  put<App extends A, T extends TableName<App>>(
    appId: App,
    table: T,
    id: string,
    fields: Partial<RowOf<App, T>>,
  ): Promise<Change>;
  delete<App extends A, T extends TableName<App>>(appId: App, table: T, id: string): Promise<Change>;
  get<App extends A, T extends TableName<App>>(
    appId: App,
    table: T,
    id: string,
  ): Promise<Row<App, T> | undefined>;
  query<App extends A, T extends TableName<App>>(
    appId: App,
    table: T,
    filter?: (row: Row<App, T>) => boolean,
  ): Promise<Row<App, T>[]>;
  /** Calls `listener` with the table's live rows now and after every local or remote change. */
  subscribe<App extends A, T extends TableName<App>>(
    appId: App,
    table: T,
    listener: (rows: Row<App, T>[]) => void,
  ): () => void;
  /** Pushes the outbox and pulls until caught up (one app, or all). Rejects when a request fails. */
  sync(appId?: A): Promise<void>;
  /** Raw row states of an app (tests and debugging). */
  snapshot(appId: A): Promise<StoredRow[]>;
  readonly status: SyncStatus;
  /** Local changes not yet acknowledged by the server. */
  readonly pending: number;
  readonly lastError: unknown;
  onStatus(listener: (status: SyncStatus, pending: number) => void): () => void;
  cursor(appId: A): number;
  /**
   * While the replica of `appId` follows the server live (the WebSocket is authenticated and the app
   * was pulled to the end after that, so every later change arrives as a poke): a promise that
   * settles when the pull of a poke in flight, if any, has landed. A reader that awaits it needs no
   * pull of its own (as fresh as the last poke). `undefined` when not live: pull to be sure.
   */
  caughtUp(appId: A): Promise<void> | undefined;
  stop(): Promise<void>;
}

interface AppState {
  rows: Map<string, StoredRow>;
  outbox: OutboxEntry[];
  cursor: number;
  running: Promise<void> | undefined;
  again: boolean;
  pushTimer: ReturnType<typeof setTimeout> | undefined;
  /** A push due at the next turn of the event loop (`pushDebounceMs: 0` where setImmediate exists). */
  pushImmediate: unknown;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  failures: number;
  /** The socket after whose `ready` this app was pulled to the end (see `isLive`). */
  caughtUpOn: WebSocketLike | undefined;
}

const keyOf = (table: string, id: string) => `${table}\u0000${id}`;

// `setTimeout(fn, 0)` waits at least 1 ms in Node (and up to 4 ms in browsers); `setImmediate` runs
// after pending I/O, which still lets a synchronous burst of writes share one push.
const { setImmediate: setImmediateFn, clearImmediate: clearImmediateFn } = globalThis as {
  setImmediate?: (fn: () => void) => unknown;
  clearImmediate?: (handle: unknown) => void;
};

function cancelPush(a: AppState) {
  clearTimeout(a.pushTimer);
  a.pushTimer = undefined;
  if (a.pushImmediate !== undefined) clearImmediateFn?.(a.pushImmediate);
  a.pushImmediate = undefined;
}

function toRow(r: StoredRow): Record<string, JsonValue> & { id: string } {
  return { ...rowValues(r.state), id: r.id };
}

/**
 * @example
 * const client = createSyncClient({ baseUrl: 'http://localhost:3010', apps: ['todo'], clientId: 'web-1a2b', getToken });
 * await client.put('todo', 'tasks', crypto.randomUUID(), { title: 'Milk', priority: 2, completed: false });
 * const off = client.subscribe('todo', 'tasks', (rows) => render(rows));
 */
export function createSyncClient<A extends AppId>(options: SyncClientOptions<A>): SyncClient<A> {
  const storage = options.storage ?? createMemoryStorage();
  const doFetch =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const WS =
    options.WebSocket === undefined
      ? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined)
      : options.WebSocket;
  const debounceMs = options.pushDebounceMs === undefined ? 50 : options.pushDebounceMs;
  const intervalMs = options.pullIntervalMs === undefined ? 30_000 : options.pullIntervalMs;
  const batchSize = options.batchSize ?? 500;
  const backoff = options.backoff ?? { minMs: 500, maxMs: 30_000 };
  const base = options.baseUrl.replace(/\/$/, '');
  const clock: HlcClock = createClock({
    clientId: options.clientId,
    ...(options.now ? { now: options.now } : {}),
  });

  const apps = new Map<string, AppState>();
  const listeners = new Map<string, Set<() => void>>();
  const statusListeners = new Set<(s: SyncStatus, pending: number) => void>();
  let inFlight = 0;
  let lastError: unknown;
  let offline = false;
  let stopped = false;
  let seq = 0;
  let status: SyncStatus = 'synced';

  const ready = (async () => {
    for (const appId of options.apps) {
      const snap = await storage.load(appId);
      const rows = new Map<string, StoredRow>();
      for (const r of snap.rows) {
        rows.set(keyOf(r.table, r.id), r);
        for (const w of Object.values(r.state.fields)) clock.receive(w.hlc);
        if (r.state.deleted) clock.receive(r.state.deleted);
      }
      for (const e of snap.outbox) seq = Math.max(seq, e.seq);
      apps.set(appId, {
        rows,
        outbox: snap.outbox,
        cursor: snap.cursor,
        running: undefined,
        again: false,
        pushTimer: undefined,
        pushImmediate: undefined,
        retryTimer: undefined,
        failures: 0,
        caughtUpOn: undefined,
      });
    }
    updateStatus();
  })();

  const pendingCount = () => {
    let n = 0;
    for (const a of apps.values()) n += a.outbox.length;
    return n;
  };
  function updateStatus() {
    const pending = pendingCount();
    const next: SyncStatus =
      inFlight > 0
        ? 'syncing'
        : offline
          ? 'offline'
          : lastError
            ? 'error'
            : pending > 0
              ? 'pending'
              : 'synced';
    status = next;
    for (const l of statusListeners) l(next, pending);
  }

  function appState(appId: string): AppState {
    const a = apps.get(appId);
    if (!a) throw new SyncClientError('unknown_app', `This client does not sync app "${appId}"`);
    return a;
  }

  function notify(appId: string, tables: Iterable<string>) {
    for (const t of new Set(tables)) for (const l of listeners.get(`${appId}/${t}`) ?? []) l();
  }

  async function localWrite(appId: string, change: Change): Promise<Change> {
    await ready;
    const issue = validateChange(appId, change);
    if (issue) throw new SyncClientError(issue.errcode, issue.message);
    const a = appState(appId);
    const k = keyOf(change.table, change.id);
    const row = a.rows.get(k) ?? { table: change.table, id: change.id, state: emptyRow() };
    const next: StoredRow = { ...row, state: applyChange(row.state, change) };
    const entry = { seq: ++seq, change };
    a.rows.set(k, next);
    a.outbox.push(entry);
    notify(appId, [change.table]);
    updateStatus();
    await storage.commit(appId, { putRows: [next], addOutbox: [entry] });
    schedulePush(appId);
    return change;
  }

  function schedulePush(appId: string) {
    if (debounceMs === null || stopped) return;
    const a = appState(appId);
    cancelPush(a);
    if (debounceMs === 0 && setImmediateFn)
      a.pushImmediate = setImmediateFn(() => {
        a.pushImmediate = undefined;
        requestSync(appId);
      });
    else a.pushTimer = setTimeout(() => requestSync(appId), debounceMs);
  }

  async function request(path: string, init: RequestInit = {}): Promise<unknown> {
    const token = await options.getToken();
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(init.headers ?? {}),
        },
      });
    } catch (cause) {
      throw new SyncClientError(
        'network',
        `sync server unreachable: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (cause) {
      throw new SyncClientError(
        res.ok ? 'bad_response' : 'network',
        `unreadable response (HTTP ${res.status})`,
        { status: res.status, cause },
      );
    }
    if (!res.ok) {
      const e = body as { errcode?: unknown; error?: unknown } | null;
      throw new SyncClientError(
        typeof e?.errcode === 'string' ? e.errcode : `http_${res.status}`,
        typeof e?.error === 'string' ? e.error : `HTTP ${res.status}`,
        { status: res.status },
      );
    }
    return body;
  }

  /** Merges server rows into the replica; pending local writes survive because the merge keeps newer clocks. */
  function mergeServerRows(a: AppState, rows: ServerRow[]): { commit: StoredRow[]; tables: string[] } {
    const commit: StoredRow[] = [];
    const tables: string[] = [];
    for (const r of rows) {
      const incoming: RowState = { fields: r.fields, deleted: r.deleted };
      for (const w of Object.values(r.fields)) clock.receive(w.hlc);
      if (r.deleted) clock.receive(r.deleted);
      const k = keyOf(r.table, r.id);
      const cur = a.rows.get(k);
      const state = cur ? mergeRow(cur.state, incoming) : mergeRow(emptyRow(), incoming);
      if (cur && state === cur.state) continue;
      const next = { table: r.table, id: r.id, state };
      a.rows.set(k, next);
      commit.push(next);
      tables.push(r.table);
    }
    return { commit, tables };
  }

  async function applyPage(appId: string, a: AppState, page: PullResponse, extra: StorageCommit = {}) {
    const { commit, tables } = mergeServerRows(a, page.changes);
    a.cursor = page.cursor;
    await storage.commit(appId, { ...extra, putRows: commit, cursor: page.cursor });
    notify(appId, tables);
  }

  async function pushOnce(appId: string, a: AppState): Promise<boolean> {
    const batch = a.outbox.slice(0, batchSize);
    const res = pushResponseSchema.parse(
      await request(`/sync/${appId}`, {
        method: 'POST',
        body: JSON.stringify({
          clientId: options.clientId,
          cursor: a.cursor,
          changes: batch.map((e) => e.change),
        }),
      }),
    );
    const sent = new Set(batch.map((e) => e.seq));
    a.outbox = a.outbox.filter((e) => !sent.has(e.seq));
    await applyPage(appId, a, res, { removeOutbox: [...sent] });
    updateStatus();
    return res.hasMore;
  }

  async function pullOnce(appId: string, a: AppState, cursor = a.cursor): Promise<PullResponse> {
    return pullResponseSchema.parse(await request(`/sync/${appId}/pull?cursor=${cursor}&limit=${batchSize}`));
  }

  /** Cursor expired (tombstones compacted): fetch everything, drop rows the server forgot that have no pending write. */
  async function fullResync(appId: string, a: AppState) {
    const server = new Set<string>();
    const pages: PullResponse[] = [];
    let cursor = 0;
    for (;;) {
      const page = await pullOnce(appId, a, cursor);
      pages.push(page);
      for (const r of page.changes) server.add(keyOf(r.table, r.id));
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const pending = new Set(a.outbox.map((e) => keyOf(e.change.table, e.change.id)));
    const dropped: StoredRow[] = [];
    for (const [k, r] of a.rows) if (!server.has(k) && !pending.has(k)) dropped.push(r);
    for (const r of dropped) a.rows.delete(keyOf(r.table, r.id));
    const merged = pages.flatMap((p) => p.changes);
    const { commit, tables } = mergeServerRows(a, merged);
    a.cursor = cursor;
    await storage.commit(appId, {
      putRows: commit,
      deleteRows: dropped.map(({ table, id }) => ({ table, id })),
      cursor,
    });
    notify(appId, [...tables, ...dropped.map((r) => r.table)]);
  }

  /** A poke's rows (see `wsPokeMessageSchema`): the page a pull from `from` would answer. */
  interface PokedPage {
    from: number;
    page: PullResponse;
  }

  async function runSync(appId: string, a: AppState, poked?: PokedPage) {
    if (poked && poked.from === a.cursor) {
      // The poke carried everything after our cursor: no pull. Pending writes still get pushed.
      await applyPage(appId, a, poked.page);
      if (a.outbox.length === 0) return;
    }
    for (;;) {
      try {
        if (a.outbox.length > 0) {
          await pushOnce(appId, a);
          continue; // more outbox, or pull the rest of the page
        }
        const page = await pullOnce(appId, a);
        await applyPage(appId, a, page);
        if (!page.hasMore) return;
      } catch (err) {
        if (err instanceof SyncClientError && err.code === SyncErrCode.CursorExpired) {
          await fullResync(appId, a);
          continue;
        }
        throw err;
      }
    }
  }

  function syncApp(appId: string, poked?: PokedPage): Promise<void> {
    const a = appState(appId);
    if (a.running) {
      // The run in flight moves the cursor, so the poke's rows may no longer fit: pull instead.
      a.again = true;
      return a.running;
    }
    cancelPush(a);
    clearTimeout(a.retryTimer);
    inFlight++;
    updateStatus();
    const run = (async () => {
      try {
        let first = poked;
        do {
          a.again = false;
          await runSync(appId, a, first);
          first = undefined;
        } while (a.again && !stopped);
        a.failures = 0;
        offline = false;
        lastError = undefined;
      } catch (err) {
        lastError = err;
        offline = err instanceof SyncClientError && err.isNetwork;
        a.failures++;
        if (!stopped) {
          const delay =
            Math.min(backoff.maxMs, backoff.minMs * 2 ** (a.failures - 1)) * (0.5 + Math.random() / 2);
          a.retryTimer = setTimeout(() => requestSync(appId), delay);
        }
        throw err;
      } finally {
        inFlight--;
        a.running = undefined;
        updateStatus();
      }
    })();
    a.running = run;
    return run;
  }

  function requestSync(appId: string, poked?: PokedPage) {
    if (stopped) return;
    syncApp(appId, poked).catch((err: unknown) => options.onError?.(err));
  }

  // Live updates: pokes over WebSocket, plus an interval pull as a safety net.
  let socket: WebSocketLike | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let wsFailures = 0;
  function connect() {
    if (!WS || stopped) return;
    const ws = new WS(`${base.replace(/^http/, 'ws')}/ws`);
    socket = ws;
    ws.onopen = () => {
      Promise.resolve(options.getToken())
        .then((token) => ws.send(JSON.stringify({ type: 'auth', token })))
        .catch((err: unknown) => {
          options.onError?.(err);
          ws.close();
        });
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = wsServerMessageSchema.safeParse(JSON.parse(String(ev.data)));
      } catch {
        return;
      }
      if (!msg.success) return;
      if (msg.data.type === 'ready') {
        wsFailures = 0;
        for (const [appId, a] of apps) {
          // Pokes flow from here on: once this pull is done, the replica stays fresh by pokes alone.
          syncApp(appId).then(
            () => {
              if (socket === ws) a.caughtUpOn = ws;
            },
            (err: unknown) => options.onError?.(err),
          );
        }
      } else if (msg.data.type === 'poke') {
        const { appId, cursor, from, changes } = msg.data;
        const a = apps.get(appId);
        if (!a || cursor <= a.cursor) return;
        const poked =
          from !== undefined && changes !== undefined
            ? { from, page: { protocolVersion: SYNC_PROTOCOL_VERSION, cursor, changes, hasMore: false } }
            : undefined;
        requestSync(appId, poked);
      }
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (socket === ws) socket = undefined;
      // 4003: this token may never use sync; retrying would only hammer the server.
      if (stopped || ev.code === 4003) return;
      const delay = Math.min(backoff.maxMs, backoff.minMs * 2 ** wsFailures++) * (0.5 + Math.random() / 2);
      reconnectTimer = setTimeout(connect, delay);
    };
  }
  let interval: ReturnType<typeof setInterval> | undefined;
  void ready.then(() => {
    if (stopped) return;
    connect();
    if (intervalMs !== null)
      interval = setInterval(() => {
        for (const appId of apps.keys()) requestSync(appId);
      }, intervalMs);
    if (debounceMs !== null) for (const [appId, a] of apps) if (a.outbox.length > 0) schedulePush(appId);
  });

  const rowsOf = (appId: string, table: string) => {
    const out: (Record<string, JsonValue> & { id: string })[] = [];
    for (const r of appState(appId).rows.values())
      if (r.table === table && isLive(r.state)) out.push(toRow(r));
    return out;
  };

  const upsert = (table: string, id: string, fields: Record<string, unknown>): Change => {
    const hlc = clock.tick();
    const writes: Record<string, FieldWrite> = {};
    for (const [k, v] of Object.entries(fields))
      if (v !== undefined) writes[k] = { value: v as JsonValue, hlc };
    return { op: 'upsert', table, id, fields: writes };
  };

  return {
    ready,
    put: (appId, table, id, fields) => localWrite(appId, upsert(table, id, fields)),
    delete: (appId, table, id) => localWrite(appId, { op: 'delete', table, id, hlc: clock.tick() }),
    async get(appId, table, id) {
      await ready;
      const r = appState(appId).rows.get(keyOf(table, id));
      return r && isLive(r.state) ? (toRow(r) as Row<typeof appId, typeof table>) : undefined;
    },
    async query(appId, table, filter) {
      await ready;
      const rows = rowsOf(appId, table) as Row<typeof appId, typeof table>[];
      return filter ? rows.filter(filter) : rows;
    },
    subscribe(appId, table, listener) {
      const key = `${appId}/${table}`;
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      const fire = () => listener(rowsOf(appId, table) as Row<typeof appId, typeof table>[]);
      set.add(fire);
      void ready.then(() => set.has(fire) && fire());
      return () => void set.delete(fire);
    },
    async sync(appId) {
      await ready;
      for (const id of appId === undefined ? [...apps.keys()] : [appId]) {
        // A run already in flight may have started before the latest writes: run until caught up.
        await syncApp(id);
        if (appState(id).outbox.length > 0 || appState(id).again) await syncApp(id);
      }
    },
    async snapshot(appId) {
      await ready;
      return [...appState(appId).rows.values()].map((r) => structuredClone(r));
    },
    get status() {
      return status;
    },
    get pending() {
      return pendingCount();
    },
    get lastError() {
      return lastError;
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    cursor: (appId) => appState(appId).cursor,
    caughtUp(appId) {
      const a = apps.get(appId);
      if (!a || stopped || socket === undefined || a.caughtUpOn !== socket) return undefined;
      return a.running ?? Promise.resolve();
    },
    async stop() {
      stopped = true;
      clearInterval(interval);
      clearTimeout(reconnectTimer);
      for (const a of apps.values()) {
        cancelPush(a);
        clearTimeout(a.retryTimer);
      }
      socket?.close(1000, 'client stopped');
      await Promise.allSettled([...apps.values()].flatMap((a) => (a.running ? [a.running] : [])));
      await storage.close?.();
    },
  };
}
