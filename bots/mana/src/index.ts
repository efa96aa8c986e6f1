/** The mana bot (the hub). See README.md for its commands. */
export { manaBot, manaCommands } from './bot.ts';
