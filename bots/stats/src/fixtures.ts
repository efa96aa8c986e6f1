/** Test data: Alertmanager notifications as its webhook sends them, and a Prometheus answering from a table. */
import { webhookSchema, type AlertNotification } from './alerts.ts';
import { PrometheusError, type Prometheus, type Sample, type Series } from './prometheus.ts';

/** A notification of `count` firing ManaServiceDown alerts (one group), fields overridable. */
export function notification(over: Partial<AlertNotification> = {}, count = 1): AlertNotification {
  const alerts = Array.from({ length: count }, (_, i) => ({
    status: 'firing' as const,
    labels: { alertname: 'ManaServiceDown', severity: 'critical', job: 'sync', instance: `sync-${i}:3010` },
    annotations: {
      summary: `sync (sync-${i}:3010) is down`,
      description: 'Prometheus has not been able to scrape it for 2 minutes.',
      runbook: 'deploy/README.md#manaservicedown',
    },
    startsAt: '2026-12-02T08:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: `f${i}`,
  }));
  return webhookSchema.parse({
    version: '4',
    groupKey: '{}:{alertname="ManaServiceDown", service="sync"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'ops-room',
    groupLabels: { alertname: 'ManaServiceDown' },
    commonLabels: { alertname: 'ManaServiceDown', severity: 'critical', job: 'sync' },
    commonAnnotations: { runbook: 'deploy/README.md#manaservicedown' },
    externalURL: 'http://alertmanager:9093',
    alerts,
    ...over,
  });
}

/**
 * A Prometheus port answering each query from `answers` (by exact PromQL; unknown queries: no
 * series), or failing every query with `down`'s reason. Records what it was asked.
 */
export function tablePrometheus(
  answers: Record<string, Sample[]> = {},
  range: Series[] = [],
): Prometheus & { asked: string[]; down: string | undefined } {
  const self = {
    asked: [] as string[],
    down: undefined as string | undefined,
    async query(q: string) {
      self.asked.push(q);
      if (self.down) throw new PrometheusError(self.down);
      return answers[q] ?? [];
    },
    async queryRange(q: string) {
      self.asked.push(q);
      if (self.down) throw new PrometheusError(self.down);
      return range;
    },
  };
  return self;
}
