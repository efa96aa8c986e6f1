/**
 * Which language a reply is in: the user's setting (sync `settings`), else a language this bot
 * kept for them while they had no linked account, else the language of their first words (which
 * then becomes their setting, and the reply says how to switch), else the default. Replies follow
 * the setting whatever words are used afterwards.
 */
import type { Logger } from '@mana/logging';
import type { BotInfo } from '../bot.ts';
import { errorMessage, NotLinkedError } from '../errors.ts';
import { isLang, type Lang } from '@mana/i18n';
import type { Kv, UserSettings } from '../ports.ts';

type Settings = Awaited<ReturnType<UserSettings['get']>>;
type SettingsRead = { kind: 'ok'; value: Settings } | { kind: 'not_linked' } | { kind: 'failed' };

export interface Resolved {
  lang: Lang;
  timezone: string | undefined;
  /** The language was just chosen from the words used: the reply says how to switch. */
  chosen: boolean;
}

export function createLanguages(o: { settings: UserSettings; kv: Kv; log: Logger; defaultLanguage: Lang }) {
  const { log } = o;

  async function read(userId: string): Promise<SettingsRead> {
    try {
      return { kind: 'ok', value: await o.settings.get(userId) };
    } catch (err) {
      if (err instanceof NotLinkedError) return { kind: 'not_linked' };
      log.warn({ err: errorMessage(err), userId }, 'could not read settings');
      return { kind: 'failed' };
    }
  }

  /** A language kept by this bot for a user without settings of their own (no linked account). */
  async function remembered(bot: BotInfo, userId: string): Promise<Lang | undefined> {
    const v = await o.kv.get<string>(bot.id, `user:${userId}`, 'language').catch(() => undefined);
    return isLang(v) ? v : undefined;
  }

  /** Stores a language: in the user's settings, or (no linked account) with this bot. */
  async function store(bot: BotInfo, userId: string, lang: Lang): Promise<void> {
    try {
      await o.settings.setLanguage(userId, lang);
    } catch (err) {
      if (!(err instanceof NotLinkedError)) throw err;
      await o.kv.set(bot.id, `user:${userId}`, 'language', lang);
    }
  }

  const storeQuietly = (bot: BotInfo, userId: string, lang: Lang) =>
    store(bot, userId, lang).then(
      () => true,
      (err: unknown) => {
        log.warn({ err: errorMessage(err), userId }, 'could not store the language');
        return false;
      },
    );

  /**
   * The language (and time zone) for a message from `userId`. `hint`: the language of the words
   * (from the alias used); `mayChoose`: false for the `language` command itself.
   */
  async function resolve(
    bot: BotInfo,
    userId: string,
    hint: Lang | undefined,
    mayChoose = true,
  ): Promise<Resolved> {
    // Settings first: a user with a language set (most) costs no query of the bot's own state.
    const settingsRead = await read(userId);
    const settings = settingsRead.kind === 'ok' ? settingsRead.value : undefined;
    const timezone = settings?.timezone;
    if (settings?.language) return { lang: settings.language, timezone, chosen: false };
    const kept = await remembered(bot, userId);
    if (kept) {
      // Chosen while they had no account, now linked: the settings learn it (every bot, the web app).
      if (settingsRead.kind === 'ok') await storeQuietly(bot, userId, kept);
      return { lang: kept, timezone, chosen: false };
    }
    // Not when the settings could not be read: that would overwrite them.
    if (hint && mayChoose && settingsRead.kind !== 'failed') {
      return { lang: hint, timezone, chosen: await storeQuietly(bot, userId, hint) };
    }
    return { lang: o.defaultLanguage, timezone, chosen: false };
  }

  /** The language to write to a user in when they said nothing yet (a greeting, a notice, a job). */
  async function of(bot: BotInfo | undefined, userId: string): Promise<Resolved> {
    const settingsRead = await read(userId);
    const settings = settingsRead.kind === 'ok' ? settingsRead.value : undefined;
    const kept = bot ? await remembered(bot, userId) : undefined;
    return {
      lang: settings?.language ?? kept ?? o.defaultLanguage,
      timezone: settings?.timezone,
      chosen: false,
    };
  }

  return { resolve, of, store };
}

export type Languages = ReturnType<typeof createLanguages>;
