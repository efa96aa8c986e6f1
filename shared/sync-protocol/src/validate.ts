/**
 * Checks changes against the collections registry. The server answers 4xx with the issue; the client
 * engine runs the same check before a write enters its outbox, so it never queues a change the server
 * would refuse.
 */
import { fieldSchema, isAppId, tableSchema } from './collections.ts';
import { SyncErrCode } from './errors.ts';
import type { Change } from './messages.ts';

export interface ChangeIssue {
  errcode: SyncErrCode;
  /** Where in the request, e.g. `changes.3.fields.title`. */
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** Path prefix of the change, e.g. `changes.3`. */
  path?: string;
  /** Largest JSON size of one field value, in bytes (UTF-16 units, close enough for a limit). */
  maxFieldBytes?: number;
  /** Clocks whose wall time is after this (ms) are refused: a runaway clock would win every write. */
  maxWallMs?: number;
}

/** JSON length of a value; strings shorter than a sixth of the limit cannot exceed it even fully escaped. */
function jsonSize(value: unknown, limit: number): number {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return 0;
  if (typeof value === 'string' && value.length * 6 + 2 <= limit) return value.length;
  return JSON.stringify(value).length;
}

export function validateApp(appId: string): ChangeIssue | undefined {
  return isAppId(appId)
    ? undefined
    : { errcode: SyncErrCode.UnknownApp, path: 'appId', message: `Unknown app "${appId}"` };
}

function checkHlc(hlc: string, path: string, maxWallMs: number | undefined): ChangeIssue | undefined {
  // The wall time is the fixed-width prefix, so a string comparison suffices (hot path: every field).
  if (maxWallMs !== undefined && hlc > `${String(Math.floor(maxWallMs)).padStart(15, '0')}:999999:~`)
    return { errcode: SyncErrCode.InvalidHlc, path, message: `${path}: clock is too far in the future` };
  return undefined;
}

/**
 * The first problem with one (already well-formed) change, or undefined.
 *
 * @example
 * const issue = validateChange('todo', change, { path: 'changes.0', maxFieldBytes: 65536 });
 * if (issue) throw new Error(issue.message);
 */
export function validateChange(
  appId: string,
  change: Change,
  options: ValidateOptions = {},
): ChangeIssue | undefined {
  const base = options.path ?? 'change';
  const app = validateApp(appId);
  if (app) return app;
  const table = tableSchema(appId, change.table);
  if (!table)
    return {
      errcode: SyncErrCode.UnknownTable,
      path: `${base}.table`,
      message: `${base}.table: app "${appId}" has no table "${change.table}"`,
    };
  if (change.op === 'delete') return checkHlc(change.hlc, `${base}.hlc`, options.maxWallMs);
  for (const [name, write] of Object.entries(change.fields)) {
    const path = `${base}.fields.${name}`;
    const schema = fieldSchema(table, name);
    if (!schema)
      return {
        errcode: SyncErrCode.UnknownField,
        path,
        message: `${path}: table "${change.table}" has no field "${name}"`,
      };
    if (
      options.maxFieldBytes !== undefined &&
      jsonSize(write.value, options.maxFieldBytes) > options.maxFieldBytes
    )
      return {
        errcode: SyncErrCode.FieldTooLarge,
        path,
        message: `${path}: value exceeds ${options.maxFieldBytes} bytes`,
      };
    const parsed = schema.safeParse(write.value);
    if (!parsed.success)
      return {
        errcode: SyncErrCode.InvalidField,
        path: `${path}.value`,
        message: `${path}.value: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      };
    const hlc = checkHlc(write.hlc, `${path}.hlc`, options.maxWallMs);
    if (hlc) return hlc;
  }
  return undefined;
}
