/** Every bot this build ships; `BOT_BOTS` (or `BOTS`) picks which ones a runner hosts. */
import type { BotDefinition } from '@mana/bot-runtime';
import { calendarBot } from '@mana/bot-calendar';
import { clockBot } from '@mana/bot-clock';
import { manaBot } from '@mana/bot-mana';
import { ollamaBot } from '@mana/bot-ollama';
import { statsBot } from '@mana/bot-stats';
import { todoBot } from '@mana/bot-todo';
import { ttsBot } from '@mana/bot-tts';
import { zitareBot } from '@mana/bot-zitare';

export const AVAILABLE_BOTS: readonly BotDefinition[] = [
  manaBot,
  todoBot,
  calendarBot,
  clockBot,
  zitareBot,
  ollamaBot,
  ttsBot,
  statsBot,
];
