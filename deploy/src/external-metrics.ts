/**
 * Metrics our rules and dashboards read that our code does not define: each with where it comes from,
 * so a reader can check the name (and the test can, where the source is on this machine: Synapse's
 * from the test virtualenv). Our own names (http_, auth_, sync_, credits_, bot_, prom-client's
 * defaults) are checked against the code and the running services instead.
 */
export interface ExternalMetric {
  /** Who exports it. */
  exporter: 'prometheus' | 'blackbox' | 'node-exporter' | 'synapse' | 'alertmanager';
  /** Where the name is defined or documented. */
  source: string;
}

const prometheus = (source = 'Prometheus: scrape metrics (docs: "Jobs and instances")'): ExternalMetric => ({
  exporter: 'prometheus',
  source,
});
const blackbox = (source: string): ExternalMetric => ({ exporter: 'blackbox', source });
const node = (collector: string): ExternalMetric => ({
  exporter: 'node-exporter',
  source: `node_exporter collector/${collector}`,
});
const synapse = (file: string): ExternalMetric => ({ exporter: 'synapse', source: `synapse/${file}` });

export const EXTERNAL_METRICS: Record<string, ExternalMetric> = {
  up: prometheus(),
  scrape_duration_seconds: prometheus(),
  ALERTS: prometheus('Prometheus: alerting rules ("Inspecting alerts during runtime")'),

  probe_success: blackbox('blackbox_exporter prober/handler.go'),
  probe_duration_seconds: blackbox('blackbox_exporter prober/handler.go'),
  probe_ssl_earliest_cert_expiry: blackbox('blackbox_exporter prober/tls.go (tcp and http probers with TLS)'),

  node_cpu_seconds_total: node('cpu_linux.go'),
  node_boot_time_seconds: node('stat_linux.go (/proc/stat btime)'),
  node_load1: node('loadavg.go'),
  node_load5: node('loadavg.go'),
  node_load15: node('loadavg.go'),
  node_memory_MemTotal_bytes: node('meminfo.go (/proc/meminfo)'),
  node_memory_MemAvailable_bytes: node('meminfo.go (/proc/meminfo)'),
  node_memory_SwapTotal_bytes: node('meminfo.go (/proc/meminfo)'),
  node_memory_SwapFree_bytes: node('meminfo.go (/proc/meminfo)'),
  node_filesystem_avail_bytes: node('filesystem_linux.go'),
  node_filesystem_size_bytes: node('filesystem_linux.go'),
  node_filesystem_readonly: node('filesystem_linux.go'),
  node_disk_read_bytes_total: node('diskstats_linux.go'),
  node_disk_written_bytes_total: node('diskstats_linux.go'),
  node_disk_io_time_seconds_total: node('diskstats_linux.go'),
  node_network_receive_bytes_total: node('netdev_linux.go'),
  node_network_transmit_bytes_total: node('netdev_linux.go'),

  synapse_event_processing_lag: synapse('metrics/__init__.py'),
  synapse_event_processing_positions: synapse('metrics/__init__.py'),
  synapse_appservice_api_sent_transactions_total: synapse('appservice/api.py'),
  synapse_appservice_api_failed_transactions_total: synapse('appservice/api.py'),
  synapse_appservice_api_sent_events_total: synapse('appservice/api.py'),
  synapse_http_server_requests_received_total: synapse('http/request_metrics.py'),
  synapse_storage_events_persisted_events_total: synapse('storage/databases/main/events.py'),

  alertmanager_notifications_failed_total: {
    exporter: 'alertmanager',
    source: 'alertmanager notify/notify.go',
  },
};

/**
 * The name as Synapse's Python source spells it: prometheus_client appends `_total` to counters (and
 * `_bucket`/`_count`/`_sum` to histograms) when it exports them.
 */
export function synapseSourceName(name: string): string {
  return name.replace(/_(total|bucket|count|sum)$/, '');
}
