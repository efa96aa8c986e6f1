/**
 * The clock bot (`clockBot`, hosted by the runner) and its pure core: durations, alarms and their
 * next firing, city → time zone, the countdown line.
 */
export { clockBot, clockCommands } from './bot.ts';
export { nextFiring, parseAlarm, type AlarmSpec } from './alarm.ts';
export { findCity, normalizeCity, suggestCities, UnknownCityError, type City } from './cities.ts';
export { formatRemaining, progressBar, renderCountdown, type CountdownState } from './countdown.ts';
export { formatDuration, parseDuration, splitDuration } from './duration.ts';
export { ClockError, type ClockErrCode } from './errors.ts';
export { offsetMinutes, wallOf, wallToInstant, type Wall } from '@mana/bot-runtime/zone';
