/**
 * The one merge rule, used by the server and by every client replica, so all of them converge.
 *
 * A row is a set of field registers plus a tombstone clock. A field write wins if its clock is
 * greater than the stored field's clock and than the tombstone; a delete raises the tombstone and
 * drops every field written before it. The result depends only on the set of writes received, not on
 * their order or repetition (a join-semilattice), which is what makes replicas converge.
 */
import type { Hlc } from './hlc.ts';
import type { Change, FieldWrite, JsonValue } from './messages.ts';

export interface RowState {
  fields: Record<string, FieldWrite>;
  deleted: Hlc | null;
}

export const emptyRow = (): RowState => ({ fields: {}, deleted: null });

/** A row is live while it has a field written after its newest delete. */
export function isLive(row: RowState): boolean {
  for (const _ in row.fields) return true;
  return false;
}

/** Field name → value of a row's live fields. */
export function rowValues(row: RowState): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, w] of Object.entries(row.fields)) out[k] = w.value;
  return out;
}

/** Applies a delete clock; returns a new row, or the same object when nothing changed. */
export function applyDelete(row: RowState, hlc: Hlc): RowState {
  if (row.deleted !== null && hlc <= row.deleted) return row;
  const fields: Record<string, FieldWrite> = {};
  for (const [k, w] of Object.entries(row.fields)) if (w.hlc > hlc) fields[k] = w;
  return { fields, deleted: hlc };
}

/**
 * Two writes with one clock come only from a broken or hostile client; ordering them by value keeps
 * the merge deterministic anyway, so replicas cannot diverge over it.
 */
function tieWins(value: JsonValue, current: JsonValue): boolean {
  return JSON.stringify(value) > JSON.stringify(current);
}

/** Applies field writes; returns a new row, or the same object when nothing changed. */
export function applyFields(row: RowState, writes: Record<string, FieldWrite>): RowState {
  let fields: Record<string, FieldWrite> | undefined;
  for (const [k, w] of Object.entries(writes)) {
    if (row.deleted !== null && w.hlc <= row.deleted) continue;
    const cur = (fields ?? row.fields)[k];
    if (cur && (w.hlc < cur.hlc || (w.hlc === cur.hlc && !tieWins(w.value, cur.value)))) continue;
    fields ??= { ...row.fields };
    fields[k] = { value: w.value, hlc: w.hlc };
  }
  return fields ? { fields, deleted: row.deleted } : row;
}

/**
 * Applies one pushed change.
 *
 * @example
 * const next = applyChange(row ?? emptyRow(), { op: 'upsert', table: 'tasks', id, fields: { title: { value: 'Milk', hlc } } });
 * if (next !== row) save(next);
 */
export function applyChange(row: RowState, change: Change): RowState {
  return change.op === 'delete' ? applyDelete(row, change.hlc) : applyFields(row, change.fields);
}

/** Merges another replica's state of the same row into `row` (commutative, idempotent). */
export function mergeRow(row: RowState, other: RowState): RowState {
  const afterDelete = other.deleted === null ? row : applyDelete(row, other.deleted);
  return applyFields(afterDelete, other.fields);
}

/** Structural equality of two row states. */
export function sameRow(a: RowState, b: RowState): boolean {
  if (a.deleted !== b.deleted) return false;
  const ka = Object.keys(a.fields);
  if (ka.length !== Object.keys(b.fields).length) return false;
  for (const k of ka) {
    const x = a.fields[k];
    const y = b.fields[k];
    if (!x || !y || x.hlc !== y.hlc || JSON.stringify(x.value) !== JSON.stringify(y.value)) return false;
  }
  return true;
}
