/**
 * Every panel of every provisioned dashboard against the real thing: auth, sync and the bot runner
 * running (the e2e bots stack: real Synapse, Postgres, Redis), their /metrics scraped for the names
 * they export, and a real Prometheus (Debian's) scraping them that must accept every query as Grafana
 * sends it. A renamed metric or a typo in a panel fails here instead of showing an empty graph.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBotsStack, type BotsStack } from '@mana/e2e/support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startPrometheus, type Daemon } from '@mana/testing';
import {
  asPrometheusQuery,
  DEFAULT_PREFIX,
  dashboardQueries,
  OUR_PREFIX,
  readDashboards,
} from './dashboards.ts';
import { EXTERNAL_METRICS } from './external-metrics.ts';
import { metricNames } from './promql.ts';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The series names a /metrics page exports, from its `# TYPE` lines (also for metrics with no sample yet). */
function exportedNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => {
    if (type === 'histogram') return [name!, `${name}_bucket`, `${name}_count`, `${name}_sum`];
    if (type === 'summary') return [name!, `${name}_count`, `${name}_sum`];
    return [name!];
  });
}

describe('dashboards against the running services', () => {
  let stack: BotsStack | undefined;
  let prometheus: Daemon | undefined;
  let dir = '';
  const exported = new Map<string, Set<string>>();

  beforeAll(async () => {
    stack = await startBotsStack({ label: 'dashboards' });
    const targets = { auth: stack.auth.baseUrl, sync: stack.sync.url, bots: stack.runner.url };
    for (const [job, url] of Object.entries(targets)) {
      const res = await fetch(`${url}/metrics`);
      expect(res.status, `${job} /metrics`).toBe(200);
      exported.set(job, new Set(exportedNames(await res.text())));
    }
    dir = mkdtempSync(join(tmpdir(), 'mana-dashboards-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        // The stack's own alert rules, evaluated by a real Prometheus against the real series.
        rule_files: [join(deployDir, 'prometheus/alerts.yml')],
        scrape_configs: Object.entries(targets).map(([job, url]) => ({
          job_name: job,
          static_configs: [{ targets: [new URL(url).host] }],
        })),
      }),
    );
    prometheus = await startPrometheus({ configFile: join(dir, 'prometheus.yml') });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('provisions the three overview dashboards, each once', () => {
    const titles = readDashboards().map((d) => d.dashboard.title);
    for (const title of ['Mana / Master overview', 'Mana / System', 'Mana / Auth and credits'])
      expect(
        titles.filter((t) => t === title),
        title,
      ).toHaveLength(1);
  });

  it('reads only metrics the services export, or listed exporter and Synapse metrics', () => {
    const all = new Set([...exported.values()].flatMap((s) => [...s]));
    // The stack really is up: each service exports its own metrics.
    expect(exported.get('auth')).toContain('auth_login_attempts_total');
    expect(exported.get('sync')).toContain('sync_ws_connections');
    expect(exported.get('bots')).toContain('bot_commands_total');
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(60);
    for (const q of queries) {
      for (const name of metricNames(q.expr)) {
        const where = `${q.file} "${q.panel}": ${name}`;
        if (OUR_PREFIX.test(name) || DEFAULT_PREFIX.test(name)) {
          expect(all.has(name), `${where} is exported by none of auth, sync, bots`).toBe(true);
        } else {
          expect(
            EXTERNAL_METRICS,
            `${where}: neither ours nor a listed exporter/Synapse metric`,
          ).toHaveProperty(name);
        }
      }
    }
  });

  it('has queries that a real Prometheus accepts, with the services scraped', async () => {
    // One scrape in, so the queries run over real series too.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = (await (await fetch(`${prometheus!.url}/api/v1/query?query=up`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      if (r.data.result.length === 3 && r.data.result.every((s) => s.value[1] === '1')) break;
      if (Date.now() > deadline) throw new Error(`targets not up: ${JSON.stringify(r.data.result)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const failures: string[] = [];
    for (const q of dashboardQueries()) {
      const res = await fetch(`${prometheus!.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: asPrometheusQuery(q.expr) }),
      });
      const body = (await res.json()) as { status: string; error?: string };
      if (body.status !== 'success') failures.push(`${q.file} "${q.panel}": ${body.error} — ${q.expr}`);
    }
    expect(failures).toEqual([]);
    // And a query over our own series answers with data, not just without an error.
    const http = (await (
      await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent('count(http_requests_total)')}`)
    ).json()) as { data: { result: unknown[] } };
    expect(http.data.result).toHaveLength(1);
  }, 90_000);

  it("evaluates every alert rule without error against the services' series", async () => {
    interface Rules {
      data: {
        groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[];
      };
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const body = (await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as Rules;
      const rules = body.data.groups.flatMap((g) => g.rules);
      expect(rules.length).toBeGreaterThanOrEqual(20);
      const evaluated = rules.filter((r) => !r.lastEvaluation.startsWith('0001-'));
      if (evaluated.length === rules.length) {
        expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`rules not evaluated: ${rules.length - evaluated.length} left`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 60_000);

  it('would catch a broken query (Prometheus rejects what it cannot parse)', async () => {
    const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent('sum(rate(x[5m])')}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorType: string }).errorType).toBe('bad_data');
  });
});
