import { Redis } from 'ioredis';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './postgres.ts';
import { createTestRedis } from './redis.ts';

describe('test harness', () => {
  it('creates an isolated Postgres database and drops it', async () => {
    const a = await createTestDatabase('harness');
    const b = await createTestDatabase('harness');
    expect(a.name).not.toBe(b.name);
    const sqlA = postgres(a.url, { max: 1, onnotice: () => {} });
    const sqlB = postgres(b.url, { max: 1, onnotice: () => {} });
    await sqlA`create table t (x int)`;
    const [row] = await sqlB`select to_regclass('public.t') as t`;
    expect(row?.t).toBeNull();
    await Promise.all([sqlA.end(), sqlB.end()]);
    await Promise.all([a.drop(), b.drop()]);
    const admin = postgres(a.url.replace(a.name, 'postgres'), { max: 1 });
    const rows = await admin`select 1 from pg_database where datname = ${a.name}`;
    await admin.end();
    expect(rows).toHaveLength(0);
  });

  it('gives each run its own Redis prefix and cleans it up', async () => {
    const t = await createTestRedis('harness');
    const r = new Redis(t.url);
    await r.set(`${t.prefix}k`, 'v');
    expect(await r.get(`${t.prefix}k`)).toBe('v');
    await t.cleanup();
    expect(await r.get(`${t.prefix}k`)).toBeNull();
    await r.quit();
  });
});
