import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHlc } from './hlc.ts';
import { applyChange, emptyRow, isLive, mergeRow, rowValues, sameRow, type RowState } from './merge.ts';
import type { Change } from './messages.ts';

const hlc = fc
  .record({
    wall: fc.integer({ min: 1, max: 20 }),
    counter: fc.integer({ min: 0, max: 2 }),
    clientId: fc.constantFrom('a', 'b', 'c'),
  })
  .map(formatHlc);
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    op: fc.constant('upsert' as const),
    table: fc.constant('tasks'),
    id: fc.constant('r'),
    fields: fc.dictionary(
      fc.constantFrom('title', 'priority', 'notes'),
      fc.record({ value: fc.integer(), hlc }),
      {
        minKeys: 1,
      },
    ),
  }),
  fc.record({ op: fc.constant('delete' as const), table: fc.constant('tasks'), id: fc.constant('r'), hlc }),
);
const fold = (changes: Change[]): RowState => changes.reduce(applyChange, emptyRow());

describe('merge', () => {
  it('the result depends only on the set of changes: any order, any repetition', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), fc.infiniteStream(fc.nat()), (changes, rnd) => {
        const shuffled = [...changes, ...changes.slice(0, 3)];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rnd.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(sameRow(fold(changes), fold(shuffled))).toBe(true);
      }),
    );
  });

  it('mergeRow of two replicas equals applying the union of their changes', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 8 }), fc.array(change, { maxLength: 8 }), (a, b) => {
        const ab = mergeRow(fold(a), fold(b));
        const ba = mergeRow(fold(b), fold(a));
        expect(sameRow(ab, fold([...a, ...b]))).toBe(true);
        expect(sameRow(ab, ba)).toBe(true);
        expect(sameRow(mergeRow(ab, ab), ab)).toBe(true);
      }),
    );
  });

  it('a delete drops older fields; a later write revives only what it sets', () => {
    const h = (wall: number) => formatHlc({ wall, counter: 0, clientId: 'a' });
    let row = applyChange(emptyRow(), {
      op: 'upsert',
      table: 't',
      id: 'r',
      fields: { title: { value: 'x', hlc: h(1) }, notes: { value: 'n', hlc: h(5) } },
    });
    row = applyChange(row, { op: 'delete', table: 't', id: 'r', hlc: h(3) });
    expect(rowValues(row)).toEqual({ notes: 'n' });
    row = applyChange(row, { op: 'delete', table: 't', id: 'r', hlc: h(6) });
    expect(isLive(row)).toBe(false);
    const stale = applyChange(row, {
      op: 'upsert',
      table: 't',
      id: 'r',
      fields: { title: { value: 'old', hlc: h(4) } },
    });
    expect(stale).toBe(row);
    row = applyChange(row, {
      op: 'upsert',
      table: 't',
      id: 'r',
      fields: { title: { value: 'new', hlc: h(7) } },
    });
    expect(rowValues(row)).toEqual({ title: 'new' });
  });
});
