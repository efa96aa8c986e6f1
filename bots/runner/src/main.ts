#!/usr/bin/env node
/**
 * The bot runner: `BOTS=todo,mana node bots/runner/src/main.ts` (see bots/runtime/README.md).
 */
import { loadBotConfig, startRunner } from '@mana/bot-runtime';
import { onShutdown } from '@mana/http';
import { createLogger } from '@mana/logging';
import { AVAILABLE_BOTS } from './index.ts';

const config = loadBotConfig();
const logger = createLogger({ service: 'bots', level: config.logLevel });
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (runner keeps going)'));
const runner = await startRunner({ config, available: AVAILABLE_BOTS, logger });
onShutdown(logger, () => runner.stop());
