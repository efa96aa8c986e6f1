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
export {
  registerWithSharedSecret,
  startSynapse,
  SynapseError,
  type RegisteredUser,
  type StartSynapseOptions,
  type SynapseErrorCode,
  type SynapseHandle,
} from './synapse.ts';
export {
  DEFAULT_SYNAPSE_VENV,
  ensureSynapseVenv,
  SynapseVenvError,
  type SynapseVenvOptions,
} from './synapse-venv.ts';
export {
  createTestClient,
  type Invite,
  type TestClient,
  type TestClientOptions,
  type WaitOptions,
  silenceGlobalSdkLogger,
  silentLogger,
} from './matrix-client.ts';
export { freePort } from './ports.ts';
export { until } from './until.ts';
export { decodeOgg } from './ogg.ts';
export { heldRequest, spawnService, type HeldRequest, type ServiceProcess } from './process.ts';
export {
  MissingToolError,
  startAlertmanager,
  startNodeExporter,
  startPrometheus,
  untilTargetsUp,
  type Daemon,
  type PrometheusTool,
  type StartPrometheusOptions,
} from './prometheus.ts';
