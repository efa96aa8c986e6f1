/** The calendar core's one error type: a stable `code`, the log text, and the text shown in the room. */
import type { Text } from '@mana/bot-runtime';

export type CalendarErrCode =
  | 'ERR_DATE_INVALID'
  | 'ERR_DATE_MISSING'
  | 'ERR_TIMEZONE'
  | 'ERR_RRULE_INVALID'
  | 'ERR_RRULE_UNSUPPORTED'
  | 'ERR_TOO_MANY_OCCURRENCES'
  | 'ERR_WINDOW_TOO_LARGE'
  | 'ERR_ICS_TOO_LARGE'
  | 'ERR_ICS_INVALID';

export class CalendarError extends Error {
  readonly code: CalendarErrCode;
  readonly human: Text;
  constructor(code: CalendarErrCode, message: string, human: Text, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CalendarError';
    this.code = code;
    this.human = human;
  }
}
