/**
 * Users' settings (language, time zone) in sync's `settings` app: table `settings`, row `user`.
 */
import type { Lang } from '@mana/i18n';
import type { Stores, UserSettings } from './ports.ts';
import { assertTimezone, canonicalTimezone } from './timezone.ts';

export const SETTINGS_APP = 'settings';
export const SETTINGS_TABLE = 'settings';
export const SETTINGS_ROW = 'user';

export function settingsOnSync(
  stores: Stores,
  options: { defaultTimezone: string; defaultLanguage?: Lang },
): UserSettings {
  return {
    async get(userId) {
      const store = await stores.forUser(userId, SETTINGS_APP);
      const row = await store.get(SETTINGS_TABLE, SETTINGS_ROW);
      if (!row) return undefined;
      const language = row.language === 'de' || row.language === 'en' ? row.language : undefined;
      // A zone this runtime does not know (written by an older client, say) counts as none set.
      const timezone = typeof row.timezone === 'string' ? canonicalTimezone(row.timezone) : undefined;
      return { language, timezone };
    },
    async setLanguage(userId, language) {
      const store = await stores.forUser(userId, SETTINGS_APP);
      const row = await store.get(SETTINGS_TABLE, SETTINGS_ROW);
      // `timezone` is required when the row is created.
      const fields: Record<string, unknown> = { language };
      if (!row || typeof row.timezone !== 'string') fields.timezone = options.defaultTimezone;
      await store.upsert(SETTINGS_TABLE, SETTINGS_ROW, fields);
      await store.flush();
    },
    async setTimezone(userId, input) {
      const timezone = assertTimezone(input);
      const store = await stores.forUser(userId, SETTINGS_APP);
      const row = await store.get(SETTINGS_TABLE, SETTINGS_ROW);
      // `language` is required when the row is created.
      const fields: Record<string, unknown> = { timezone };
      if (!row || (row.language !== 'de' && row.language !== 'en'))
        fields.language = options.defaultLanguage ?? 'de';
      await store.upsert(SETTINGS_TABLE, SETTINGS_ROW, fields);
      await store.flush();
      return timezone;
    },
  };
}
