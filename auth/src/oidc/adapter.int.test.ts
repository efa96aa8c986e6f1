/** The Postgres adapter against a real database: every operation oidc-provider uses, and expiry. */
import { connect, loadMigrations, migrate, type Database } from '@mana/db';
import { createTestDatabase, type TestDatabase } from '@mana/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../server.ts';
import { createPostgresAdapter, deleteExpired } from './adapter.ts';

let tdb: TestDatabase;
let db: Database;
beforeAll(async () => {
  tdb = await createTestDatabase('adapter');
  db = connect({ url: tdb.url, schema: 'auth', max: 2 });
  await migrate(db.sql, { schema: 'auth', migrations: await loadMigrations(MIGRATIONS_DIR) });
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

describe('Postgres adapter', () => {
  it('upserts, finds by id, uid and user code, consumes, destroys and revokes by grant', async () => {
    const Adapter = createPostgresAdapter(db.db);
    const codes = new Adapter('AuthorizationCode');
    const tokens = new Adapter('AccessToken');
    const interactions = new Adapter('Interaction');
    await codes.upsert('c1', { grantId: 'g1', accountId: 'a' }, 60);
    await tokens.upsert('t1', { grantId: 'g1' }, 60);
    await tokens.upsert('t2', { grantId: 'g2' }, 60);
    await interactions.upsert('i1', { uid: 'u1', userCode: 'UC' }, 60);
    expect(await codes.find('c1')).toMatchObject({ grantId: 'g1', accountId: 'a' });
    // Same id, other model: separate rows.
    expect(await tokens.find('c1')).toBeUndefined();
    expect(await interactions.findByUid('u1')).toMatchObject({ uid: 'u1' });
    expect(await interactions.findByUserCode('UC')).toMatchObject({ uid: 'u1' });
    await codes.upsert('c1', { grantId: 'g1', accountId: 'b' }, 60);
    expect((await codes.find('c1'))?.accountId).toBe('b');
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
    await tokens.revokeByGrantId('g1');
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await codes.find('c1')).toBeUndefined();
    expect(await tokens.find('t2')).toBeDefined();
    await tokens.destroy('t2');
    expect(await tokens.find('t2')).toBeUndefined();
  });

  it('hides expired rows and the clean-up deletes them', async () => {
    const sessions = new (createPostgresAdapter(db.db))('Session');
    await sessions.upsert('s-old', { uid: 'x' }, 1);
    await sessions.upsert('s-new', { uid: 'y' }, 3600);
    await db.sql`update oidc_models set expires_at = now() - interval '1 minute' where id = 's-old'`;
    expect(await sessions.find('s-old')).toBeUndefined();
    expect(await deleteExpired(db.db)).toBeGreaterThanOrEqual(1);
    const [row] = await db.sql`select count(*)::int as n from oidc_models where id = 's-old'`;
    expect(row?.n).toBe(0);
    expect(await sessions.find('s-new')).toBeDefined();
  });
});
