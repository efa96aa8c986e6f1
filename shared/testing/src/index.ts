/**
 * The integration-test harness: real Postgres, Redis and Synapse, isolated per test file.
 *
 * @example
 * const db = await createTestDatabase('sync');   // fresh database, db.drop() afterwards
 * const redis = await createTestRedis('sync');   // unique key prefix, redis.cleanup() afterwards
 * const synapse = await startSynapse();          // a real homeserver on a free port
 */
export { createTestDatabase, testServerUrl, type TestDatabase } from './postgres.ts';
export { createTestRedis, testRedisUrl, type TestRedis } from './redis.ts';
export { startTestIssuer, type TestIssuer } from './issuer.ts';
