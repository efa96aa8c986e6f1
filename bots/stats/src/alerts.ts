/**
 * Alertmanager's webhook payload (version 4, https://prometheus.io/docs/alerting/latest/configuration/#webhook_config)
 * and how one notification reads in the ops room: severity, summary, runbook; at most `MAX_LINES`
 * alerts listed, so a storm of 500 alerts in a group is one message.
 */
import { html, type Html } from '@mana/bot-runtime';
import { createHash } from 'node:crypto';
import { z } from 'zod';

const labels = z.record(z.string(), z.string());

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).min(1).max(10_000),
});

export type AlertNotification = z.output<typeof webhookSchema>;
export type Alert = z.output<typeof alertSchema>;

export const MAX_LINES = 10;

const SEVERITY: Record<string, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** The thread of an alert group: one per `groupKey`. */
export function groupId(n: AlertNotification): string {
  return createHash('sha256').update(n.groupKey).digest('base64url').slice(0, 22);
}

/**
 * Identifies one notification, so Alertmanager's retry of it (it retries until it gets a 2xx)
 * posts nothing new, while a later change of the group (another alert, the resolve) does.
 */
export function notificationId(n: AlertNotification): string {
  const parts = n.alerts
    .map((a) => `${a.fingerprint ?? JSON.stringify(a.labels)}|${a.status}|${a.startsAt}|${a.endsAt ?? ''}`)
    .sort();
  return createHash('sha256')
    .update([n.groupKey, n.status, n.truncatedAlerts, ...parts].join('\n'))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * A runbook annotation as a link a Matrix client can open: the rules hold a path in the repository
 * (`deploy/README.md#manaservicedown`), which a client would resolve against its own URL. Under
 * `base` it becomes absolute; an absolute URL stays; without a base the path is shown as text.
 */
export function runbookUrl(runbook: string, base: string): string | undefined {
  if (URL.canParse(runbook)) return runbook;
  if (!base) return undefined;
  return new URL(runbook.replace(/^\/+/, ''), base).href;
}

/** The link, labelled `label` (default: the URL itself); without a base, `label: <path>` as text. */
function runbookLink(runbook: string, base: string, label?: string): Html {
  const url = runbookUrl(runbook, base);
  if (url) return html`<a href="${url}">${label ?? url}</a>`;
  return label ? html`${label}: <code>${runbook}</code>` : html`<code>${runbook}</code>`;
}

function alertLine(a: Alert, base: string): Html {
  const summary = a.annotations.summary ?? a.labels.alertname ?? 'alert';
  const runbook = a.annotations.runbook;
  const mark = a.status === 'resolved' ? '✅ ' : '';
  return html`<li>${mark}${summary}${runbook ? html` — ${runbookLink(runbook, base, 'runbook')}` : ''}</li>`;
}

export interface NotificationOptions {
  /** `STATS_RUNBOOK_BASE_URL`: runbook paths become links under it (see `runbookUrl`). */
  runbookBase?: string;
}

export function notificationHtml(n: AlertNotification, options: NotificationOptions = {}): Html {
  const base = options.runbookBase ?? '';
  const severity = n.commonLabels.severity ?? n.groupLabels.severity ?? 'unknown';
  const name = n.commonLabels.alertname ?? n.groupLabels.alertname ?? 'alert';
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const total = n.alerts.length + n.truncatedAlerts;
  const head =
    n.status === 'resolved'
      ? html`✅ <b>RESOLVED</b> · ${name}`
      : html`${SEVERITY[severity] ?? '⚪'} <b>FIRING</b> · ${severity} · ${name} (${firing.length + n.truncatedAlerts})`;
  const shown = (
    n.status === 'resolved' ? n.alerts : [...firing, ...n.alerts.filter((a) => a.status !== 'firing')]
  ).slice(0, MAX_LINES);
  const more = total - shown.length;
  const runbook = n.commonAnnotations.runbook;
  const description =
    n.alerts.length === 1 ? n.alerts[0]?.annotations.description : n.commonAnnotations.description;
  return html`<p>${head}</p>${description ? html`<p>${description}</p>` : ''}<ul>${shown.map((a) => alertLine(a, base))}</ul>${
    more > 0 ? html`<p>… and ${more} more</p>` : ''
  }${runbook && n.alerts.length > 1 ? html`<p>Runbook: ${runbookLink(runbook, base)}</p>` : ''}`;
}
