/**
 * The stats bot: daily and weekly reports and alerts in the ops room, operator commands there
 * (read from Prometheus' HTTP API), and a personal `stats` for anyone, from their own streams.
 */
import {
  CommandError,
  dayIn,
  defineBot,
  html,
  imageContent,
  noticeContent,
  toReply,
  type BotCommand,
  type BotDefinition,
  type CommandContext,
  type Html,
  type JobContext,
  type Text,
} from '@mana/bot-runtime';
import { CHART_HEIGHT, CHART_WIDTH, renderPng, trafficSvg } from './chart.ts';
import { loadStatsConfig, type StatsConfig } from './config.ts';
import { prometheusClient, type Prometheus } from './prometheus.ts';
import {
  buildReport,
  buildSection,
  periodOf,
  reportHtml,
  sectionHtml,
  type Period,
  type Report,
} from './report.ts';
import { REPORT_SECTIONS, type Lang, type SectionId } from './sections.ts';
import { mountAlertmanagerWebhook } from './webhook.ts';

/** The series keys: one daily and one weekly report for the whole deployment. */
export const DAILY_KEY = 'stats:report:daily';
export const WEEKLY_KEY = 'stats:report:weekly';
/** The content key of a report message that names its period (`{ kind, end }`). */
export const REPORT_KEY = 'org.mana.stats.report';

export const REFUSAL: Text = {
  de: 'Das dürfen nur Operatoren im Ops-Raum.',
  en: 'Only operators may ask this, in the ops room.',
};

/** The operator commands that show one section: id, aliases, help. */
const SECTION_COMMANDS: readonly [SectionId, { de: string[]; en: string[] }, Text][] = [
  [
    'system',
    { de: ['system'], en: ['system'] },
    { de: 'CPU, Speicher, Platte, Load', en: 'CPU, memory, disk, load' },
  ],
  [
    'services',
    { de: ['dienste'], en: ['services'] },
    { de: 'Welche Dienste laufen', en: 'Which services are up' },
  ],
  [
    'traffic',
    { de: ['verkehr', 'traffic'], en: ['traffic'] },
    { de: 'Anfragen, 5xx, p95 je Dienst (24 h)', en: 'Requests, 5xx, p95 per service (24 h)' },
  ],
  [
    'users',
    { de: ['nutzer'], en: ['users'] },
    { de: 'Neue und aktive Nutzer, Anmeldungen (24 h)', en: 'New and active users, logins (24 h)' },
  ],
  [
    'credits',
    { de: ['credits'], en: ['credits'] },
    {
      de: 'Gutgeschriebene und abgebuchte Credits, die Kontenprüfung',
      en: 'Credits granted and charged, the ledger check',
    },
  ],
  [
    'db',
    { de: ['db', 'datenbank'], en: ['db', 'database'] },
    { de: 'Postgres: Größe, Verbindungen', en: 'Postgres: size, connections' },
  ],
  ['bots', { de: ['bots'], en: ['bots'] }, { de: 'Befehle je Bot (24 h)', en: 'Commands per bot (24 h)' }],
];

export interface StatsBotOptions extends StatsConfig {
  /** Replace the Prometheus client (tests). */
  prometheus?: Prometheus;
}

function headingOf(period: Period, lang: Lang, timezone: string): string {
  const day = dayIn(period.end, timezone);
  const what =
    period.kind === 'weekly'
      ? { de: 'Wochenbericht', en: 'Weekly report' }
      : period.kind === 'daily'
        ? { de: 'Tagesbericht', en: 'Daily report' }
        : { de: 'Bericht der letzten 24 h', en: 'Report of the last 24 h' };
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(period.end);
  return `📊 ${what[lang]} · ${day} ${time}`;
}

/** The chart as an `m.image` content, uploaded; undefined (with the reason logged) when it fails. */
async function chartContent(
  report: Report,
  lang: Lang,
  ctx: Pick<CommandContext, 'upload' | 'log'>,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await renderChart(report, lang, ctx);
  } catch (err) {
    // The report posts without its chart rather than not at all.
    ctx.log.warn({ err }, 'report chart failed');
    return undefined;
  }
}

