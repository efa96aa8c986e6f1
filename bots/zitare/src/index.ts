/** The zitare bot (quotes). See README.md for its commands. */
export { createZitareBot, dailyKey, zitareBot, zitareCommands } from './bot.ts';
export { loadZitareConfig, zitareConfigSpec, type ZitareConfig } from './config.ts';
