/** The clock core's one error type: a stable `code`, the log text, and the text shown in the room. */
import type { Text } from '@mana/bot-runtime';

export type ClockErrCode =
  | 'ERR_DURATION_INVALID'
  | 'ERR_DURATION_RANGE'
  | 'ERR_ALARM_TIME'
  | 'ERR_ALARM_DAYS'
  | 'ERR_TIMEZONE'
  | 'ERR_CITY_UNKNOWN';

export class ClockError extends Error {
  readonly code: ClockErrCode;
  readonly human: Text;
  constructor(code: ClockErrCode, message: string, human: Text, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClockError';
    this.code = code;
    this.human = human;
  }
}
