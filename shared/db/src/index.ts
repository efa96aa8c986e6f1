/**
 * Postgres access shared by the services: a postgres.js pool, a drizzle instance over it, and
 * schema migrations from plain SQL files.
 *
 * @example
 * const db = connect({ url: config.databaseUrl, schema: 'sync' });
 * await migrate(db.sql, { schema: 'sync', migrations: await loadMigrations(new URL('../migrations', import.meta.url).pathname) });
 * await db.sql`select 1`;
 */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';

export { loadMigrations, migrate, type Migration } from './migrate.ts';
export type { Sql } from 'postgres';

export interface Database {
  sql: Sql;
  db: PostgresJsDatabase;
  close(): Promise<void>;
}

export interface ConnectOptions {
  url: string;
  /** Default schema (search_path) for unqualified names. */
  schema?: string;
  max?: number;
  /** Application name shown in pg_stat_activity. */
  appName?: string;
}

export function connect({ url, schema, max = 10, appName = 'mana' }: ConnectOptions): Database {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connection: {
      application_name: appName,
      ...(schema ? { search_path: `${schema},public` } : {}),
    },
  });
  return { sql, db: drizzle(sql), close: () => sql.end({ timeout: 5 }) };
}
