/**
 * The clock bot's pure core (no Matrix yet): durations, alarms and their next firing, city → time
 * zone, the countdown line. The bot itself comes with the runtime wiring.
 */
export { nextFiring, parseAlarm, type AlarmSpec } from './alarm.ts';
export { findCity, normalizeCity, suggestCities, UnknownCityError, type City } from './cities.ts';
export { formatRemaining, progressBar, renderCountdown, type CountdownState } from './countdown.ts';
export { formatDuration, parseDuration, splitDuration } from './duration.ts';
export { ClockError, type ClockErrCode } from './errors.ts';
export { offsetMinutes, wallOf, wallToInstant, type Wall } from '@mana/bot-runtime/zone';
