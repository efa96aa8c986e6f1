import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requiredFields, tableSchema } from './collections.ts';
import { SyncErrCode } from './errors.ts';
import { formatHlc } from './hlc.ts';
import { changeSchema, type Change } from './messages.ts';
import { acceptChange, validateChange } from './validate.ts';

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

  it.each([
    ['calendar', 'events', { exdates: ['2026-03-02T08:00:00Z'], reminderMinutes: 15, uid: 'a@b' }, true],
    ['calendar', 'events', { exdates: null, reminderMinutes: null, rrule: 'FREQ=WEEKLY;BYDAY=MO' }, true],
    ['calendar', 'events', { exdates: ['2026-03-02'] }, false],
    ['calendar', 'events', { exdates: Array.from({ length: 1001 }, () => '2026-03-02T08:00:00Z') }, false],
    ['calendar', 'events', { reminderMinutes: -1 }, false],
    ['calendar', 'events', { reminderMinutes: 40_321 }, false],
    ['calendar', 'events', { reminderMinutes: 1.5 }, false],
    ['calendar', 'events', { uid: '' }, false],
    ['clock', 'alarms', { timezone: 'Europe/Berlin', snoozedUntil: '2026-03-29T05:40:00Z' }, true],
    ['clock', 'alarms', { lastFiredAt: 'yesterday' }, false],
    ['clock', 'timers', { durationMs: 7 * 86_400_000, endsAt: '2026-03-29T05:40:00Z', doneAt: null }, true],
    ['clock', 'timers', { durationMs: 7 * 86_400_000 + 1 }, false],
    ['clock', 'timers', { remainingMs: 7 * 86_400_000 + 1 }, false],
  ])('%s.%s %j valid: %s', (app, table, fields, ok) => {
    const issue = validateChange(app, upsert(table, fields));
    if (ok) expect(issue).toBeUndefined();
    else expect(issue).toMatchObject({ errcode: SyncErrCode.InvalidField });
  });

  it('new calendar and clock fields are optional', () => {
    const events = tableSchema('calendar', 'events');
    expect(events && requiredFields(events)).toEqual(['calendarId', 'title', 'start', 'end', 'allDay']);
    const timers = tableSchema('clock', 'timers');
    expect(timers && requiredFields(timers)).toEqual(['durationMs', 'state']);
  });

  it('knows which fields are required', () => {
    const tasks = tableSchema('todo', 'tasks');
    expect(tasks && requiredFields(tasks)).toEqual(['title', 'priority', 'completed']);
    expect(tableSchema('todo', 'toString')).toBeUndefined();
  });
});

