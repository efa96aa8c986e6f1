/** The zitare bot's own settings (`BOT_ZITARE_` prefix), parsed once when the runner loads the bot. */
import { defineConfig, loadConfig, type ConfigOf } from '@mana/config';
import { z } from 'zod';

export const zitareConfigSpec = defineConfig('BOT_ZITARE_', {
  dailyGraceMs: {
    schema: z.coerce.number().int().min(0),
    default: String(2 * 60 * 60 * 1000),
    doc: 'A daily quote more than this late (the runner was down at its time) is skipped, not sent late',
  },
});

export type ZitareConfig = ConfigOf<typeof zitareConfigSpec>;

export function loadZitareConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ZitareConfig {
  return loadConfig(zitareConfigSpec, env);
}
