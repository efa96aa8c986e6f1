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
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit = off`): a statement's row locks
   * are released at its commit instead of after the fsync, so writers queueing on one row no longer
   * wait a disk flush each. Nothing is durable until `flushWal` ran (on a pool *without* this):
   * answer no one before it.
   */
  asyncCommit?: boolean;
}

export function connect({
  url,
  schema,
  max = 10,
  appName = 'mana',
  asyncCommit = false,
}: ConnectOptions): Database {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connection: {
      application_name: appName,
      ...(schema ? { search_path: `${schema},public` } : {}),
      ...(asyncCommit ? { synchronous_commit: 'off' } : {}),
    },
  });
  return { sql, db: drizzle(sql), close: () => sql.end({ timeout: 5 }) };
}

/**
 * Makes every transaction committed so far, on any connection, durable: a transactional WAL record
 * of its own (an empty logical message; any `wal_level`, no privilege needed) commits synchronously
 * here, and that flush takes the WAL up to its commit record, every earlier commit (asynchronous ones
 * included) with it. Concurrent calls share a flush (Postgres groups them). `sql` must commit
 * synchronously (not an `asyncCommit` pool). A transaction that only takes an id writes no WAL and
 * so does not flush: `pg_current_xact_id()` would not do.
 */
export async function flushWal(sql: Sql): Promise<void> {
  await sql`select pg_logical_emit_message(true, 'mana.flush', '')`;
}
