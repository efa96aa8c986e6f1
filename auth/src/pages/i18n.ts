/** German and English texts of every page and mail. Keys are the same in both languages. */
import { escapeHtml } from '@mana/html';
import { interpolate, isLang, matchLang, type Lang } from '@mana/i18n';

const en = {
  title: 'Mana',
  signIn: 'Sign in',
  signInTo: 'Sign in to continue to {client}',
  email: 'Email',
  password: 'Password',
  newPassword: 'New password',
  currentPassword: 'Current password',
  username: 'Username',
  usernameHint: 'Your Matrix name: lowercase letters, digits and . _ = - (2 to 32 characters).',
  name: 'Display name (optional)',
  register: 'Create account',
  noAccount: 'No account yet?',
  forgot: 'Forgot your password?',
  invalidLogin: 'Email or password is wrong.',
  unverified: 'Please confirm your email address first. We can send the link again:',
  resend: 'Send the confirmation link again',
  resent: 'If an unconfirmed account uses this address, a new link is on its way.',
  registered: 'Almost done: we sent a confirmation link to {email}. Open it to activate your account.',
  usernameTaken: 'This username is taken or reserved.',
  usernameInvalid: 'Usernames use lowercase letters, digits and . _ = - (2 to 32 characters).',
  weakPassword: 'Passwords need at least 10 characters.',
  emailInvalid: 'Please enter a valid email address.',
  verifiedTitle: 'Email confirmed',
  verified: 'Your email address is confirmed. You can sign in now.',
  verifyFailed: 'This confirmation link is invalid or has expired.',
  resetTitle: 'Reset your password',
  resetSend: 'Send reset link',
  resetSent: 'If an account uses this address, we sent it a link to reset the password.',
  resetDone: 'Your password has been changed. You can sign in now.',
  resetInvalid: 'This reset link is invalid or has expired.',
  changePassword: 'Change password',
  passwordChanged: 'Your password has been changed.',
  deleteAccount: 'Delete account',
  deleteAccountHint:
    'This signs you out everywhere, deletes your Matrix account and your personal data. It cannot be undone; your username stays reserved.',
  deleteAccountConfirm: 'Yes, delete my account for good',
  accountDeleted: 'Your account has been deleted.',
  wrongPassword: 'The current password is wrong.',
  consentTitle: '{client} asks for access',
  consentScopes: 'It wants to:',
  allow: 'Allow',
  deny: 'Deny',
  signOutTitle: 'Sign out',
  signOutQuestion: 'Do you want to sign out of Mana everywhere (including Matrix)?',
  signOut: 'Sign out',
  stay: 'Stay signed in',
  signedOut: 'You are signed out.',
  errorTitle: 'Something went wrong',
  backToSignIn: 'Back to sign in',
  language: 'Language',
  account: 'Your account',
  signedInAs: 'Signed in as {username}',
  tooMany: 'Too many attempts. Please wait {seconds} seconds.',
  'scope.openid': 'know who you are',
  'scope.profile': 'see your username and display name',
  'scope.email': 'see your email address',
  'scope.offline_access': 'stay signed in',
  'scope.sync': 'read and change your data in all Mana apps',
  'scope.credits': 'see and use your credits',
  'scope.matrix': 'use your Matrix account (chats, rooms, messages) as a new device',
  deviceTitle: 'Sign in on another device',
  deviceEnterCode: 'Enter the code your device shows.',
  deviceCode: 'Code',
  deviceWrongCode: 'This code is wrong or has expired. Try again.',
  deviceAborted: 'The sign-in was cancelled.',
  deviceError: 'Something went wrong with this sign-in. Start again on your device.',
  deviceStale: 'This form has expired. Open the page again and enter the code.',
  deviceStartAgain: 'Enter the code',
  deviceConfirm: '{client} wants to sign in. Check that your device shows this code:',
  deviceContinue: 'Continue',
  deviceAbort: 'Cancel',
  deviceDone: 'Done: {client} is signed in. You can close this page.',
  matrixSessions: 'Your Matrix sessions',
  matrixSessionsNone: 'No app is signed in to your Matrix account.',
  matrixId: 'Matrix ID',
  profileTitle: 'Profile',
  sessionClient: 'App',
  sessionDevice: 'Device',
  sessionCreated: 'Signed in',
  sessionLastActive: 'Last active',
  sessionView: 'Details',
  sessionEnd: 'Sign out',
  sessionEndQuestion: 'Sign out {client} (device {device})? The app loses access at once.',
  sessionEnded: '{client} (device {device}) is signed out.',
  sessionUnknown: 'There is no such session on your account.',
  crossSigningTitle: 'Reset your encryption identity',
  crossSigningExplain:
    'If you lost your recovery key and every signed-in device, you can reset your cross-signing keys. Messages encrypted before may stay unreadable.',
  crossSigningAllow: 'Allow the reset',
  crossSigningAllowed: 'Done: go back to your app and finish the reset within the next few minutes.',
  backToAccount: 'Back to your account',
  haveAccount: 'Already have an account? Sign in',
  registeredSignIn: 'Almost done: open the confirmation link we sent you, then sign in here.',
} as const;

