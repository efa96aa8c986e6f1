import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from 'postgres';

export interface Migration {
  /** Sortable id, e.g. `0001_init`. Applied in order, each once. */
  id: string;
  sql: string;
}

/** Loads `NNNN_name.sql` files from a folder, in name order. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (f) => ({ id: f.replace(/\.sql$/, ''), sql: await readFile(join(dir, f), 'utf8') })),
  );
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Applies pending migrations to one schema. Runs under a transaction-scoped advisory lock keyed on the
 * schema, so several instances starting at once apply each migration exactly once.
 * Migrations are written against `search_path = <schema>`, so they never hard-code the schema name and
 * the test harness can apply them to a fresh schema per test.
 */
export async function migrate(
  sql: Sql,
  { schema, migrations }: { schema: string; migrations: Migration[] },
): Promise<string[]> {
  const s = quoteIdent(schema);
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${'mana.migrate.' + schema}))`;
    await tx.unsafe(`create schema if not exists ${s}`);
    await tx.unsafe(`set local search_path to ${s}, public`);
    await tx.unsafe(
      `create table if not exists ${s}._migrations (id text primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      (await tx.unsafe<{ id: string }[]>(`select id from ${s}._migrations`)).map((r) => r.id),
    );
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.unsafe(m.sql);
      await tx.unsafe(`insert into ${s}._migrations (id) values ($1)`, [m.id]);
      applied.push(m.id);
    }
  });
  return applied;
}
