/**
 * Checks changes against the collections registry. The server answers 4xx with the issue; the client
 * engine runs the same check before a write enters its outbox, so it never queues a change the server
 * would refuse.
 */
import type { z } from 'zod';
import { fieldSchema, isAppId, tableSchema } from './collections.ts';
import { SyncErrCode } from './errors.ts';
import { HLC_PATTERN } from './hlc.ts';
import type { Change, FieldWrite } from './messages.ts';

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

/** The greatest clock whose wall time is at most `maxWallMs`: clocks above it are too far ahead. */
function newestAllowed(maxWallMs: number | undefined): string | undefined {
  return maxWallMs === undefined ? undefined : `${String(Math.floor(maxWallMs)).padStart(15, '0')}:999999:~`;
}

function checkHlc(hlc: string, path: string, newest: string | undefined): ChangeIssue | undefined {
  // The wall time is the fixed-width prefix, so a string comparison suffices (hot path: every field).
  if (newest !== undefined && hlc > newest)
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
  const newest = newestAllowed(options.maxWallMs);
  if (change.op === 'delete') return checkHlc(change.hlc, `${base}.hlc`, newest);
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
    const hlc = checkHlc(write.hlc, `${path}.hlc`, newest);
    if (hlc) return hlc;
  }
  return undefined;
}

/**
 * Verdicts of field schemas on scalar values already seen. A push repeats the same values all the
 * time (booleans, priorities, project ids, dates), and a field schema is a pure function of its
 * value, so one check per distinct (field, value) answers them all. Bounded: a map that fills up
 * starts over; long strings are always checked afresh.
 */
const verdicts = new WeakMap<z.ZodType, Map<string | number | boolean | null, boolean>>();
const VERDICTS_MAX = 4096;
const VERDICT_STRING_MAX = 256;

function fieldAccepts(schema: z.ZodType, value: string | number | boolean | null): boolean {
  const memo = typeof value !== 'string' || value.length <= VERDICT_STRING_MAX;
  let seen = verdicts.get(schema);
  const known = memo ? seen?.get(value) : undefined;
  if (known !== undefined) return known;
  const ok = schema.safeParse(value).success;
  if (memo) {
    if (!seen) verdicts.set(schema, (seen = new Map<string | number | boolean | null, boolean>()));
    if (seen.size >= VERDICTS_MAX) seen.clear();
    seen.set(value, ok);
  }
  return ok;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The server's fast path for one change as it came out of `JSON.parse`: the change, shaped exactly
 * as `changeSchema` would output it, when it is well-formed and passes `validateChange` with the same
 * options; `undefined` when it does not, or when it uses a shape the fast path leaves to the thorough
 * check (a field value that is an array or an object, an unknown key). `undefined` never means
 * "invalid": the caller then runs `changeSchema` and `validateChange`, which name the problem.
 *
 * Instead of the wire schema plus one field schema per field, it checks the envelope of the change by
 * hand and each field value with its field schema, remembering the verdicts on scalar values (see `fieldAccepts`).
 *
 * @example
 * const change = acceptChange('todo', JSON.parse(body), { maxFieldBytes: 65536 }) ?? checkThoroughly(raw);
 */
export function acceptChange(
  appId: string,
  raw: unknown,
  options: Omit<ValidateOptions, 'path'> = {},
): Change | undefined {
  if (!isObject(raw)) return undefined;
  const { op, table: tableName, id } = raw;
  if (typeof tableName !== 'string' || tableName.length < 1 || tableName.length > 64) return undefined;
  if (typeof id !== 'string' || id.length < 1 || id.length > 128) return undefined;
  const table = tableSchema(appId, tableName);
  if (!table) return undefined;
  const newest = newestAllowed(options.maxWallMs);
  if (op === 'delete') {
    const { hlc } = raw;
    if (typeof hlc !== 'string' || !HLC_PATTERN.test(hlc)) return undefined;
    if (newest !== undefined && hlc > newest) return undefined;
    return { op, table: tableName, id, hlc };
  }
  if (op !== 'upsert' || !isObject(raw.fields)) return undefined;
  const shape: Record<string, z.ZodType> = table.shape;
  const fields: Record<string, FieldWrite> = {};
  const limit = options.maxFieldBytes;
  for (const name of Object.keys(raw.fields)) {
    const write = raw.fields[name];
    if (name === '__proto__' || !Object.hasOwn(shape, name) || !isObject(write)) return undefined;
    const { value, hlc } = write;
    if (typeof hlc !== 'string' || !HLC_PATTERN.test(hlc)) return undefined;
    if (newest !== undefined && hlc > newest) return undefined;
    // JSON scalars only (what `z.json()` accepts of them); arrays and objects take the thorough path.
    if (typeof value === 'string') {
      if (limit !== undefined && jsonSize(value, limit) > limit) return undefined;
    } else if (!(value === null || typeof value === 'boolean' || Number.isFinite(value))) return undefined;
    // The same verdict as the table's schema with every field optional would give these fields: a
    // present field of a partial object is checked by its own schema alone (no object refinements).
    if (!fieldAccepts(shape[name] as z.ZodType, value as string | number | boolean | null)) return undefined;
    fields[name] = { value: value as FieldWrite['value'], hlc };
  }
  return { op, table: tableName, id, fields };
}
