/**
 * Wire messages of the sync API, as zod schemas; the TypeScript types are inferred from them.
 */
import { z } from 'zod';
import { CLIENT_ID_PATTERN, HLC_PATTERN } from './hlc.ts';

/** Bumped on incompatible changes; requests may name it, responses always carry it. */
export const SYNC_PROTOCOL_VERSION = 1;

export const hlcSchema = z.string().regex(HLC_PATTERN, 'expected an HLC (<wall:15>:<counter:6>:<clientId>)');
export const clientIdSchema = z.string().regex(CLIENT_ID_PATTERN, 'expected 1-64 of [A-Za-z0-9_-]');
export const rowIdSchema = z.string().min(1).max(128);
export const cursorSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export type JsonValue = z.infer<ReturnType<typeof z.json>>;

/** One field's value and the clock of the write that set it. */
export const fieldWriteSchema = z.object({ value: z.json(), hlc: hlcSchema });
export type FieldWrite = z.infer<typeof fieldWriteSchema>;

export const upsertChangeSchema = z.object({
  op: z.literal('upsert'),
  table: z.string().min(1).max(64),
  id: rowIdSchema,
  fields: z.record(z.string().min(1).max(64), fieldWriteSchema),
});
export const deleteChangeSchema = z.object({
  op: z.literal('delete'),
  table: z.string().min(1).max(64),
  id: rowIdSchema,
  hlc: hlcSchema,
});
/** What a client pushes: set some fields of a row, or delete it (a tombstone with a clock). */
export const changeSchema = z.discriminatedUnion('op', [upsertChangeSchema, deleteChangeSchema]);
export type UpsertChange = z.infer<typeof upsertChangeSchema>;
export type DeleteChange = z.infer<typeof deleteChangeSchema>;
export type Change = z.infer<typeof changeSchema>;

/** `POST /sync/:appId` body. The user is the token's subject, never a field here. */
export const pushRequestSchema = z.object({
  protocolVersion: z.literal(SYNC_PROTOCOL_VERSION).optional(),
  clientId: clientIdSchema,
  cursor: cursorSchema,
  changes: z.array(changeSchema),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

/** The whole state of a row at `version`: live fields with their clocks, and the tombstone clock. */
export const serverRowSchema = z.object({
  table: z.string(),
  id: z.string(),
  version: cursorSchema,
  fields: z.record(z.string(), fieldWriteSchema),
  /** Clock of the newest delete; fields older than it are gone. */
  deleted: hlcSchema.nullable(),
});
export type ServerRow = z.infer<typeof serverRowSchema>;

export const pullResponseSchema = z.object({
  protocolVersion: z.number().int(),
  /** Pass this back as `cursor` next time. */
  cursor: cursorSchema,
  changes: z.array(serverRowSchema),
  /** More rows after `cursor`: pull again at once. */
  hasMore: z.boolean(),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

/**
 * `POST /sync/:appId` answer: the rows that changed after the client's cursor, as a pull would page
 * them. When the client pushed at the stream's head, its own new row states are not echoed: its
 * replica already holds them (everything up to the head merged with what it sent).
 */
export const pushResponseSchema = pullResponseSchema.extend({
  /** How many of the pushed changes were applied (all of them: a push is atomic). */
  acknowledged: z.number().int().min(0),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

// WebSocket `/ws` (or `/ws/:appId` for one app's pokes only).

export const wsAuthMessageSchema = z.object({
  type: z.literal('auth'),
  token: z.string().min(1).max(16_384),
});
export const wsPingMessageSchema = z.object({ type: z.literal('ping') });
export const wsClientMessageSchema = z.discriminatedUnion('type', [wsAuthMessageSchema, wsPingMessageSchema]);
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

export const wsReadyMessageSchema = z.object({ type: z.literal('ready') });
/**
 * "The stream advanced to `cursor`." When the change was small the poke carries it: `changes` are the
 * rows a pull from `from` would return (every row whose version is after `from`, up to `cursor`), so a
 * client whose cursor is exactly `from` applies them without pulling; any other client pulls as usual.
 */
export const wsPokeMessageSchema = z.object({
  type: z.literal('poke'),
  appId: z.string(),
  cursor: cursorSchema,
  from: cursorSchema.optional(),
  changes: z.array(serverRowSchema).optional(),
});
export const wsPongMessageSchema = z.object({ type: z.literal('pong') });
export const wsServerMessageSchema = z.discriminatedUnion('type', [
  wsReadyMessageSchema,
  wsPokeMessageSchema,
  wsPongMessageSchema,
]);
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;
export type WsPokeMessage = z.infer<typeof wsPokeMessageSchema>;

/** Close codes of `/ws`; clients reconnect on every code except 4003. */
export const WsCloseCode = {
  /** Server shutting down (drain); reconnect elsewhere. */
  GoingAway: 1001,
  /** A message that is not valid JSON or not a known message. */
  ProtocolError: 4000,
  /** No `auth` message within the timeout, an invalid token, or the token expired: get a new one. */
  Unauthenticated: 4001,
  /** The token may not use sync at all (or not this app): do not retry with the same token. */
  Forbidden: 4003,
  /** No pong to the server's heartbeat in time. */
  HeartbeatTimeout: 4008,
} as const;
