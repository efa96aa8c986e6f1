import { createMetrics, type client, type Metrics } from '@mana/metrics';

export interface SyncMetrics {
  base: Metrics;
  changesApplied: client.Counter<'app'>;
  pushDuration: client.Histogram<'app'>;
  pullRows: client.Counter<'app'>;
  wsConnections: client.Gauge;
}

export function createSyncMetrics(): SyncMetrics {
  const base = createMetrics({ service: 'sync' });
  const { client, registry } = base;
  return {
    base,
    changesApplied: new client.Counter({
      name: 'sync_changes_applied_total',
      help: 'Field writes and deletes that won the merge, by app',
      labelNames: ['app'] as const,
      registers: [registry],
    }),
    pushDuration: new client.Histogram({
      name: 'sync_push_duration_seconds',
      help: 'Time to validate, merge and commit one push, by app',
      labelNames: ['app'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    pullRows: new client.Counter({
      name: 'sync_pull_rows_total',
      help: 'Rows sent to clients by pulls and push responses, by app',
      labelNames: ['app'] as const,
      registers: [registry],
    }),
    wsConnections: new client.Gauge({
      name: 'sync_ws_connections',
      help: 'Open WebSocket connections on this instance',
      registers: [registry],
    }),
  };
}