async function renderChart(
  report: Report,
  lang: Lang,
  ctx: Pick<CommandContext, 'upload'>,
): Promise<Record<string, unknown> | undefined> {
  if ('error' in report.traffic) return undefined;
  const png = renderPng(
    trafficSvg(report.traffic, {
      title: report.heading.replace(/^📊 /, ''),
      requests: lang === 'de' ? 'Anfragen' : 'requests',
      errors: '5xx',
    }),
  );
  const mxc = await ctx.upload(png, { contentType: 'image/png', filename: 'traffic.png' });
  return imageContent({
    mxc,
    mimetype: 'image/png',
    size: png.byteLength,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    body: 'traffic.png',
  });
}

export function createStatsBot(options: StatsBotOptions): BotDefinition {
  const prom =
    options.prometheus ??
    prometheusClient({ baseUrl: options.prometheusUrl, timeoutMs: options.prometheusTimeoutMs });
  const operators = new Set(options.operators);
  /** The ops room's id, resolved when the runner starts. */
  let opsRoomId: string | undefined = options.opsRoom.startsWith('!') ? options.opsRoom : undefined;

  function assertOperator(ctx: CommandContext) {
    if (ctx.roomId !== opsRoomId || !operators.has(ctx.sender))
      throw new CommandError(
        `${ctx.sender} asked in ${ctx.roomId}, not an operator in the ops room`,
        REFUSAL,
      );
  }

  const sectionCommand = (
    id: SectionId,
    aliases: { de: string[]; en: string[] },
    help: Text,
  ): BotCommand => ({
    name: id,
    aliases,
    help,
    async run(ctx) {
      assertOperator(ctx);
      const period = periodOf('now', ctx.now);
      const s = await buildSection(prom, id, period, ctx.lang);
      return sectionHtml(s, ctx.lang);
    },
  });

  /** `key` names the period: a retry by any occurrence posts under the same transaction ids. */
  async function postReport(ctx: JobContext, kind: 'daily' | 'weekly', end: Date, lang: Lang, key: string) {
    const roomId = opsRoomId;
    if (!roomId) return;
    const period = periodOf(kind, end);
    const report = await buildReport(
      prom,
      REPORT_SECTIONS,
      period,
      lang,
      headingOf(period, lang, options.timezone),
    );
    await ctx.postContent(
      roomId,
      // The period, machine-readable, so a reader (a test, a script) can ask Prometheus the same.
      { ...noticeContent(toReply(reportHtml(report, lang))), [REPORT_KEY]: { kind, end: end.toISOString() } },
      { txnKey: `${key}:text` },
    );
    // The chart is for the ops room (encrypted there if that room is).
    const chart = await chartContent(report, lang, {
      log: ctx.log,
      upload: (bytes, o) => ctx.upload(bytes, { ...o, roomId }),
    });
    if (chart) await ctx.postContent(roomId, chart, { txnKey: `${key}:chart` });
  }

  /** The report's language: the first operator's, else English. */
  async function reportLang(ctx: JobContext): Promise<Lang> {
    const first = options.operators[0];
    return first ? ctx.lang(first).catch((): Lang => 'en') : 'en';
  }

  const commands: BotCommand[] = [
    ...SECTION_COMMANDS.map(([id, aliases, help]) => sectionCommand(id, aliases, help)),
    {
      name: 'report',
      aliases: { de: ['bericht', 'report'], en: ['report'] },
      help: { de: 'Der Bericht der letzten 24 h, jetzt', en: 'The report of the last 24 h, now' },
      async run(ctx) {
        assertOperator(ctx);
        const period = periodOf('now', ctx.now);
        const report = await buildReport(
          prom,
          REPORT_SECTIONS,
          period,
          ctx.lang,
          headingOf(period, ctx.lang, options.timezone),
        );
        const chart = await chartContent(report, ctx.lang, ctx);
        if (chart) await ctx.sendContent(chart, { txnKey: 'chart' });
        return reportHtml(report, ctx.lang);
      },
    },
    {
      name: 'stats',
      aliases: { de: ['stats', 'statistik'], en: ['stats'] },
      help: {
        de: 'Deine eigenen Zahlen: Aufgaben, Termine, Credits',
        en: 'Your own numbers: tasks, events, credits',
      },
      async run(ctx) {
        const [tasks, events, history] = await Promise.all([
          ctx.store('todo').then((s) => s.list('tasks')),
          ctx.store('calendar').then((s) => s.list('events')),
          ctx.credits.transactions(1000),
        ]);
        const open = tasks.filter((task) => task.completed !== true).length;
        const used = history.filter((x) => x.kind === 'commit').reduce((sum, x) => sum - x.amount, 0);
        const t = (text: Text) => text[ctx.lang];
        const n = (v: number) =>
          new Intl.NumberFormat(ctx.lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 1 }).format(
            v,
          );
        const lines: Html = html`<p><b>${t({ de: 'Deine Zahlen', en: 'Your numbers' })}</b></p><ul><li>${t({ de: 'Aufgaben', en: 'Tasks' })}: ${n(tasks.length)} (${n(open)} ${t({ de: 'offen', en: 'open' })})</li><li>${t({ de: 'Termine', en: 'Events' })}: ${n(events.length)}</li><li>${t({ de: 'Verbrauchte Credits', en: 'Credits used' })}: ${n(used / 1000)}</li></ul>`;
        return lines;
      },
    },
  ];

  return defineBot({
    id: 'stats',
    localpart: 'stats',
    displayName: 'Stats',
    description: {
      de: 'Berichte, Alarme und Systemzahlen für Operatoren; „stats“ zeigt dir deine eigenen Zahlen',
      en: 'Reports, alerts and system numbers for operators; "stats" shows your own numbers',
    },
    examples: [
      { de: 'stats', en: 'stats' },
      { de: 'system', en: 'system' },
      { de: 'hilfe', en: 'help' },
    ],
    apps: ['todo', 'calendar'],
    commands,
    jobs: {
      async report(ctx, data) {
        const kind =
          typeof data === 'object' && data !== null && !Array.isArray(data) && data.kind === 'weekly'
            ? 'weekly'
            : 'daily';
        const end = ctx.scheduledAt ?? ctx.now;
        // One report per period, even if the series was re-declared at another time of that day.
        const key = `stats:${kind}:${dayIn(end, options.timezone)}`;
        await ctx.once(key, async () => postReport(ctx, kind, end, await reportLang(ctx), key));
      },
    },
    async start(ctx) {
      if (options.opsRoom) opsRoomId = await ctx.resolveRoom(options.opsRoom);
      else ctx.log.warn('STATS_OPS_ROOM is empty: no reports, no alerts, only the personal stats');
      const tz = options.timezone;
      await ctx.repeat(
        'report',
        { kind: 'daily' },
        { key: DAILY_KEY, repeat: { pattern: options.dailyCron, tz } },
      );
      await ctx.repeat(
        'report',
        { kind: 'weekly' },
        { key: WEEKLY_KEY, repeat: { pattern: options.weeklyCron, tz } },
      );
      if (ctx.http) {
        const received = ctx.metrics
          ? new ctx.metrics.client.Counter({
              name: 'stats_alert_notifications_total',
              help: 'Alertmanager notifications posted into the ops room, by status',
              labelNames: ['status'] as const,
              registers: [ctx.metrics.registry],
            })
          : undefined;
        mountAlertmanagerWebhook(ctx.http, {
          token: options.alertmanagerToken,
          roomId: opsRoomId,
          runbookBase: options.runbookBaseUrl,
          context: () => ctx.context('alertmanager'),
          onNotification: (status) => received?.inc({ status }),
        });
      }
    },
  });
}

export const statsBot = createStatsBot(loadStatsConfig());
