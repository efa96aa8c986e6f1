/**
 * Synapse's log config: a Python `logging.config.dictConfig` document. We log to the console only;
 * the container runtime (or the test harness) collects stdout/stderr.
 */
import { toYaml } from './yaml.ts';

export type SynapseLogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface LogConfigOptions {
  /** Root log level. Default `INFO`. */
  level?: SynapseLogLevel;
  /**
   * Level of `synapse.storage.SQL`, which logs every query at DEBUG. Default `INFO`, so `DEBUG`
   * elsewhere does not drown the log in SQL.
   */
  sqlLevel?: SynapseLogLevel;
}

export interface LogConfig {
  version: 1;
  formatters: Record<string, { format: string }>;
  handlers: Record<string, { class: string; formatter: string }>;
  loggers: Record<string, { level: SynapseLogLevel }>;
  root: { level: SynapseLogLevel; handlers: string[] };
  disable_existing_loggers: false;
}

export function renderLogConfig(options: LogConfigOptions = {}): LogConfig {
  return {
    version: 1,
    formatters: {
      // Synapse's own default format; `%(request)s` is filled in by its logging-context filter.
      precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' },
    },
    handlers: { console: { class: 'logging.StreamHandler', formatter: 'precise' } },
    loggers: { 'synapse.storage.SQL': { level: options.sqlLevel ?? 'INFO' } },
    root: { level: options.level ?? 'INFO', handlers: ['console'] },
    disable_existing_loggers: false,
  };
}

export function renderLogConfigYaml(options: LogConfigOptions = {}): string {
  return toYaml(renderLogConfig(options), 'log config');
}
