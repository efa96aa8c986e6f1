/**
 * `asyncCommit` + `flushWal` against a real Postgres: what an asynchronous pool committed is on disk
 * (the WAL flushed past it) once `flushWal` resolved.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, flushWal, type Database } from './index.ts';

const url =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const table = `flush_test_${process.pid}`;
let early: Database;
let durable: Database;

beforeAll(async () => {
  early = connect({ url, max: 1, asyncCommit: true, appName: 'flush-test' });
  durable = connect({ url, max: 1, appName: 'flush-test' });
  await durable.sql`create table ${durable.sql(table)} (id serial primary key)`;
});
afterAll(async () => {
  await durable.sql`drop table if exists ${durable.sql(table)}`;
  await Promise.all([early.close(), durable.close()]);
});

describe('asyncCommit + flushWal', () => {
  it('the asynchronous pool commits without waiting for the flush', async () => {
    const [row] = await early.sql<{ value: string }[]>`select current_setting('synchronous_commit') as value`;
    expect(row?.value).toBe('off');
  });

  it('after flushWal, the WAL is flushed past every earlier asynchronous commit', async () => {
    for (let i = 0; i < 20; i++) {
      await early.sql`insert into ${early.sql(table)} default values`;
      const [at] = await durable.sql<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`;
      await flushWal(durable.sql);
      const [flushed] = await durable.sql<{ ok: boolean }[]>`
        select pg_current_wal_flush_lsn() >= ${at?.lsn ?? ''}::pg_lsn as ok`;
      expect(flushed?.ok).toBe(true);
    }
  });

  it('works for a role without privileges', async () => {
    const role = `flush_np_${process.pid}`;
    await durable.sql`create role ${durable.sql(role)} login`;
    const u = new URL(url);
    u.username = role;
    u.password = '';
    const plain = postgres(u.toString(), { max: 1, onnotice: () => {} });
    try {
      await expect(flushWal(plain)).resolves.toBeUndefined();
    } finally {
      await plain.end();
      await durable.sql`drop role ${durable.sql(role)}`;
    }
  });
});
