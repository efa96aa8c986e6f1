/**
 * The sync server's errors: every refusal is an HttpError with a stable `errcode` (SyncErrCode from
 * the protocol package, so clients share the names) and the offending path where there is one.
 */
import { HttpError } from '@mana/http';
import { SyncErrCode, type ChangeIssue } from '@mana/sync-protocol';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const STATUS: Record<SyncErrCode, ContentfulStatusCode> = {
  [SyncErrCode.UnknownApp]: 400,
  [SyncErrCode.UnknownTable]: 400,
  [SyncErrCode.UnknownField]: 400,
  [SyncErrCode.InvalidField]: 400,
  [SyncErrCode.InvalidHlc]: 400,
  [SyncErrCode.BadRequest]: 400,
  [SyncErrCode.PayloadTooLarge]: 413,
  [SyncErrCode.TooManyChanges]: 413,
  [SyncErrCode.FieldTooLarge]: 413,
  [SyncErrCode.CursorExpired]: 410,
  [SyncErrCode.Forbidden]: 403,
};

export function syncError(
  errcode: SyncErrCode,
  message: string,
  extra: Record<string, unknown> = {},
  cause?: unknown,
): HttpError {
  return new HttpError(STATUS[errcode], errcode, message, { extra, cause });
}

export function issueError(issue: ChangeIssue): HttpError {
  return syncError(issue.errcode, issue.message, { path: issue.path });
}

export const cursorExpired = (cursor: number, horizon: number, head: number): HttpError =>
  syncError(
    SyncErrCode.CursorExpired,
    cursor > head
      ? `Cursor ${cursor} is ahead of this stream (${head}): resync from cursor 0`
      : `Cursor ${cursor} is older than the compaction horizon ${horizon}: resync from cursor 0`,
    { horizon },
  );
