/**
 * The provisioned Grafana dashboards as data for the tests: every panel query and template-variable
 * query, and the rules for which metric names must come from where.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../grafana/dashboards');

/** Metric names our code defines start with these; anything else must be in EXTERNAL_METRICS. */
export const OUR_PREFIX = /^(http|auth|sync|credits|bot)_/;
/** prom-client's default metrics (createMetrics collects them on every service's registry). */
export const DEFAULT_PREFIX = /^(process|nodejs)_/;

export interface DashboardQuery {
  file: string;
  /** Panel title, or `$name` for a template variable. */
  panel: string;
  expr: string;
}

interface Dashboard {
  uid: string;
  title: string;
  panels: { type: string; title?: string; targets?: { expr?: string }[] }[];
  templating?: { list: { name: string; query?: { query?: string } | string }[] };
}

export function readDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard,
    }));
}

/** Every panel query; template variables' `label_values(metric, label)` as the metric selector. */
export function dashboardQueries(): DashboardQuery[] {
  return readDashboards().flatMap(({ file, dashboard }) => [
    ...dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((t) => (t.expr ? [{ file, panel: p.title ?? '', expr: t.expr }] : [])),
    ),
    ...(dashboard.templating?.list ?? []).flatMap((v) => {
      const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
      const m = /^label_values\((.+),\s*\w+\)$/.exec(q);
      return m ? [{ file, panel: `$${v.name}`, expr: m[1]! }] : [];
    }),
  ]);
}

/** What Grafana puts in place of its variables, so Prometheus can run the query as Grafana would. */
export function asPrometheusQuery(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '1m')
    .replace(/\$__interval|\$\{__interval\}/g, '15s')
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{?\w+\}?/g, '.*');
}
