/** The mana hub's own settings (`BOT_MANA_` prefix), parsed once when the runner loads the bot. */
import { defineConfig, loadConfig, type ConfigOf } from '@mana/config';
import { z } from 'zod';

export const manaConfigSpec = defineConfig('BOT_MANA_', {
  summaryGraceMs: {
    schema: z.coerce.number().int().min(0),
    default: String(2 * 60 * 60 * 1000),
    doc: 'A morning summary more than this late (the runner was down at its time) is skipped, not sent late',
  },
});

export type ManaConfig = ConfigOf<typeof manaConfigSpec>;

export function loadManaConfig(env: Readonly<Record<string, string | undefined>> = process.env): ManaConfig {
  return loadConfig(manaConfigSpec, env);
}
