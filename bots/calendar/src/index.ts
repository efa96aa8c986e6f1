/**
 * The calendar bot (`calendarBot`) and its pure core: event parsing, recurrence, iCalendar import
 * and export, reminders. See README.md.
 */
export { calendarBot, calendarCommands } from './bot.ts';
export { CalendarError, type CalendarErrCode } from './errors.ts';
export {
  exportIcs,
  importIcs,
  MAX_ICS_BYTES,
  MAX_IMPORT_EVENTS,
  type EventRow,
  type ExportEvent,
  type ImportSummary,
  type SkipReason,
} from './ics.ts';
export { parseEvent, type Lang, type ParsedEvent, type ParseOptions } from './parse.ts';
export {
  checkRrule,
  checkSeries,
  nextOccurrence,
  expandEvent,
  MAX_OCCURRENCES,
  MAX_WINDOW_DAYS,
  parseRecurrence,
  type Occurrence,
  type ParsedRecurrence,
  type RecurringEvent,
} from './recurrence.ts';
export { offsetMinutes, wallOf, wallToInstant, type Wall } from '@mana/bot-runtime/zone';
