/**
 * Configuration as data: each service declares its variables once (schema, default, description),
 * parses them once at start-up and fails naming every bad variable.
 *
 * @example
 * const spec = defineConfig('SYNC_', {
 *   port: { schema: z.coerce.number().int(), default: '3010', doc: 'HTTP port' },
 * });
 * const config = loadConfig(spec); // { port: number }
 */
import { z } from 'zod';

export interface VarSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** One line: what the variable is for. Goes into `.env.example`. */
  doc: string;
  /** Raw default, parsed by `schema` like any other value. Omit for required variables. */
  default?: string;
  /** Unprefixed names consulted when the prefixed one is unset (e.g. `DATABASE_URL`). */
  fallback?: readonly string[];
  /** Never printed; `.env.example` shows an empty value. */
  secret?: boolean;
  /** Value shown in `.env.example` instead of the default. */
  example?: string;
}

export interface ConfigSpec<V extends Record<string, VarSpec>> {
  prefix: string;
  vars: V;
}

export type ConfigOf<C> =
  C extends ConfigSpec<infer V> ? { [K in keyof V]: z.output<V[K]['schema']> } : never;

export function defineConfig<const V extends Record<string, VarSpec>>(
  prefix: string,
  vars: V,
): ConfigSpec<V> {
  return { prefix, vars };
}

/** `databaseUrl` → `DATABASE_URL` */
export function envName(prefix: string, key: string): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export interface ConfigIssue {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig<V extends Record<string, VarSpec>>(
  spec: ConfigSpec<V>,
  env: Env = process.env,
): ConfigOf<ConfigSpec<V>> {
  const out: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, v] of Object.entries(spec.vars)) {
    const name = envName(spec.prefix, key);
    let raw: string | undefined = env[name];
    let source = name;
    for (const alt of v.fallback ?? []) {
      if (raw !== undefined && raw !== '') break;
      raw = env[alt];
      source = alt;
    }
    if (raw === undefined || raw === '') {
      raw = v.default;
      source = name;
    }
    if (raw === undefined) {
      issues.push({ variable: name, message: `is required (${v.doc})` });
      continue;
    }
    const parsed = v.schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else
      issues.push({
        variable: source,
        message: parsed.error.issues.map((i) => i.message).join('; '),
      });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as ConfigOf<ConfigSpec<V>>;
}

/** The `.env.example` section of one service, generated from its schema. */
export function renderEnvExample(spec: ConfigSpec<Record<string, VarSpec>>, title: string): string {
  const lines = [`# ${title}`];
  for (const [key, v] of Object.entries(spec.vars)) {
    const name = envName(spec.prefix, key);
    const fallback = v.fallback?.length ? ` (falls back to ${v.fallback.join(', ')})` : '';
    const required = v.default === undefined ? ' [required]' : '';
    lines.push(`# ${v.doc}${fallback}${required}`);
    const value = v.secret ? '' : (v.example ?? v.default ?? '');
    lines.push(`${v.default === undefined ? '' : '# '}${name}=${value}`);
  }
  return lines.join('\n') + '\n';
}

/** Common building blocks, so every service spells the same thing the same way. */
export const vars = {
  port: (port: number) =>
    ({
      schema: z.coerce.number().int().min(0).max(65535),
      default: String(port),
      doc: 'TCP port the HTTP server listens on',
    }) satisfies VarSpec,
  host: () =>
    ({ schema: z.string().min(1), default: '127.0.0.1', doc: 'Interface to bind' }) satisfies VarSpec,
  url: (doc: string, def?: string) =>
    ({ schema: z.url(), doc, ...(def === undefined ? {} : { default: def }) }) satisfies VarSpec,
  databaseUrl: () =>
    ({
      schema: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
      default: 'postgres://postgres@127.0.0.1:5432/mana',
      fallback: ['DATABASE_URL'],
      doc: 'Postgres connection URL',
    }) satisfies VarSpec,
  redisUrl: () =>
    ({
      schema: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
      default: 'redis://127.0.0.1:6379',
      fallback: ['REDIS_URL'],
      doc: 'Redis connection URL',
    }) satisfies VarSpec,
  logLevel: () =>
    ({
      schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      default: 'info',
      fallback: ['LOG_LEVEL'],
      doc: 'pino log level',
    }) satisfies VarSpec,
  nodeEnv: () =>
    ({
      schema: z.enum(['development', 'test', 'production']),
      default: 'development',
      fallback: ['NODE_ENV'],
      doc: 'development | test | production; production refuses development defaults',
    }) satisfies VarSpec,
  drainTimeoutMs: () =>
    ({
      schema: z.coerce.number().int().min(0),
      default: '10000',
      doc: 'On SIGTERM, how long in-flight work may finish before the process stops anyway (exit 75)',
    }) satisfies VarSpec,
  secret: (doc: string) =>
    ({ schema: z.string().min(32, 'must be at least 32 characters'), doc, secret: true }) satisfies VarSpec,
};
