/**
 * The local-first sync client used by the web app and the bots: local reads and writes, a persistent
 * outbox, push/pull with the sync server, live pokes over WebSocket, status and pending count.
 * The Dexie (IndexedDB) adapter is a separate entry: `@mana/sync-client/dexie`.
 *
 * @example
 * import { createSyncClient, createMemoryStorage } from '@mana/sync-client';
 * const client = createSyncClient({ baseUrl, apps: ['todo'], clientId: 'bot-todo', getToken, storage: createMemoryStorage() });
 * await client.put('todo', 'tasks', id, { title: 'Milk', priority: 2, completed: false });
 * client.onStatus((status, pending) => log.debug({ status, pending }));
 */
export {
  createSyncClient,
  type Row,
  type SyncClient,
  type SyncClientOptions,
  type SyncStatus,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.ts';
export { SyncClientError } from './errors.ts';
export {
  createMemoryStorage,
  type AppSnapshot,
  type OutboxEntry,
  type StorageCommit,
  type StoredRow,
  type SyncStorage,
} from './storage.ts';
