import { describe, expect, it } from 'vitest';
import { describeRule, nextOccurrence } from './recurrence.ts';

// Local wall times (the view works in the browser's zone), so the test holds in any TZ.
const monday9 = new Date(2026, 10, 2, 9, 0);
const series = {
  start: monday9.toISOString(),
  end: new Date(2026, 10, 2, 10, 0).toISOString(),
  rrule: 'FREQ=WEEKLY;BYDAY=MO',
};

describe('calendar view recurrence', () => {
  it('a series shows at its next occurrence, a running one at its own, EXDATEs left out', () => {
    const thursday = new Date(2026, 10, 19, 10, 0);
    expect(nextOccurrence(series, thursday)).toEqual(new Date(2026, 10, 23, 9, 0));
    expect(nextOccurrence(series, new Date(2026, 10, 23, 9, 30))).toEqual(new Date(2026, 10, 23, 9, 0));
    const exdates = [new Date(2026, 10, 23, 9, 0).toISOString(), new Date(2026, 10, 30, 9, 0).toISOString()];
    expect(nextOccurrence({ ...series, exdates }, thursday)).toEqual(new Date(2026, 11, 7, 9, 0));
  });

  it('an ended series and an unreadable rule give nothing', () => {
    expect(
      nextOccurrence({ ...series, rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=2' }, new Date(2026, 10, 19)),
    ).toBeUndefined();
    expect(nextOccurrence({ ...series, rrule: 'FREQ=SOMETIMES' }, new Date(2026, 10, 19))).toBeUndefined();
  });

  it('says the rule in words', () => {
    expect(describeRule('FREQ=WEEKLY;BYDAY=MO,TH', 'de')).toBe('jeden Mo, Do');
    expect(describeRule('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', 'en')).toBe('every 2 weeks (Tue)');
    expect(describeRule('FREQ=DAILY;COUNT=10', 'de')).toBe('täglich, 10 mal');
    expect(describeRule('FREQ=MONTHLY;BYMONTHDAY=1', 'en')).toBe('monthly');
  });
});
