import { describe, expect, it } from 'vitest';
import { requiredFields, tableSchema } from './collections.ts';
import { SyncErrCode } from './errors.ts';
import { formatHlc } from './hlc.ts';
import type { Change } from './messages.ts';
import { validateChange } from './validate.ts';

const hlc = formatHlc({ wall: 1_700_000_000_000, counter: 0, clientId: 'c1' });
const upsert = (table: string, fields: Record<string, unknown>): Change => ({
  op: 'upsert',
  table,
  id: 'r1',
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v as never, hlc }])),
});

describe('validateChange', () => {
  it.each([
    ['unknown app', 'nope', upsert('tasks', { title: 'x' }), SyncErrCode.UnknownApp, 'appId'],
    ['unknown table', 'todo', upsert('events', { title: 'x' }), SyncErrCode.UnknownTable, 'c.table'],
    ['unknown field', 'todo', upsert('tasks', { colour: 'x' }), SyncErrCode.UnknownField, 'c.fields.colour'],
    [
      'wrong type',
      'todo',
      upsert('tasks', { priority: 9 }),
      SyncErrCode.InvalidField,
      'c.fields.priority.value',
    ],
    [
      'bad date',
      'todo',
      upsert('tasks', { dueDate: '31.12.2025' }),
      SyncErrCode.InvalidField,
      'c.fields.dueDate.value',
    ],
    [
      'null on required',
      'todo',
      upsert('tasks', { title: null }),
      SyncErrCode.InvalidField,
      'c.fields.title.value',
    ],
    [
      'bad language',
      'settings',
      upsert('settings', { language: 'fr' }),
      SyncErrCode.InvalidField,
      'c.fields.language.value',
    ],
    [
      'too large',
      'todo',
      upsert('tasks', { notes: 'x'.repeat(200) }),
      SyncErrCode.FieldTooLarge,
      'c.fields.notes',
    ],
  ])('%s', (_name, app, change, errcode, path) => {
    expect(validateChange(app, change, { path: 'c', maxFieldBytes: 100 })).toMatchObject({ errcode, path });
  });

  it('accepts valid rows, null for optional fields, and refuses runaway clocks', () => {
    expect(
      validateChange(
        'todo',
        upsert('tasks', { title: 'Milk', priority: 2, completed: false, notes: null, dueDate: '2025-12-31' }),
      ),
    ).toBeUndefined();
    expect(
      validateChange(
        'calendar',
        upsert('events', { start: '2025-01-01T10:00:00Z', end: '2025-01-01T11:00:00+01:00', allDay: false }),
      ),
    ).toBeUndefined();
    expect(validateChange('todo', upsert('tasks', { title: 'x' }), { maxWallMs: 1 })).toMatchObject({
      errcode: SyncErrCode.InvalidHlc,
    });
  });

  it('knows which fields are required', () => {
    const tasks = tableSchema('todo', 'tasks');
    expect(tasks && requiredFields(tasks)).toEqual(['title', 'priority', 'completed']);
    expect(tableSchema('todo', 'toString')).toBeUndefined();
  });
});
