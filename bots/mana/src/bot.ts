/**
 * The mana bot, the hub: a welcome when it joins a DM, `help` listing every bot, `account`,
 * `credits`, the morning summary (now, or daily at the user's time) and the built-in `language`.
 */
import {
  CommandError,
  defineBot,
  formatMilliCredits as credits,
  html,
  NotLinkedError,
  usageLine,
  welcomeFooter,
  type BotCommand,
  type BotDefinition,
  type CommandContext,
  type Json,
} from '@mana/bot-runtime';
import { parseTimeOfDay, wallOf } from '@mana/bot-runtime/zone';
import { loadManaConfig, type ManaConfig } from './config.ts';
import { giftCommands } from './gifts.ts';
import { gatherSummary, renderSummary } from './summary.ts';

/** State: the daily summary's time and zone, or null when off. */
const SUMMARY = 'summary';

/** The series key of a user's morning summary (one per user). */
export function summaryKey(userId: string): string {
  return `mana:summary:${userId}`;
}

function dayIn(instant: Date, timezone: string): string {
  const w = wallOf(instant, timezone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
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
    const time = `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
    await ctx.repeat(
      'summary',
      { roomId: ctx.roomId, userId: ctx.sender, tz: ctx.timezone },
      { key, repeat: { pattern: `${t.minute} ${t.hour} * * *`, tz: ctx.timezone } },
    );
    await ctx.state.set(SUMMARY, { time, tz: ctx.timezone });
    return ctx.t(
      {
        de: '☀️ Ab jetzt jeden Morgen um {time} ({tz}) deine Tagesübersicht.',
        en: '☀️ From now on your day at a glance every morning at {time} ({tz}).',
      },
      { time, tz: ctx.timezone },
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

interface SummaryJob {
  roomId: string;
  userId: string;
  tz: string;
}

function isSummaryJob(data: Json): data is Json & SummaryJob {
  return (
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    typeof data.roomId === 'string' &&
    typeof data.userId === 'string' &&
    typeof data.tz === 'string'
  );
}

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
      async summary(ctx, data) {
        if (!isSummaryJob(data)) {
          ctx.log.warn({ data }, 'summary job without room, user or zone');
          return;
        }
        // Each occurrence is claimed once (whichever runner); one that comes hours late because
        // the runners were down is dropped rather than sent in the afternoon.
        const late = ctx.scheduledAt ? ctx.now.getTime() - ctx.scheduledAt.getTime() : 0;
        if (late > config.summaryGraceMs) {
          ctx.log.info({ late, graceMs: config.summaryGraceMs }, 'morning summary too late, skipped');
          return;
        }
        try {
          const now = ctx.scheduledAt ?? ctx.now;
          const day = dayIn(now, data.tz);
          // One per day, even when the user moves the time to later on a day it was already sent.
          const sent = await ctx.once(`${summaryKey(data.userId)}#${day}`, async () => {
            const summaryData = await gatherSummary({
              now,
              timezone: data.tz,
              store: (app) => ctx.store(data.userId, app),
              balance: () => ctx.balance(data.userId),
            });
            await ctx.post(data.roomId, renderSummary(summaryData, await ctx.lang(data.userId)));
          });
          ctx.log.info(
            { userId: data.userId, day },
            sent ? 'morning summary sent' : 'morning summary already sent today',
          );
        } catch (err) {
          if (err instanceof NotLinkedError) {
            ctx.log.info({ userId: data.userId }, 'no account linked any more, summary skipped');
            return;
          }
          throw err;
        }
      },
    },
    welcome: (ctx) =>
      html`<p><b>${ctx.t({ de: 'Willkommen bei Mana! 👋', en: 'Welcome to Mana! 👋' })}</b></p><p>${ctx.t({
        de: 'Mana sind Bots, mit denen du hier im Chat arbeitest — und die Web-App zeigt dieselben Daten:',
        en: 'Mana is a set of bots you work with right here in chat — and the web app shows the same data:',
      })}</p>${botList(ctx)}<p>${ctx.t({ de: 'Web-App', en: 'Web app' })}: <a href="${ctx.webUrl}">${ctx.webUrl}</a></p>${welcomeFooter(ctx.lang, MANA_EXAMPLES)}`,
  });
}

export const manaBot = createManaBot(loadManaConfig());