export type TextKey = keyof typeof en;

const de: Record<TextKey, string> = {
  title: 'Mana',
  signIn: 'Anmelden',
  signInTo: 'Melde dich an, um zu {client} weiterzugehen',
  email: 'E-Mail',
  password: 'Passwort',
  newPassword: 'Neues Passwort',
  currentPassword: 'Aktuelles Passwort',
  username: 'Benutzername',
  usernameHint: 'Dein Matrix-Name: Kleinbuchstaben, Ziffern und . _ = - (2 bis 32 Zeichen).',
  name: 'Anzeigename (optional)',
  register: 'Konto erstellen',
  noAccount: 'Noch kein Konto?',
  forgot: 'Passwort vergessen?',
  invalidLogin: 'E-Mail oder Passwort ist falsch.',
  unverified: 'Bitte bestätige zuerst deine E-Mail-Adresse. Wir können den Link erneut senden:',
  resend: 'Bestätigungslink erneut senden',
  resent: 'Falls ein unbestätigtes Konto diese Adresse nutzt, ist ein neuer Link unterwegs.',
  registered:
    'Fast geschafft: Wir haben einen Bestätigungslink an {email} gesendet. Öffne ihn, um dein Konto zu aktivieren.',
  usernameTaken: 'Dieser Benutzername ist vergeben oder reserviert.',
  usernameInvalid: 'Benutzernamen bestehen aus Kleinbuchstaben, Ziffern und . _ = - (2 bis 32 Zeichen).',
  weakPassword: 'Passwörter brauchen mindestens 10 Zeichen.',
  emailInvalid: 'Bitte gib eine gültige E-Mail-Adresse ein.',
  verifiedTitle: 'E-Mail bestätigt',
  verified: 'Deine E-Mail-Adresse ist bestätigt. Du kannst dich jetzt anmelden.',
  verifyFailed: 'Dieser Bestätigungslink ist ungültig oder abgelaufen.',
  resetTitle: 'Passwort zurücksetzen',
  resetSend: 'Link zum Zurücksetzen senden',
  resetSent: 'Falls ein Konto diese Adresse nutzt, haben wir ihm einen Link zum Zurücksetzen gesendet.',
  resetDone: 'Dein Passwort wurde geändert. Du kannst dich jetzt anmelden.',
  resetInvalid: 'Dieser Link ist ungültig oder abgelaufen.',
  changePassword: 'Passwort ändern',
  passwordChanged: 'Dein Passwort wurde geändert.',
  deleteAccount: 'Konto löschen',
  deleteAccountHint:
    'Damit wirst du überall abgemeldet, dein Matrix-Konto und deine persönlichen Daten werden gelöscht. Das lässt sich nicht rückgängig machen; dein Benutzername bleibt vergeben.',
  deleteAccountConfirm: 'Ja, mein Konto endgültig löschen',
  accountDeleted: 'Dein Konto wurde gelöscht.',
  wrongPassword: 'Das aktuelle Passwort ist falsch.',
  consentTitle: '{client} bittet um Zugriff',
  consentScopes: 'Die Anwendung möchte:',
  allow: 'Erlauben',
  deny: 'Ablehnen',
  signOutTitle: 'Abmelden',
  signOutQuestion: 'Möchtest du dich überall bei Mana abmelden (auch bei Matrix)?',
  signOut: 'Abmelden',
  stay: 'Angemeldet bleiben',
  signedOut: 'Du bist abgemeldet.',
  errorTitle: 'Etwas ist schiefgelaufen',
  backToSignIn: 'Zurück zur Anmeldung',
  language: 'Sprache',
  account: 'Dein Konto',
  signedInAs: 'Angemeldet als {username}',
  tooMany: 'Zu viele Versuche. Bitte warte {seconds} Sekunden.',
  'scope.openid': 'wissen, wer du bist',
  'scope.profile': 'deinen Benutzernamen und Anzeigenamen sehen',
  'scope.email': 'deine E-Mail-Adresse sehen',
  'scope.offline_access': 'angemeldet bleiben',
  'scope.sync': 'deine Daten in allen Mana-Apps lesen und ändern',
  'scope.credits': 'deine Credits sehen und verwenden',
  'scope.matrix': 'dein Matrix-Konto (Chats, Räume, Nachrichten) als neues Gerät nutzen',
  deviceTitle: 'Auf einem anderen Gerät anmelden',
  deviceEnterCode: 'Gib den Code ein, den dein Gerät anzeigt.',
  deviceCode: 'Code',
  deviceWrongCode: 'Dieser Code ist falsch oder abgelaufen. Versuch es noch einmal.',
  deviceAborted: 'Die Anmeldung wurde abgebrochen.',
  deviceError: 'Bei dieser Anmeldung ist etwas schiefgegangen. Starte sie auf deinem Gerät neu.',
  deviceStale: 'Dieses Formular ist abgelaufen. Öffne die Seite neu und gib den Code ein.',
  deviceStartAgain: 'Code eingeben',
  deviceConfirm: '{client} möchte sich anmelden. Prüfe, ob dein Gerät diesen Code zeigt:',
  deviceContinue: 'Weiter',
  deviceAbort: 'Abbrechen',
  deviceDone: 'Fertig: {client} ist angemeldet. Du kannst diese Seite schließen.',
  matrixSessions: 'Deine Matrix-Sitzungen',
  matrixSessionsNone: 'Keine App ist bei deinem Matrix-Konto angemeldet.',
  matrixId: 'Matrix-ID',
  profileTitle: 'Profil',
  sessionClient: 'App',
  sessionDevice: 'Gerät',
  sessionCreated: 'Angemeldet',
  sessionLastActive: 'Zuletzt aktiv',
  sessionView: 'Details',
  sessionEnd: 'Abmelden',
  sessionEndQuestion: '{client} (Gerät {device}) abmelden? Die App verliert sofort den Zugriff.',
  sessionEnded: '{client} (Gerät {device}) ist abgemeldet.',
  sessionUnknown: 'Diese Sitzung gibt es in deinem Konto nicht.',
  crossSigningTitle: 'Verschlüsselungsidentität zurücksetzen',
  crossSigningExplain:
    'Wenn du deinen Wiederherstellungsschlüssel und alle angemeldeten Geräte verloren hast, kannst du deine Cross-Signing-Schlüssel zurücksetzen. Früher verschlüsselte Nachrichten bleiben dann womöglich unlesbar.',
  crossSigningAllow: 'Zurücksetzen erlauben',
  crossSigningAllowed:
    'Erledigt: Kehr zu deiner App zurück und schließ das Zurücksetzen in den nächsten Minuten ab.',
  backToAccount: 'Zurück zu deinem Konto',
  haveAccount: 'Schon ein Konto? Anmelden',
  registeredSignIn: 'Fast fertig: Öffne den Bestätigungslink aus unserer Mail und melde dich dann hier an.',
};

