/**
 * deploy/alertmanager/alertmanager.yml: amtool accepts it, compose and Prometheus are wired to it, and
 * a real Alertmanager (Debian's binary) with this very route delivers a storm of alerts to the webhook
 * as a few groups, with the bearer token read from the file compose mounts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startAlertmanager, type Daemon } from '@mana/testing';
import { runTool } from './tools.ts';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const configPath = join(deployDir, 'alertmanager/alertmanager.yml');

interface AlertmanagerConfig {
  route: { receiver: string; group_by: string[] };
  receivers: {
    name: string;
    webhook_configs?: {
      url: string;
      send_resolved?: boolean;
      http_config?: { authorization?: { type?: string; credentials_file?: string } };
    }[];
  }[];
}
const config = parse(readFileSync(configPath, 'utf8')) as AlertmanagerConfig;
const webhook = () => config.receivers.find((r) => r.name === config.route.receiver)!.webhook_configs![0]!;

describe('alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const r = runTool('amtool', ['check-config', configPath]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it("sends every alert, firing and resolved, to the runner's /alertmanager with a bearer token file", () => {
    expect(config.route.group_by).toEqual(['alertname', 'service']);
    const routed = runTool('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${configPath}`,
      `--verify.receivers=${config.route.receiver}`,
      'alertname=ManaServiceDown',
      'severity=critical',
    ]);
    expect(routed.status, routed.output).toBe(0);
    const hook = webhook();
    expect(hook.url).toBe('http://bots:3300/alertmanager');
    expect(hook.send_resolved).toBe(true);
    expect(hook.http_config?.authorization).toEqual({
      type: 'Bearer',
      credentials_file: '/run/secrets/stats-alertmanager-token',
    });
  });

  it('is what compose runs, with the token secret from STATS_ALERTMANAGER_TOKEN, and Prometheus sends to it', () => {
    const compose = parse(readFileSync(join(deployDir, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { command?: string[]; volumes?: string[]; secrets?: string[] }>;
      secrets: Record<string, { environment?: string }>;
    };
    const am = compose.services.alertmanager!;
    expect(am.volumes).toContain('./alertmanager:/etc/alertmanager:ro');
    expect(am.command).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
    expect(am.secrets).toEqual(['stats-alertmanager-token']);
    expect(compose.secrets['stats-alertmanager-token']).toEqual({ environment: 'STATS_ALERTMANAGER_TOKEN' });
    expect(readFileSync(join(deployDir, '.env.example'), 'utf8')).toMatch(/^STATS_ALERTMANAGER_TOKEN=$/m);
    const prom = parse(readFileSync(join(deployDir, 'prometheus/prometheus.yml'), 'utf8')) as {
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    expect(prom.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
  });
});

describe('a real Alertmanager with this config', () => {
  const token = 'test-token-0123456789abcdef';
  const received: { headers: IncomingHttpHeaders; body: WebhookBody }[] = [];
  interface WebhookBody {
    version: string;
    groupKey: string;
    status: string;
    groupLabels: Record<string, string>;
    alerts: { labels: Record<string, string> }[];
  }
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/alertmanager')
        received.push({ headers: req.headers, body: JSON.parse(body) as WebhookBody });
      res.writeHead(200).end();
    });
  });
  let dir = '';
  let am: Daemon | undefined;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'mana-am-'));
    // The same file with only what differs on this machine: where the runner and the secret are.
    const local = parse(readFileSync(configPath, 'utf8')) as AlertmanagerConfig;
    const hook = local.receivers[0]!.webhook_configs![0]!;
    hook.url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alertmanager`;
    hook.http_config!.authorization!.credentials_file = join(dir, 'token');
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(local));
    am = await startAlertmanager({ configFile: join(dir, 'alertmanager.yml') });
  });

  afterAll(async () => {
    await am?.stop();
    receiver.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('turns a storm of 500 critical alerts into one webhook call per alertname and service, with the token', async () => {
    const services = ['auth', 'sync', 'bots'];
    const alerts = Array.from({ length: 500 }, (_, i) => ({
      labels: {
        alertname: 'ManaServiceDown',
        severity: 'critical',
        service: services[i % 3]!,
        instance: `10.0.${Math.floor(i / 250)}.${i % 250}:3010`,
      },
      annotations: { summary: `instance ${i} is down`, runbook: 'deploy/README.md#manaservicedown' },
    }));
    const posted = await fetch(`${am!.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(posted.status, await posted.text()).toBe(200);

    // The critical route's group_wait is 10s; give a loaded machine time, then wait a little longer
    // to see that no further calls follow.
    const deadline = Date.now() + 60_000;
    while (received.length < services.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2000));

    expect(received.map((r) => r.body.groupLabels.service).sort(), am!.output()).toEqual(
      [...services].sort(),
    );
    for (const { headers, body } of received) {
      expect(headers.authorization).toBe(`Bearer ${token}`);
      expect(body.version).toBe('4');
      expect(body.status).toBe('firing');
      expect(body.groupLabels.alertname).toBe('ManaServiceDown');
      expect(new Set(body.alerts.map((a) => a.labels.service))).toEqual(new Set([body.groupLabels.service]));
    }
    expect(received.reduce((n, r) => n + r.body.alerts.length, 0)).toBe(500);
  }, 90_000);
});
