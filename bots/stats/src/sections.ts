/**
 * What the reports and the operator commands show, section by section: each section is its PromQL
 * (over the period's range, evaluated at its end) and how the answers read as lines. The queries
 * are exported so tests and the benchmark ask Prometheus exactly what the bot asks.
 */
import type { Text } from '@mana/bot-runtime';
import type { Sample } from './prometheus.ts';

export type Lang = 'de' | 'en';

/** A Prometheus range (`24h`, `7d`) for a period of `seconds`. */
export function rangeOf(seconds: number): string {
  return seconds % 86_400 === 0
    ? `${seconds / 86_400}d`
    : seconds % 3600 === 0
      ? `${seconds / 3600}h`
      : `${seconds}s`;
}

type Answers = Readonly<Record<string, Sample[]>>;

export interface SectionSpec {
  id: SectionId;
  title: Text;
  /** PromQL by name, for the period's range (`24h`). */
  queries(range: string): Record<string, string>;
  lines(answers: Answers, lang: Lang): string[];
}

export type SectionId =
  'services' | 'traffic' | 'users' | 'bots' | 'credits' | 'sync' | 'synapse' | 'system' | 'db';

const nf = (lang: Lang, digits = 0) =>
  new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  });

export function fmt(value: number | undefined, lang: Lang, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return nf(lang, digits).format(value);
}

export function percent(ratio: number | undefined, lang: Lang): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '–' : `${fmt(ratio * 100, lang, 1)} %`;
}

