/** The stats bot's settings (`STATS_` prefix), parsed once when the runner loads the bot. */
import { defineConfig, loadConfig, type ConfigOf } from '@mana/config';
import { z } from 'zod';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

export const statsConfigSpec = defineConfig('STATS_', {
  opsRoom: {
    schema: z.string().regex(/^([!#][^:]+:.+)?$/, 'must be a room id (!…:server) or alias (#…:server)'),
    default: '',
    example: '#ops:example.org',
    doc: 'The ops room (id or alias) for reports, alerts and the operator commands; empty = only the personal `stats`',
  },
  operators: {
    schema: list.pipe(z.array(z.string().regex(/^@[^:]+:.+$/, 'must be Matrix ids (@user:server)'))),
    default: '',
    example: '@alice:example.org,@bob:example.org',
    doc: 'Matrix ids allowed to use the operator commands in the ops room (comma-separated)',
  },
  timezone: {
    schema: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone'),
    default: 'Europe/Berlin',
    doc: 'Time zone of the daily and weekly reports (and the day a report belongs to)',
  },
  dailyCron: {
    schema: z
      .string()
      .regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern (5 fields, or 6 with seconds first)'),
    default: '0 9 * * *',
    doc: 'When the daily report posts, in STATS_TIMEZONE (tests use a 6-field pattern with seconds)',
  },
  weeklyCron: {
    schema: z
      .string()
      .regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern (5 fields, or 6 with seconds first)'),
    default: '0 9 * * 1',
    doc: 'When the weekly report posts (Mondays 09:00), in STATS_TIMEZONE',
  },
  prometheusUrl: {
    schema: z.url(),
    default: 'http://127.0.0.1:9090',
    doc: 'Base URL of the Prometheus whose HTTP API the reports and commands read',
  },
  prometheusTimeoutMs: {
    schema: z.coerce.number().int().min(100),
    default: '5000',
    doc: 'A Prometheus query taking longer than this counts as failed (its report section says so)',
  },
  runbookBaseUrl: {
    schema: z.union([
      z.literal(''),
      z
        .url()
        .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
        // A base without the slash would lose its last segment when a path is resolved against it.
        .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
    ]),
    default: '',
    example: 'https://git.example.org/mana/blob/main/',
    doc: "Where the repository's files are browsable: an alert's runbook path (deploy/README.md#…) becomes a link under it; empty = the path is shown as text",
  },
  alertmanagerToken: {
    schema: z.string().refine((s) => s === '' || s.length >= 32, 'must be at least 32 characters'),
    default: '',
    secret: true,
    doc: "Bearer token Alertmanager sends to the runner's POST /alertmanager; empty = the receiver refuses everything",
  },
});

export type StatsConfig = ConfigOf<typeof statsConfigSpec>;

export function loadStatsConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): StatsConfig {
  return loadConfig(statsConfigSpec, env);
}
