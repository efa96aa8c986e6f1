/**
 * The checks an operator runs before reloading, as part of `npm test`: `promtool check rules`,
 * `promtool test rules` (every alert fires in a unit test and stays quiet where it should),
 * `promtool check config`. A broken rule, threshold or annotation fails CI here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MissingToolError, runTool } from './tools.ts';

const promDir = join(dirname(fileURLToPath(import.meta.url)), '../prometheus');

interface RuleTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('promtool', () => {
  it('accepts the alert rules', () => {
    const r = runTool('promtool', ['check', 'rules', 'alerts.yml'], { cwd: promDir });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes the rule unit tests (alerts.test.yml)', () => {
    const r = runTool('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: promDir });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
    // A day of one-minute samples (CreditsInsufficientSpike's baseline): seconds on a shared machine.
  }, 120_000);

  it('has a unit test in which each alert fires', () => {
    const rules = parse(readFileSync(join(promDir, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert?: string }[] }[];
    };
    const tests = parse(readFileSync(join(promDir, 'alerts.test.yml'), 'utf8')) as RuleTests;
    expect(tests.rule_files).toEqual(['alerts.yml']);
    const fired = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const alerts = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    expect(alerts.length).toBeGreaterThanOrEqual(20);
    for (const alert of alerts) expect(fired.has(alert), `no test in which ${alert} fires`).toBe(true);
  });

  it('accepts prometheus.yml (and the rule files it names)', () => {
    const r = runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: promDir });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: prometheus\.yml is valid/);
  });

  it('names the Debian package when a tool is missing', () => {
    const nowhere = { env: { PATH: '/nonexistent' } };
    expect(() => runTool('amtool', ['--version'], nowhere)).toThrow(MissingToolError);
    expect(() => runTool('amtool', ['--version'], nowhere)).toThrow('`prometheus-alertmanager` package');
    expect(() => runTool('promtool', ['--version'], nowhere)).toThrow('`prometheus` package');
  });
});
