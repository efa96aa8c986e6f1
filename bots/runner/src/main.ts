#!/usr/bin/env node
/**
 * The bot runner: `BOTS=todo,mana node bots/runner/src/main.ts` (see README.md), in the shared life
 * cycle (`runService` from @mana/http): exit 78 on bad configuration (an unknown bot in `BOT_BOTS`
 * too); on SIGTERM readiness turns red and the events being processed finish before it stops.
 */
import { loadBotConfig, startRunner } from '@mana/bot-runtime';
import { runService } from '@mana/http';
import { AVAILABLE_BOTS } from './index.ts';

await runService({
  name: 'bots',
  config: () => loadBotConfig(),
  start: async ({ config, logger }) => {
    process.on('unhandledRejection', (err) =>
      logger.error({ err }, 'unhandled rejection (runner keeps going)'),
    );
    return startRunner({ config, available: AVAILABLE_BOTS, logger });
  },
});
