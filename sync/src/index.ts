/**
 * The sync server as a library (tests, benches, an all-in-one dev runner). `main.ts` runs it.
 */
export { loadSyncConfig, syncConfigSpec, type SyncConfig } from './config.ts';
export { createSyncServer, MIGRATIONS_DIR, type SyncServer, type SyncServerOptions } from './server.ts';
export type { Store, StoreHooks, StreamKey } from './store.ts';
