/**
 * The runtime's own messages, in both languages. Links into the web app name the view they open
 * (`{web}/account`, `{web}/credits`: the app routes those paths; tests/e2e/src/web.test.ts follows them).
 */
import type { Text } from '@mana/i18n';

export const TEXTS = {
  notLinked: {
    de: 'Zu {user} gehört noch kein Mana-Konto, darum kann ich deine Daten nicht verwenden. Melde dich einmal über „Mit Mana anmelden“ (SSO) an — in Element beim Login, oder im Web unter {web}/account — und schreib mir dann noch einmal.',
    en: 'There is no Mana account linked to {user} yet, so I cannot use your data. Sign in once with “Sign in with Mana” (SSO) — in Element when you log in, or on the web at {web}/account — then write to me again.',
  },
  insufficientCredits: {
    de: 'Dafür reichen deine Credits nicht: nötig sind {required}, verfügbar {available}. Es wurde nichts abgebucht. Dein Guthaben und deine Buchungen: {web}/credits',
    en: 'You do not have enough credits for that: it needs {required}, you have {available} available. Nothing was charged. Your balance and transactions: {web}/credits',
  },
  failed: {
    de: 'Das hat leider nicht geklappt (Referenz {ref}). Bitte versuch es gleich noch einmal.',
    en: 'Sorry, that did not work (reference {ref}). Please try again in a moment.',
  },
  timeout: {
    de: 'Das hat zu lange gedauert und wurde abgebrochen; es wurde nichts abgebucht (Referenz {ref}).',
    en: 'That took too long and was cancelled; nothing was charged (reference {ref}).',
  },
  unknown: {
    de: 'Den Befehl „{word}“ kenne ich nicht. Schreib „hilfe“ für alle Befehle.',
    en: 'I do not know the command “{word}”. Send “help” for all commands.',
  },
  unknownHelpTopic: {
    de: 'Zu „{word}“ gibt es keinen Befehl. Schreib „hilfe“ für alle Befehle.',
    en: 'There is no command “{word}”. Send “help” for all commands.',
  },
  tooLong: {
    de: 'Diese Nachricht ist zu lang für einen Befehl ({bytes} Bytes, höchstens {max}).',
    en: 'That message is too long for a command ({bytes} bytes, at most {max}).',
  },
  empty: {
    de: 'Deine Nachricht war leer. Schreib „hilfe“ für alle Befehle.',
    en: 'Your message was empty. Send “help” for all commands.',
  },
  cancelled: {
    de: 'Abgebrochen. Es wurde nichts abgebucht.',
    en: 'Cancelled. Nothing was charged.',
  },
  working: { de: '⏳ Einen Moment …', en: '⏳ Working on it …' },
  queued: {
    de: '⏳ In der Warteschlange, Position {position}: ich beantworte deine Nachrichten hier der Reihe nach.',
    en: '⏳ Queued, position {position}: I answer your messages here one after another.',
  },
  encrypted: {
    de: 'Ich kann verschlüsselte Nachrichten (noch) nicht lesen, darum sehe ich nicht, was hier geschrieben wird. Starte bitte einen neuen Direktchat mit mir ohne Verschlüsselung (in Element beim Erstellen „Ende-zu-Ende-Verschlüsselung aktivieren“ ausschalten) oder nutze die Web-App: {web}',
    en: 'I cannot read encrypted messages (yet), so I cannot see what is written here. Please start a new direct chat with me without encryption (in Element, turn off “Enable end-to-end encryption” when creating it) or use the web app: {web}',
  },
  undecryptable: {
    de: 'Ich konnte deine verschlüsselte Nachricht nicht entschlüsseln (mir fehlen ihre Schlüssel). Bitte sende sie noch einmal.',
    en: 'I could not decrypt your encrypted message (its keys never reached me). Please send it again.',
  },
  mediaTampered: {
    de: 'Deine verschlüsselte Datei kam beschädigt an (ihre Prüfsumme stimmt nicht), darum habe ich sie nicht geöffnet. Bitte sende sie noch einmal.',
    en: 'Your encrypted file arrived damaged (its checksum does not match), so I did not open it. Please send it again.',
  },
  helpTitle: { de: '{name} — Befehle', en: '{name} — commands' },
  helpFooter: {
    de: 'Mehr zu einem Befehl: „hilfe <befehl>“. Sprache ändern: „sprache en“.',
    en: 'More about one command: “help <command>”. Change language: “language de”.',
  },
  helpAliases: { de: 'Auch: {aliases}', en: 'Also: {aliases}' },
  helpCost: { de: 'Kostet {cost} Credits.', en: 'Costs {cost} credits.' },
  languageSet: {
    de: 'Alles klar, ich antworte dir ab jetzt auf Deutsch.',
    en: 'Got it, I will answer you in English from now on.',
  },
  languageCurrent: {
    de: 'Deine Sprache ist Deutsch. Ändern: „sprache en“ oder „sprache de“.',
    en: 'Your language is English. Change it: “language de” or “language en”.',
  },
  languageChosen: {
    de: 'Ich antworte dir ab jetzt auf Deutsch. In English: „language en“.',
    en: 'I will answer you in English from now on. Auf Deutsch: “sprache de”.',
  },
  welcomeIntro: {
    de: 'Hallo, ich bin {name}: {description}.',
    en: 'Hi, I am {name}: {description}.',
  },
  welcomeExamples: { de: 'Zum Beispiel:', en: 'For example:' },
  welcomeHelp: {
    de: '„hilfe“ zeigt alle Befehle. In English: „language en“.',
    en: '“help” shows all commands. Auf Deutsch: “sprache de”.',
  },
  timezoneCurrent: {
    de: 'Deine Zeitzone ist {zone} (dort ist es {now}). Ändern: „zeitzone Europe/Berlin“.',
    en: 'Your time zone is {zone} (it is {now} there). Change it: “timezone Europe/Berlin”.',
  },
  timezoneSet: {
    de: 'Alles klar: deine Zeitzone ist jetzt {zone} (dort ist es {now}). Alle Zeiten zeige ich dir darin.',
    en: 'Done: your time zone is now {zone} (it is {now} there). I show every time in it.',
  },
  textOnly: {
    de: 'Ich verstehe nur Text. Schreib „hilfe“ für alle Befehle.',
    en: 'I only understand text. Send “help” for all commands.',
  },
  languageUnknown: {
    de: 'Diese Sprache kenne ich nicht. Möglich: de, en.',
    en: 'I do not know that language. Possible: de, en.',
  },
} satisfies Record<string, Text>;
