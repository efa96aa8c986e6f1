import type { Metrics } from '@mana/metrics';
import type { Counter, Histogram, Summary } from 'prom-client';

export interface BotMetrics {
  commands: Counter<'bot' | 'command' | 'outcome'>;
  duration: Histogram<'bot' | 'command'>;
  creditsCharged: Counter<'bot' | 'operation'>;
  /** Free operations that ran without their 0-credit bracket because the credits service failed. */
  creditsFailOpen: Counter<'bot' | 'operation' | 'step'>;
  events: Counter<'outcome'>;
  transactions: Counter<'outcome'>;
  /** The runner's own time per command: its transaction received → its reply handed to Synapse. */
  runnerTime: Summary;
  /** Room keys sent to the server-side key backup, by result (uploaded, failed). */
  e2eeBackupKeys: Counter<'result'>;
  /** Room keys imported from the key backup (a bot that lost its crypto store). */
  e2eeRestoredKeys: Counter;
}

/** The runtime's metrics, registered on the service's registry. */
export function createBotMetrics(metrics: Metrics): BotMetrics {
  const { client, registry } = metrics;
  return {
    commands: new client.Counter({
      name: 'bot_commands_total',
      help: 'Commands handled, by bot, command and outcome (ok, usage, unknown, not_linked, insufficient_credits, error)',
      labelNames: ['bot', 'command', 'outcome'] as const,
      registers: [registry],
    }),
    duration: new client.Histogram({
      name: 'bot_command_duration_seconds',
      help: 'Time from receiving a command to sending its reply',
      labelNames: ['bot', 'command'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    creditsCharged: new client.Counter({
      name: 'bot_credits_charged_total',
      help: 'Milli-credits committed for bot commands',
      labelNames: ['bot', 'operation'] as const,
      registers: [registry],
    }),
    creditsFailOpen: new client.Counter({
      name: 'bot_credits_fail_open_total',
      help: 'Free operations (cost 0) that ran unbracketed because the credits service failed their reserve or commit',
      labelNames: ['bot', 'operation', 'step'] as const,
      registers: [registry],
    }),
    events: new client.Counter({
      name: 'bot_events_total',
      help: 'Appservice events processed, by outcome (handled, ignored, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    transactions: new client.Counter({
      name: 'bot_appservice_transactions_total',
      help: 'Appservice transactions received, by outcome (stored; reused_id: a known id with new events; duplicate: nothing new; ignored)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    runnerTime: new client.Summary({
      name: 'bot_runner_message_seconds',
      help: "The runner's own time per command: its transaction received → its reply handed to Synapse (last 10 min)",
      percentiles: [0.5, 0.95, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers: [registry],
    }),
    e2eeBackupKeys: new client.Counter({
      name: 'bot_e2ee_backup_keys_total',
      help: 'Room keys sent to the server-side key backup, by result (uploaded; failed: tried again later)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    e2eeRestoredKeys: new client.Counter({
      name: 'bot_e2ee_backup_restored_keys_total',
      help: 'Room keys imported from the server-side key backup after a crypto store was lost',
      registers: [registry],
    }),
  };
}
