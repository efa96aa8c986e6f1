/**
 * The mana bot, the hub: a welcome when it joins a DM, `help` listing every bot, `account`,
 * `credits`, the morning summary (now, or daily at the user's time) and the built-in `language`.
 */
import {
  CommandError,
  dailyJob,
  defineBot,
  formatCredits as credits,
  html,
  setDaily,
  usageLine,
  welcomeFooter,
  type BotCommand,
  type BotDefinition,
  type CommandContext,
} from '@mana/bot-runtime';
import { parseTimeOfDay } from '@mana/bot-runtime/zone';
import { loadManaConfig, type ManaConfig } from './config.ts';
import { giftCommands } from './gifts.ts';
import { gatherSummary, renderSummary } from './summary.ts';

/** State: the daily summary's time and zone, or null when off. */
const SUMMARY = 'summary';

/** The series key of a user's morning summary (one per user). */
export function summaryKey(userId: string): string {
  return `mana:summary:${userId}`;
}

const OFF = new Set(['aus', 'off', 'stop', 'stopp', 'nein', 'no']);

const summary: BotCommand = {
  name: 'summary',
  aliases: { de: ['zusammenfassung', 'morgen'], en: ['summary', 'morning'] },
  args: [{ name: 'when', kind: 'text', optional: true, label: { de: 'an HH:MM|aus', en: 'on HH:MM|off' } }],
  help: {
    de: 'Deine Tagesübersicht jetzt; „morgen an 7:00“ schickt sie jeden Morgen (deine Zeitzone), „morgen aus“ stoppt das.',
    en: 'Your day at a glance now; “summary on 07:00” sends it every morning (your time zone), “summary off” stops it.',
  },
  async run(ctx, args) {
    const when = args.optionalStr('when')?.trim().toLowerCase();
    if (when === undefined) {
      const data = await gatherSummary({
        now: ctx.now,
        timezone: ctx.timezone,
        store: (app) => ctx.store(app),
        balance: () => ctx.credits.balance(),
      });
      return renderSummary(data, ctx.lang);
    }
    const key = summaryKey(ctx.sender);
    if (OFF.has(when)) {
      const removed = await ctx.removeRepeatable(key);
      await ctx.state.set(SUMMARY, null);
      return removed
        ? ctx.t({ de: 'Morgenübersicht ist aus.', en: 'Morning summary is off.' })
        : ctx.t({ de: 'Es war keine Morgenübersicht eingestellt.', en: 'There was no morning summary set.' });
    }
    const t = parseTimeOfDay(when.replace(/^(an|on|um|at)\s+/u, ''));
    if (!t) throw new CommandError('bad summary time', usageLine(summary, ctx.lang));
    // Reading a store checks the account now, not at 7 in the morning.
    await ctx.store('todo');
    const set = await setDaily(ctx, { job: 'summary', key, time: t });
    await ctx.state.set(SUMMARY, set);
    return ctx.t(
      {
        de: '☀️ Ab jetzt jeden Morgen um {time} ({tz}) deine Tagesübersicht.',
        en: '☀️ From now on your day at a glance every morning at {time} ({tz}).',
      },
      set,
    );
  },
};

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
  summary,
  ...giftCommands,
];

const MANA_EXAMPLES = [
  { de: 'konto', en: 'account' },
  { de: 'guthaben', en: 'credits' },
  { de: 'bots', en: 'bots' },
];

export function createManaBot(config: ManaConfig): BotDefinition {
  return defineBot({
    id: 'mana',
    localpart: 'mana',
    displayName: 'Mana',
    description: {
      de: 'Der Hub: Konto, Credits, Sprache, Überblick',
      en: 'The hub: account, credits, language, overview',
    },
    commands: manaCommands,
    examples: MANA_EXAMPLES,
    jobs: {
      // One per day whichever runner takes it; one hours late (the runners were down) is dropped
      // rather than sent in the afternoon.
      summary: dailyJob({
        what: 'morning summary',
        graceMs: config.summaryGraceMs,
        keyOf: summaryKey,
        async send(ctx, target, day) {
          const summaryData = await gatherSummary({
            now: day.at,
            timezone: target.tz,
            store: (app) => ctx.store(target.userId, app),
            balance: () => ctx.balance(target.userId),
          });
          await ctx.post(target.roomId, renderSummary(summaryData, await ctx.lang(target.userId)));
        },
      }),
    },
    welcome: (ctx) =>
      html`<p><b>${ctx.t({ de: 'Willkommen bei Mana! 👋', en: 'Welcome to Mana! 👋' })}</b></p><p>${ctx.t({
        de: 'Mana sind Bots, mit denen du hier im Chat arbeitest — und die Web-App zeigt dieselben Daten:',
        en: 'Mana is a set of bots you work with right here in chat — and the web app shows the same data:',
      })}</p>${botList(ctx)}<p>${ctx.t({ de: 'Web-App', en: 'Web app' })}: <a href="${ctx.webUrl}">${ctx.webUrl}</a></p>${welcomeFooter(ctx.lang, MANA_EXAMPLES)}`,
  });
}

export const manaBot = createManaBot(loadManaConfig());