describe('acceptChange (the server fast path)', () => {
  const opts = { maxFieldBytes: 100, maxWallMs: 1_800_000_000_000 };
  /** The thorough path: the wire schema, then the registry. */
  const thorough = (app: string, raw: unknown): Change | undefined => {
    const parsed = changeSchema.safeParse(raw);
    if (!parsed.success || validateChange(app, parsed.data, opts)) return undefined;
    return parsed.data;
  };
  const clock = (wall: number) => formatHlc({ wall, counter: 0, clientId: 'c1' });
  const okHlc = clock(1_700_000_000_000);

  it.each([
    [
      'a valid upsert',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { title: { value: 'x', hlc: okHlc } } },
    ],
    [
      'unknown keys are dropped',
      'todo',
      {
        op: 'upsert',
        table: 'tasks',
        id: 'r',
        x: 1,
        hlc: okHlc,
        fields: { order: { value: 1.5, hlc: okHlc, y: 2 } },
      },
    ],
    ['a valid delete', 'todo', { op: 'delete', table: 'tasks', id: 'r', hlc: okHlc, fields: {} }],
    ['no fields', 'todo', { op: 'upsert', table: 'tasks', id: 'r', fields: {} }],
    [
      'null on optional',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { notes: { value: null, hlc: okHlc } } },
    ],
  ])('accepts %s exactly as the thorough path outputs it', (_name, app, raw) => {
    const fast = acceptChange(app, raw, opts);
    expect(fast).toBeDefined();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(thorough(app, raw)));
  });

  it.each([
    ['unknown app', 'nope', { op: 'upsert', table: 'tasks', id: 'r', fields: {} }],
    ['unknown table', 'todo', { op: 'upsert', table: 'events', id: 'r', fields: {} }],
    [
      'unknown field',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { colour: { value: 'x', hlc: okHlc } } },
    ],
    [
      '__proto__ field',
      'todo',
      JSON.parse(
        `{"op":"upsert","table":"tasks","id":"r","fields":{"__proto__":{"value":"x","hlc":"${okHlc}"}}}`,
      ),
    ],
    [
      'wrong type',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { priority: { value: 9, hlc: okHlc } } },
    ],
    [
      'null on required',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { title: { value: null, hlc: okHlc } } },
    ],
    ['missing value', 'todo', { op: 'upsert', table: 'tasks', id: 'r', fields: { notes: { hlc: okHlc } } }],
    [
      'too large',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { notes: { value: 'x'.repeat(200), hlc: okHlc } } },
    ],
    [
      'bad clock',
      'todo',
      { op: 'upsert', table: 'tasks', id: 'r', fields: { title: { value: 'x', hlc: 'nope' } } },
    ],
    [
      'future clock',
      'todo',
      {
        op: 'upsert',
        table: 'tasks',
        id: 'r',
        fields: { title: { value: 'x', hlc: clock(1_900_000_000_000) } },
      },
    ],
    ['future delete', 'todo', { op: 'delete', table: 'tasks', id: 'r', hlc: clock(1_900_000_000_000) }],
    ['empty id', 'todo', { op: 'upsert', table: 'tasks', id: '', fields: {} }],
    ['long id', 'todo', { op: 'upsert', table: 'tasks', id: 'x'.repeat(129), fields: {} }],
    ['bad op', 'todo', { op: 'patch', table: 'tasks', id: 'r', fields: {} }],
    ['fields an array', 'todo', { op: 'upsert', table: 'tasks', id: 'r', fields: [] }],
    ['not an object', 'todo', [1]],
    [
      'an array value (thorough path)',
      'clock',
      { op: 'upsert', table: 'alarms', id: 'r', fields: { days: { value: [1], hlc: okHlc } } },
    ],
  ])('leaves %s to the thorough path', (_name, app, raw) => {
    expect(acceptChange(app, raw, opts)).toBeUndefined();
  });

  it('never accepts what the thorough path refuses, and outputs what it outputs', () => {
    const pairs = [
      ['todo', 'tasks'],
      ['todo', 'projects'],
      ['calendar', 'events'],
      ['clock', 'alarms'],
      ['clock', 'timers'],
      ['settings', 'settings'],
      ['todo', 'events'],
      ['nope', 'tasks'],
    ] as const satisfies readonly (readonly [string, string])[];
    const names = ['title', 'notes', 'priority', 'completed', 'order', 'dueDate', 'name', 'color'];
    const more = ['allDay', 'start', 'days', 'enabled', 'state', 'durationMs', 'language', 'x', ''];
    const value = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(null, true, false, 0, 1, 4, 5, 1.5, -1, '', 'x', '2025-12-31'),
      },
      fc.constantFrom('#aabbcc', 'de', 'running', '2025-01-01T10:00:00Z', 'a'.repeat(120)),
      fc.string(),
      fc.double(),
      fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 3 }),
    );
    const hlc = fc.oneof(
      { weight: 6, arbitrary: fc.constant(okHlc) },
      fc.constantFrom(clock(1_900_000_000_000), 'nope'),
      fc.integer({ min: 0, max: 2_000_000_000_000 }).map(clock),
    );
    const write = fc.record({ value, hlc }, { requiredKeys: ['hlc'] });
    const change = fc.oneof(
      {
        weight: 9,
        arbitrary: fc.record(
          {
            op: fc.constantFrom('upsert', 'upsert', 'delete', 'x'),
            pair: fc.constantFrom(...pairs),
            id: fc.oneof(fc.constantFrom('r', 'r2', ''), fc.string({ maxLength: 130 })),
            fields: fc.dictionary(fc.constantFrom(...names, ...more), write, { maxKeys: 3 }),
            hlc,
          },
          { requiredKeys: ['op', 'pair', 'id', 'fields'] },
        ),
      },
      fc.anything().map((raw) => ({ pair: pairs[0], raw })),
    );
    let accepted = 0;
    fc.assert(
      fc.property(change, (c) => {
        const pair: readonly [string, string] = c.pair;
        const [app, table] = pair;
        const raw = 'raw' in c ? c.raw : { op: c.op, table, id: c.id, fields: c.fields, hlc: c.hlc };
        const fast = acceptChange(app, raw, opts);
        if (fast === undefined) return;
        accepted++;
        expect(JSON.stringify(fast)).toBe(JSON.stringify(thorough(app, raw)));
      }),
      { numRuns: 5000 },
    );
    // The property says something only if the fast path accepted a fair share.
    expect(accepted).toBeGreaterThan(300);
  });
});
