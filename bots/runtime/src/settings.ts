/**
 * Users' settings (language, time zone) in sync's `settings` app: table `settings`, row `user`.
 */
import type { Stores, UserSettings } from './ports.ts';

export const SETTINGS_APP = 'settings';
export const SETTINGS_TABLE = 'settings';
export const SETTINGS_ROW = 'user';

export function settingsOnSync(stores: Stores, options: { defaultTimezone: string }): UserSettings {
  return {
    async get(userId) {
      const store = await stores.forUser(userId, SETTINGS_APP);
      const row = await store.get(SETTINGS_TABLE, SETTINGS_ROW);
      if (!row) return undefined;
      const language = row.language === 'de' || row.language === 'en' ? row.language : undefined;
      const timezone = typeof row.timezone === 'string' ? row.timezone : undefined;
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
  };
}
