/** The clock core's one error type: a stable `code`, the log text, and the text shown in the room. */
export type ClockErrCode =
  | 'ERR_DURATION_INVALID'
  | 'ERR_DURATION_RANGE'
  | 'ERR_ALARM_TIME'
  | 'ERR_ALARM_DAYS'
  | 'ERR_TIMEZONE'
  | 'ERR_CITY_UNKNOWN';

export class ClockError extends Error {
  readonly code: ClockErrCode;
  readonly human: { de: string; en: string };
  constructor(
    code: ClockErrCode,
    message: string,
    human: { de: string; en: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ClockError';
    this.code = code;
    this.human = human;
  }
}
