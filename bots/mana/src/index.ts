/** The mana bot (the hub). See README.md for its commands. */
export { createManaBot, manaBot, manaCommands, summaryKey } from './bot.ts';
export { loadManaConfig, manaConfigSpec, type ManaConfig } from './config.ts';
