/** The todo bot. See README.md for its commands. */
export { createTodoBot, todoBot, todoCommands } from './bot.ts';
export { parseSteps, type LlmSource } from './ai.ts';
export { breakdown, dayIn, formatDue, parseTask, parseWhen, type ParsedTask } from './parse.ts';
