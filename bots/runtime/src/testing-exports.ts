/**
 * Test helpers for bots' and other packages' tests (`@mana/bot-runtime/testing`): a fake Matrix
 * port, a dispatcher on in-memory ports, and those ports (identity, stores, credits, kv, scheduler).
 *
 * @example
 * const h = createTestHarness({ bots: [todoBot], linked: ['@alice:mana.test'] });
 * h.members.set('!dm', ['@alice:mana.test', '@todo:mana.test']);
 * expect(await h.ask('@alice:mana.test', '!dm', 'liste')).toEqual([...]);
 */
export {
  memoryCredits,
  memoryIdentity,
  memoryKv,
  memoryScheduler,
  memoryStores,
  type MemoryCredits,
} from './memory.ts';
export {
  createTestHarness,
  fakeMatrix,
  textEvent,
  type FakeMatrix,
  type SentEvent,
  type TestHarness,
} from './testing.ts';
// The runner's own parts, for benches that drive jobs without a whole runner (bench/clock-timers).
export { createBotMetrics } from './metrics.ts';
export { jobClaimsOf, openRuntimeState, type RuntimeState } from './state.ts';
export { typedStore } from './stages/context.ts';
// The crypto store's snapshot code, for bench/e2ee-rooms (times one save at a given store size).
export { parseStoreKey, postgresCryptoStore, restoreDatabases, snapshotDatabases } from './crypto/store.ts';
