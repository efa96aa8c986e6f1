/**
 * The sync service: `createSyncServer()` connects and migrates, `listen()` opens the port (HTTP +
 * WebSocket), `drain()` turns readiness red and closes every socket with 1001, `stop()` drains,
 * lets open requests finish (up to `SYNC_DRAIN_TIMEOUT_MS`) and closes everything. `main.ts` runs
 * it in the shared life cycle (`runService`).
 */
import { createTokenVerifier, type TokenVerifier } from '@mana/auth-client';
import { connect, loadMigrations, migrate, type Database } from '@mana/db';
import { createServiceApp, listen, type RunningServer } from '@mana/http';
import { createLogger, type Logger } from '@mana/logging';
import type { Hono } from 'hono';
import { Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { cachedVerifier } from './auth.ts';
import type { SyncConfig } from './config.ts';
import { createFanout, type Fanout } from './fanout.ts';
import { createSyncMetrics, type SyncMetrics } from './metrics.ts';
import { registerSyncRoutes } from './routes.ts';
import { createStore, type Store, type StoreHooks } from './store.ts';
import { createWsHub, type WsHub } from './ws.ts';

export interface SyncServerOptions {
  config: SyncConfig;
  logger?: Logger;
  /** Defaults to a verifier for `config.issuer` / `config.jwksUri` / `config.audience`. */
  verifier?: TokenVerifier;
  hooks?: StoreHooks;
}

export interface SyncServer {
  app: Hono;
  store: Store;
  db: Database;
  fanout: Fanout;
  ws: WsHub;
  metrics: SyncMetrics;
  /** Opens the HTTP + WebSocket port (`config.port`; 0 picks a free one). */
  listen(): Promise<RunningServer>;
  /** Removes tombstones older than the retention; returns what it did. */
  compact(olderThan?: Date): Promise<{ streams: number; removed: number }>;
  /** Readiness red, new WebSockets refused, open ones closed with 1001 (going away). */
  drain(): Promise<void>;
  /** `drain()`, open requests finish (bounded by `drainTimeoutMs`), then Redis and Postgres close. */
  stop(): Promise<void>;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export async function createSyncServer(options: SyncServerOptions): Promise<SyncServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ service: 'sync', level: config.logLevel });
  const verifier = cachedVerifier(
    options.verifier ??
      createTokenVerifier({
        issuer: config.issuer,
        audience: config.audience,
        jwksUri: config.jwksUri || `${config.issuer.replace(/\/$/, '')}/jwks`,
      }),
  );
  const db = connect({
    url: config.databaseUrl,
    schema: config.dbSchema,
    max: config.dbPoolSize,
    appName: 'mana-sync',
  });
  let fanout: Fanout | undefined;
  try {
    await migrate(db.sql, { schema: config.dbSchema, migrations: await loadMigrations(MIGRATIONS_DIR) });
    fanout = await createFanout({ redisUrl: config.redisUrl, prefix: config.redisPrefix, logger });
  } catch (err) {
    await db.close();
    throw err;
  }
  const pubsub = fanout;
  const metrics = createSyncMetrics();
  const store = createStore(db.sql, options.hooks);
  const ws = createWsHub({
    verifier,
    logger,
    authTimeoutMs: config.wsAuthTimeoutMs,
    heartbeatMs: config.wsHeartbeatMs,
    onCount: (n) => metrics.wsConnections.set(n),
  });
  pubsub.onPoke((p) => ws.poke(p));

  const app = createServiceApp({
    name: 'sync',
    logger,
    metrics: metrics.base,
    // The sync routes enforce the exact limit with SYNC_PAYLOAD_TOO_LARGE; this outer one only
    // bounds what any other route could be made to buffer.
    maxBodyBytes: config.maxBodyBytes * 2,
    // Draining turns readiness red in the HTTP server itself (`RunningServer.beginDrain`).
    readiness: {
      postgres: () => db.sql`select 1`,
      redis: () => pubsub.ping(),
    },
  });
  registerSyncRoutes(app, { store, verifier, fanout: pubsub, metrics, config });

  const retentionMs = config.tombstoneRetentionHours * 3600 * 1000;
  const compact = (olderThan = new Date(Date.now() - retentionMs)) => store.compact(olderThan);
  let compactTimer: NodeJS.Timeout | undefined;
  let running: RunningServer | undefined;
  const drain = async () => {
    running?.beginDrain();
    clearInterval(compactTimer);
    await ws.close();
  };

  return {
    app,
    store,
    db,
    fanout: pubsub,
    ws,
    metrics,
    compact,
    async listen() {
      running = await listen(app, { port: config.port, host: config.host });
      const http = running.server;
      if (!(http instanceof HttpServer))
        throw new Error('expected a node:http server for WebSocket upgrades');
      http.on('upgrade', (req, socket, head: Buffer) => {
        if (running?.draining || !ws.handleUpgrade(req, socket, head)) socket.destroy();
      });
      if (config.compactionIntervalSeconds > 0) {
        compactTimer = setInterval(() => {
          compact()
            .then((r) => r.removed > 0 && logger.info(r, 'compacted tombstones'))
            .catch((err: unknown) => logger.error({ err }, 'compaction failed'));
        }, config.compactionIntervalSeconds * 1000);
        compactTimer.unref();
      }
      logger.info({ url: running.url }, 'sync listening');
      return running;
    },
    drain,
    async stop() {
      await drain();
      await running?.close({ forceAfterMs: config.drainTimeoutMs });
      await pubsub.close();
      await db.close();
    },
  };
}
