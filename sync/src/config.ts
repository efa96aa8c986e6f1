import { SYNC_AUDIENCE } from '@mana/auth-client';
import { defineConfig, loadConfig, vars, type ConfigOf } from '@mana/config';
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);

/** Every SYNC_ variable, parsed once at start-up (`loadSyncConfig`). */
export const syncConfigSpec = defineConfig('SYNC_', {
  port: vars.port(3010),
  host: vars.host(),
  databaseUrl: vars.databaseUrl(),
  dbSchema: {
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    default: 'sync',
    doc: 'Postgres schema holding the sync tables',
  },
  dbPoolSize: {
    schema: int(1),
    default: '10',
    doc: 'Postgres connections of this instance (1 for an embedded single-session database)',
  },
  redisUrl: vars.redisUrl(),
  redisPrefix: {
    schema: z.string(),
    default: 'mana:',
    doc: 'Prefix of every Redis key and pub/sub channel (the poke channel is <prefix>sync:poke)',
  },
  issuer: vars.url(
    'Token issuer (the auth server BASE_URL), exactly as in its discovery document',
    'http://localhost:3001',
  ),
  jwksUri: {
    schema: z.union([z.literal(''), z.url()]),
    default: '',
    doc: 'JWKS URL of the issuer; empty means <issuer>/jwks',
    example: 'http://localhost:3001/jwks',
  },
  audience: {
    schema: z.string().min(1),
    default: SYNC_AUDIENCE,
    doc: 'Audience (aud) sync access tokens must carry',
  },
  maxBodyBytes: {
    schema: int(1024),
    default: String(1024 * 1024),
    doc: 'Largest push body, bytes (413 SYNC_PAYLOAD_TOO_LARGE)',
  },
  maxChanges: {
    schema: int(1),
    default: '1000',
    doc: 'Most changes in one push (413 SYNC_TOO_MANY_CHANGES)',
  },
  maxFieldBytes: {
    schema: int(16),
    default: String(64 * 1024),
    doc: 'Largest JSON size of one field value (413 SYNC_FIELD_TOO_LARGE)',
  },
  pullLimit: { schema: int(1), default: '500', doc: 'Rows per pull page when the client names no limit' },
  pokeMaxBytes: {
    schema: int(0),
    default: String(16 * 1024),
    doc: 'A push whose changed rows serialize to at most this many bytes sends them inside its WebSocket poke, so live clients need no pull (0: pokes never carry rows)',
  },
  maxPullLimit: { schema: int(1), default: '5000', doc: 'Largest limit a client may ask for' },
  maxClockSkewMs: {
    schema: int(0),
    default: String(24 * 3600 * 1000),
    doc: 'Clocks further than this ahead of the server clock are refused (400 SYNC_INVALID_HLC)',
  },
  tombstoneRetentionHours: {
    schema: z.coerce.number().positive(),
    default: String(30 * 24),
    doc: 'Tombstones older than this are compacted; clients offline longer resync from scratch',
  },
  compactionIntervalSeconds: {
    schema: int(0),
    default: '3600',
    doc: 'How often this instance compacts tombstones (0 = never)',
  },
  wsAuthTimeoutMs: { schema: int(1), default: '10000', doc: 'WebSocket: time allowed for the auth message' },
  wsHeartbeatMs: {
    schema: int(1000),
    default: '30000',
    doc: 'WebSocket: ping interval; a socket missing a pong is closed',
  },
  drainTimeoutMs: vars.drainTimeoutMs(),
  logLevel: vars.logLevel(),
});

export type SyncConfig = ConfigOf<typeof syncConfigSpec>;

export function loadSyncConfig(env?: Readonly<Record<string, string | undefined>>): SyncConfig {
  return loadConfig(syncConfigSpec, env);
}
