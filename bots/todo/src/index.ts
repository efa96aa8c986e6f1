/** The todo bot. See README.md for its commands. */
export { todoBot, todoCommands } from './bot.ts';
export { breakdown, dayIn, formatDue, parseTask, parseWhen, type ParsedTask } from './parse.ts';
