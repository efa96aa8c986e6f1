/**
 * Stable error codes of the sync API (`{ errcode, error }` bodies). Clients branch on these, never on
 * the human message.
 */
export const SyncErrCode = {
  /** 400: `:appId` is not in the collections registry. */
  UnknownApp: 'SYNC_UNKNOWN_APP',
  /** 400: a change names a table the app does not have. */
  UnknownTable: 'SYNC_UNKNOWN_TABLE',
  /** 400: a change names a field the table does not have. */
  UnknownField: 'SYNC_UNKNOWN_FIELD',
  /** 400: a field value does not match the field's type. */
  InvalidField: 'SYNC_INVALID_FIELD',
  /** 400: a clock is malformed or too far in the future. */
  InvalidHlc: 'SYNC_INVALID_HLC',
  /** 400: the request envelope (clientId, cursor, change shape) is malformed. */
  BadRequest: 'SYNC_BAD_REQUEST',
  /** 413: the request body is larger than the server accepts. */
  PayloadTooLarge: 'SYNC_PAYLOAD_TOO_LARGE',
  /** 413: more changes in one push than the server accepts. */
  TooManyChanges: 'SYNC_TOO_MANY_CHANGES',
  /** 413: one field value is larger than the server accepts. */
  FieldTooLarge: 'SYNC_FIELD_TOO_LARGE',
  /** 410: the cursor is older than the compaction horizon (or unknown): resync from cursor 0. */
  CursorExpired: 'SYNC_CURSOR_EXPIRED',
  /** 403: the token may not touch this app. */
  Forbidden: 'SYNC_FORBIDDEN',
} as const;

export type SyncErrCode = (typeof SyncErrCode)[keyof typeof SyncErrCode];