const texts: Record<Lang, Record<TextKey, string>> = { en, de };

export function t(lang: Lang, key: TextKey, vars: Record<string, string | number> = {}): string {
  return interpolate(texts[lang][key], vars);
}

export function isTextKey(key: string): key is TextKey {
  return key in en;
}

/** Picks the language: explicit choice (`?lang=` or the `mana_lang` cookie), then Accept-Language. */
export function pickLang(input: {
  query?: string | undefined;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
}): Lang {
  for (const v of [input.query, input.cookie]) if (isLang(v)) return v;
  const accept = (input.acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())?.[1]).find(Boolean);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  return matchLang(accept.map((a) => a.tag)) ?? 'en';
}

type MailKind = 'verify' | 'reset' | 'exists';

const mails: Record<Lang, Record<MailKind, { subject: string; body: string }>> = {
  en: {
    verify: { subject: 'Confirm your Mana account', body: 'Open this link to confirm your email address:' },
    reset: {
      subject: 'Reset your Mana password',
      body: 'Open this link to choose a new password (valid for one hour):',
    },
    exists: {
      subject: 'Your Mana account',
      body: 'Somebody tried to create an account with this address, which already has one. Forgot your password? Reset it here:',
    },
  },
  de: {
    verify: {
      subject: 'Bestätige dein Mana-Konto',
      body: 'Öffne diesen Link, um deine E-Mail-Adresse zu bestätigen:',
    },
    reset: {
      subject: 'Setze dein Mana-Passwort zurück',
      body: 'Öffne diesen Link, um ein neues Passwort zu wählen (eine Stunde gültig):',
    },
    exists: {
      subject: 'Dein Mana-Konto',
      body: 'Jemand wollte mit dieser Adresse ein Konto anlegen, sie hat aber schon eines. Passwort vergessen? Hier zurücksetzen:',
    },
  },
};

export function mailText(
  lang: Lang,
  kind: MailKind,
  url: string,
): { subject: string; text: string; html: string } {
  const m = mails[lang][kind];
  const safe = escapeHtml(url);
  return {
    subject: m.subject,
    text: `${m.body}\n\n${url}\n`,
    html: `<p>${m.body}</p><p><a href="${safe}">${safe}</a></p>`,
  };
}
