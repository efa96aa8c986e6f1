/** Every bot this build ships; `BOT_BOTS` (or `BOTS`) picks which ones a runner hosts. */
import type { BotDefinition } from '@mana/bot-runtime';
import { manaBot } from '@mana/bot-mana';
import { todoBot } from '@mana/bot-todo';
import { ttsBot } from '@mana/bot-tts';

export const AVAILABLE_BOTS: readonly BotDefinition[] = [manaBot, todoBot, ttsBot];
