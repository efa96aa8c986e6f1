/**
 * The sync protocol shared by the sync server, the client engine, the bots and the web app: the
 * collections registry, wire schemas, hybrid logical clocks, the field-level merge rule and the
 * error codes.
 *
 * @example
 * import { collections, createClock, pushRequestSchema, applyChange, emptyRow } from '@mana/sync-protocol';
 * const clock = createClock({ clientId: 'bot-todo' });
 * const change = { op: 'upsert', table: 'tasks', id: 't1', fields: { title: { value: 'Milk', hlc: clock.tick() } } } as const;
 * const row = applyChange(emptyRow(), change);
 */
export {
  APP_IDS,
  MAX_REMINDER_MINUTES,
  MAX_TIMER_MS,
  collections,
  fieldSchema,
  isAppId,
  requiredFields,
  tableSchema,
  type AppId,
  type Collections,
  type RowOf,
  type TableName,
} from './collections.ts';
export { SyncErrCode } from './errors.ts';
export {
  CLIENT_ID_PATTERN,
  HLC_PATTERN,
  compareHlc,
  createClock,
  formatHlc,
  parseHlc,
  type Hlc,
  type HlcClock,
  type HlcParts,
} from './hlc.ts';
export {
  applyChange,
  applyDelete,
  applyFields,
  emptyRow,
  isLive,
  mergeRow,
  rowValues,
  sameRow,
  type RowState,
} from './merge.ts';
export {
  SYNC_PROTOCOL_VERSION,
  WsCloseCode,
  changeSchema,
  clientIdSchema,
  cursorSchema,
  deleteChangeSchema,
  fieldWriteSchema,
  hlcSchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  rowIdSchema,
  serverRowSchema,
  upsertChangeSchema,
  wsClientMessageSchema,
  wsServerMessageSchema,
  type Change,
  type DeleteChange,
  type FieldWrite,
  type JsonValue,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type ServerRow,
  type UpsertChange,
  type WsClientMessage,
  type WsPokeMessage,
  type WsServerMessage,
} from './messages.ts';
export {
  acceptChange,
  validateApp,
  validateChange,
  type ChangeIssue,
  type ValidateOptions,
} from './validate.ts';
