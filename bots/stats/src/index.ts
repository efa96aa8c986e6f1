/** The stats bot (reports, alerts, operator commands). See README.md. */
export { createStatsBot, DAILY_KEY, REFUSAL, REPORT_KEY, statsBot, WEEKLY_KEY } from './bot.ts';
export { alertSchema, notificationHtml, webhookSchema, type AlertNotification } from './alerts.ts';
export { loadStatsConfig, statsConfigSpec, type StatsConfig } from './config.ts';
export {
  prometheusClient,
  PrometheusError,
  type Prometheus,
  type Sample,
  type Series,
} from './prometheus.ts';
export { buildReport, periodOf, trafficQueries, type Period, type Report } from './report.ts';
export { REPORT_SECTIONS, SECTIONS, rangeOf, type SectionId } from './sections.ts';
export { ALERTMANAGER_PATH } from './webhook.ts';
