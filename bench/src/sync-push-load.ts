/**
 * The sync push bench's workload, shared by the bench process and its client process: batch `push`
 * of writer `writer`, `batch` changes of `fields` fields each, all stamped with one fresh HLC.
 */
import { formatHlc, type JsonValue } from '@mana/sync-protocol';

export const FIELD_NAMES = ['title', 'notes', 'priority', 'completed', 'order', 'dueDate', 'projectId'];

export function batchOf(writer: number, push: number, batch: number, fields: number) {
  const hlc = formatHlc({ wall: Date.now(), counter: push % 1000, clientId: `w${writer}` });
  return Array.from({ length: batch }, (_, i) => {
    const values: Record<string, JsonValue> = {
      title: `task ${push}-${i}`,
      notes: 'some notes about this task',
      priority: 1 + (i % 4),
      completed: i % 2 === 0,
      order: i,
      dueDate: '2026-01-15',
      projectId: 'inbox',
    };
    return {
      op: 'upsert' as const,
      table: 'tasks',
      id: `t-${push}-${i}`,
      fields: Object.fromEntries(
        FIELD_NAMES.slice(0, fields).map((f) => [f, { value: values[f] ?? null, hlc }]),
      ),
    };
  });
}

/** The JSON body of that push from `cursor`, row ids prefixed with `tag`. */
export function syncPushBody(
  writer: number,
  cursor: number,
  push: number,
  o: { batch: number; fields: number; tag: string },
): string {
  return JSON.stringify({
    clientId: `w${writer}`,
    cursor,
    changes: batchOf(writer, push, o.batch, o.fields).map((c) => ({ ...c, id: `${o.tag}${c.id}` })),
  });
}
