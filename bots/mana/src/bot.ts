/**
 * The mana bot, the hub: a welcome when it joins a DM, `help` listing every bot, `account`,
 * `credits` (and the built-in `language`).
 */
import {
  defineBot,
  formatCredits as credits,
  html,
  welcomeFooter,
  type BotCommand,
  type CommandContext,
} from '@mana/bot-runtime';

function botList(ctx: CommandContext) {
  return html`<ul>${ctx.bots.map((b) => html`<li><b>${b.userId}</b> — ${b.description[ctx.lang]}</li>`)}</ul>`;
}

export const manaCommands: BotCommand[] = [
  {
    name: 'bots',
    aliases: { de: ['bots'], en: ['bots'] },
    help: { de: 'Alle Bots und was sie können.', en: 'Every bot and what it does.' },
    run: (ctx) =>
      html`<p><b>${ctx.t({ de: 'Die Mana-Bots', en: 'The Mana bots' })}</b></p>${botList(ctx)}<p>${ctx.t({
        de: 'Schreib einem Bot eine Direktnachricht und sende „hilfe“.',
        en: 'Send a bot a direct message and say “help”.',
      })}</p>`,
  },
  {
    name: 'account',
    aliases: { de: ['konto'], en: ['account', 'me'] },
    help: { de: 'Dein verknüpftes Mana-Konto.', en: 'Your linked Mana account.' },
    async run(ctx) {
      const account = await ctx.account();
      if (!account) {
        return ctx.t(
          {
            de: 'Mit {user} ist kein Mana-Konto verknüpft. Melde dich über „Mit Mana anmelden“ (SSO) an: {web}/account',
            en: 'No Mana account is linked to {user}. Sign in with “Sign in with Mana” (SSO): {web}/account',
          },
          { user: ctx.sender, web: ctx.webUrl },
        );
      }
      const yes = ctx.t({ de: 'ja', en: 'yes' });
      const no = ctx.t({ de: 'nein', en: 'no' });
      return html`<p><b>${ctx.t({ de: 'Dein Konto', en: 'Your account' })}</b></p><ul>
<li>Matrix: ${account.userId}</li>
<li>${ctx.t({ de: 'Benutzername', en: 'Username' })}: ${account.username ?? '—'}</li>
${account.email ? html`<li>E-Mail: ${account.email}</li>` : ''}
<li>${ctx.t({ de: 'E-Mail bestätigt', en: 'Email verified' })}: ${account.emailVerified ? yes : no}</li></ul>`;
    },
  },
  {
    name: 'credits',
    aliases: { de: ['guthaben'], en: ['credits', 'balance'] },
    help: { de: 'Guthaben, reserviert, letzte Buchungen.', en: 'Balance, held, last transactions.' },
    async run(ctx) {
      const b = await ctx.credits.balance();
      const tx = await ctx.credits.transactions(5);
      const l = ctx.lang;
      return html`<p><b>${ctx.t({ de: 'Guthaben', en: 'Credits' })}</b>: ${credits(b.available, l)} ${ctx.t({
        de: 'verfügbar',
        en: 'available',
      })} (${credits(b.balance, l)} ${ctx.t({ de: 'gesamt', en: 'total' })}, ${credits(b.held, l)} ${ctx.t({ de: 'reserviert', en: 'held' })})</p>${
        tx.length > 0
          ? html`<ul>${tx.map((t) => html`<li>${t.createdAt.slice(0, 10)} ${t.kind}${t.operation ? ` ${t.operation}` : ''}: ${t.amount > 0 ? '+' : ''}${credits(t.amount, l)}</li>`)}</ul>`
          : ''
      }<p>${ctx.t({ de: 'Guthaben und Buchungen in der Web-App', en: 'Balance and transactions in the web app' })}: ${ctx.webUrl}/credits</p>`;
    },
  },
];

const MANA_EXAMPLES = [
  { de: 'konto', en: 'account' },
  { de: 'guthaben', en: 'credits' },
  { de: 'bots', en: 'bots' },
];

export const manaBot = defineBot({
  id: 'mana',
  localpart: 'mana',
  displayName: 'Mana',
  description: {
    de: 'Der Hub: Konto, Credits, Sprache, Überblick',
    en: 'The hub: account, credits, language, overview',
  },
  commands: manaCommands,
  examples: MANA_EXAMPLES,
  welcome: (ctx) =>
    html`<p><b>${ctx.t({ de: 'Willkommen bei Mana! 👋', en: 'Welcome to Mana! 👋' })}</b></p><p>${ctx.t({
      de: 'Mana sind Bots, mit denen du hier im Chat arbeitest — und die Web-App zeigt dieselben Daten:',
      en: 'Mana is a set of bots you work with right here in chat — and the web app shows the same data:',
    })}</p>${botList(ctx)}<p>${ctx.t({ de: 'Web-App', en: 'Web app' })}: <a href="${ctx.webUrl}">${ctx.webUrl}</a></p>${welcomeFooter(ctx.lang, MANA_EXAMPLES)}`,
});