export function bytes(n: number | undefined, lang: Lang): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${fmt(v, lang, i === 0 ? 0 : 1)} ${units[i]}`;
}

/** The one value of a query without labels (sum, max); undefined when Prometheus has no series. */
export function single(samples: readonly Sample[] | undefined): number | undefined {
  return samples?.[0]?.value;
}

/** Samples by one label's value. */
export function byLabel(samples: readonly Sample[] | undefined, label: string): Map<string, number> {
  return new Map((samples ?? []).map((s) => [s.labels[label] ?? '?', s.value]));
}

const t = (lang: Lang, text: Text) => text[lang];

export const SECTIONS: Readonly<Record<SectionId, SectionSpec>> = {
  services: {
    id: 'services',
    title: { de: 'Dienste', en: 'Services' },
    queries: () => ({ up: 'up' }),
    lines(a, lang) {
      const jobs = new Map<string, { up: number; all: number }>();
      for (const s of a.up ?? []) {
        const job = s.labels.job ?? '?';
        const j = jobs.get(job) ?? { up: 0, all: 0 };
        j.all++;
        if (s.value === 1) j.up++;
        jobs.set(job, j);
      }
      if (jobs.size === 0)
        return [t(lang, { de: 'Prometheus kennt keine Ziele.', en: 'Prometheus has no targets.' })];
      return [...jobs.entries()]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(
          ([job, j]) =>
            `${j.up === j.all ? '🟢' : '🔴'} ${job}: ${j.up}/${j.all} ${t(lang, { de: 'erreichbar', en: 'up' })}`,
        );
    },
  },
  traffic: {
    id: 'traffic',
    title: { de: 'Verkehr', en: 'Traffic' },
    queries: (r) => ({
      requests: `sum by (service) (increase(http_requests_total[${r}]))`,
      errors: `sum by (service) (increase(http_requests_total{status=~"5.."}[${r}])) / sum by (service) (increase(http_requests_total[${r}]))`,
      p95: `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket[${r}])))`,
    }),
    lines(a, lang) {
      const requests = byLabel(a.requests, 'service');
      const errors = byLabel(a.errors, 'service');
      const p95 = byLabel(a.p95, 'service');
      if (requests.size === 0)
        return [t(lang, { de: 'Keine Anfragen gezählt.', en: 'No requests counted.' })];
      return [...requests.entries()]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(
          ([service, n]) =>
            `${service}: ${fmt(n, lang)} ${t(lang, { de: 'Anfragen', en: 'requests' })}, 5xx ${percent(errors.get(service) ?? 0, lang)}, p95 ${fmt((p95.get(service) ?? Number.NaN) * 1000, lang)} ms`,
        );
    },
  },
  users: {
    id: 'users',
    title: { de: 'Nutzer', en: 'Users' },
    queries: (r) => ({
      registrations: `sum(increase(auth_registrations_total[${r}]))`,
      // auth counts the accounts it issued a token for in the window (1d, 7d: the report's range);
      // every auth instance counts the same table, so max, not sum.
      active: `max(auth_active_users{window="${r}"})`,
      logins: `sum(increase(auth_login_attempts_total[${r}])) - (sum(increase(auth_login_failures_total[${r}])) or vector(0))`,
      tokens: `sum(increase(auth_tokens_issued_total[${r}]))`,
    }),
    lines: (a, lang) => [
      `${t(lang, { de: 'Neue Nutzer', en: 'New users' })}: ${fmt(single(a.registrations), lang)}`,
      `${t(lang, { de: 'Aktive Nutzer', en: 'Active users' })}: ${fmt(single(a.active), lang)}`,
      `${t(lang, { de: 'Erfolgreiche Anmeldungen', en: 'Successful logins' })}: ${fmt(single(a.logins), lang)}`,
      `${t(lang, { de: 'Ausgestellte Tokens', en: 'Tokens issued' })}: ${fmt(single(a.tokens), lang)}`,
    ],
  },
  bots: {
    id: 'bots',
    title: { de: 'Bots', en: 'Bots' },
    queries: (r) => ({
      commands: `sum by (bot) (increase(bot_commands_total[${r}]))`,
      failed: `sum by (bot) (increase(bot_commands_total{outcome=~"error|timeout"}[${r}]))`,
    }),
    lines(a, lang) {
      const commands = byLabel(a.commands, 'bot');
      const failed = byLabel(a.failed, 'bot');
      if (commands.size === 0) return [t(lang, { de: 'Keine Befehle gezählt.', en: 'No commands counted.' })];
      return [...commands.entries()]
        .sort(([, x], [, y]) => y - x)
        .map(
          ([bot, n]) =>
            `${bot}: ${fmt(n, lang)} ${t(lang, { de: 'Befehle', en: 'commands' })}, ${fmt(failed.get(bot) ?? 0, lang)} ${t(lang, { de: 'fehlgeschlagen', en: 'failed' })}`,
        );
    },
  },
  credits: {
    id: 'credits',
    title: { de: 'Credits', en: 'Credits' },
    queries: (r) => ({
      charged: `sum(increase(credits_committed_milli_total[${r}]))`,
      charges: `sum(increase(credits_committed_total[${r}]))`,
      refused: `sum(increase(credits_insufficient_total[${r}]))`,
      granted: `sum(increase(credits_granted_milli_total{kind!="gift"}[${r}]))`,
      gifted: `sum(increase(credits_granted_milli_total{kind="gift"}[${r}]))`,
      ledgerOk: 'min(credits_ledger_check_ok)',
    }),
    lines(a, lang) {
      const ok = single(a.ledgerOk);
      return [
        `${t(lang, { de: 'Abgebucht', en: 'Charged' })}: ${fmt((single(a.charged) ?? Number.NaN) / 1000, lang, 1)} Credits (${fmt(single(a.charges), lang)} ${t(lang, { de: 'Buchungen', en: 'charges' })})`,
        `${t(lang, { de: 'Gutgeschrieben (Startguthaben, Gutschriften, Erstattungen)', en: 'Granted (starting balances, grants, refunds)' })}: ${fmt((single(a.granted) ?? Number.NaN) / 1000, lang, 1)} Credits`,
        `${t(lang, { de: 'Eingelöste Geschenke', en: 'Gifts redeemed' })}: ${fmt((single(a.gifted) ?? Number.NaN) / 1000, lang, 1)} Credits`,
        `${t(lang, { de: 'Abgelehnt (zu wenig Credits)', en: 'Refused (too few credits)' })}: ${fmt(single(a.refused), lang)}`,
        `${t(lang, { de: 'Kontenprüfung', en: 'Ledger check' })}: ${
          ok === undefined
            ? t(lang, { de: 'keine Daten', en: 'no data' })
            : ok === 1
              ? t(lang, { de: '✅ stimmt', en: '✅ consistent' })
              : t(lang, { de: '❌ Abweichungen', en: '❌ problems found' })
        }`,
      ];
    },
  },
  sync: {
    id: 'sync',
    title: { de: 'Sync', en: 'Sync' },
    queries: (r) => ({
      changes: `sum(increase(sync_changes_applied_total[${r}]))`,
      clients: 'sum(sync_ws_connections)',
    }),
    lines: (a, lang) => [
      `${t(lang, { de: 'Änderungen', en: 'Changes' })}: ${fmt(single(a.changes), lang)}`,
      `${t(lang, { de: 'Verbundene Clients', en: 'Connected clients' })}: ${fmt(single(a.clients), lang)}`,
    ],
  },
  synapse: {
    id: 'synapse',
    title: { de: 'Synapse', en: 'Synapse' },
    queries: (r) => ({
      persisted: `sum(increase(synapse_storage_events_persisted_events_total[${r}]))`,
      lag: 'max(synapse_event_processing_lag{name="appservice_sender"}) / 1000',
    }),
    lines: (a, lang) => [
      `${t(lang, { de: 'Gespeicherte Events', en: 'Events persisted' })}: ${fmt(single(a.persisted), lang)}`,
      `${t(lang, { de: 'Appservice-Verzug', en: 'Appservice lag' })}: ${fmt(single(a.lag), lang, 1)} s`,
    ],
  },
  system: {
    id: 'system',
    title: { de: 'System', en: 'System' },
    queries: () => ({
      cpu: '1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))',
      memory: '1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)',
      disk: 'max(1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"})',
      load: 'max(node_load1)',
    }),
    lines: (a, lang) => [
      `CPU: ${percent(single(a.cpu), lang)}`,
      `${t(lang, { de: 'Speicher', en: 'Memory' })}: ${percent(single(a.memory), lang)}`,
      `${t(lang, { de: 'Platte (vollste)', en: 'Disk (fullest)' })}: ${percent(single(a.disk), lang)}`,
      `Load: ${fmt(single(a.load), lang, 2)}`,
    ],
  },
  db: {
    id: 'db',
    title: { de: 'Datenbank', en: 'Database' },
    queries: () => ({
      size: 'sum(pg_database_size_bytes)',
      connections: 'sum(pg_stat_activity_count)',
    }),
    lines: (a, lang) => [
      `${t(lang, { de: 'Größe', en: 'Size' })}: ${bytes(single(a.size), lang)}`,
      `${t(lang, { de: 'Verbindungen', en: 'Connections' })}: ${fmt(single(a.connections), lang)}`,
    ],
  },
};

/** The sections of a daily or weekly report, in order. */
export const REPORT_SECTIONS: readonly SectionId[] = [
  'services',
  'traffic',
  'users',
  'bots',
  'credits',
  'sync',
  'synapse',
];
