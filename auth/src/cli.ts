#!/usr/bin/env node
/**
 * Operator commands:
 *   node auth/src/cli.ts keys list
 *   node auth/src/cli.ts keys rotate [--overlap-seconds 3600] [--retain-seconds 86400]
 *   node auth/src/cli.ts keys prune
 *   node auth/src/cli.ts accounts deactivate <email|id>   (signs out everywhere; Synapse: delete_user)
 *   node auth/src/cli.ts accounts reactivate <email|id>   (Synapse: reactivate_user)
 *   node auth/src/cli.ts accounts pending                 (Synapse calls still to be retried)
 *   node auth/src/cli.ts outbox <email>        (development: the mails in the local outbox)
 * Reads the same AUTH_* variables as the server.
 */
import { connect, loadMigrations, migrate } from '@mana/db';
import { parseArgs } from 'node:util';
import { createLogger } from '@mana/logging';
import { createLifecycle, type MatrixOutcome } from './accounts/lifecycle.ts';
import { loadAuthConfig } from './config.ts';
import { createSynapseAdmin } from './matrix/synapse-admin.ts';
import { readOutbox } from './mail.ts';
import { listKeys, pruneKeys, rotateKeys } from './oidc/keys.ts';
import { AUTH_SCHEMA, MIGRATIONS_DIR } from './server.ts';

export async function runCli(argv: string[], env = process.env): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'overlap-seconds': { type: 'string', default: '3600' },
      'retain-seconds': { type: 'string', default: '86400' },
    },
  });
  const [group, command] = positionals;
  const config = loadAuthConfig(env);
  const db = connect({ url: config.databaseUrl, schema: AUTH_SCHEMA, max: 2, appName: 'mana-auth-cli' });
  try {
    await migrate(db.sql, { schema: AUTH_SCHEMA, migrations: await loadMigrations(MIGRATIONS_DIR) });
    if (group === 'keys' && command === 'rotate') {
      const overlap = Number(values['overlap-seconds']);
      const retain = Number(values['retain-seconds']);
      if (!Number.isInteger(overlap) || overlap < 0 || !Number.isInteger(retain) || retain < 0) {
        console.error('--overlap-seconds and --retain-seconds must be integers ≥ 0');
        return 2;
      }
      const key = await rotateKeys(db.db, { overlapSeconds: overlap, retainSeconds: retain });
      console.log(
        `published ${key.kid}; it signs from ${key.activatesAt.toISOString()}; older keys are removed ${retain}s after that`,
      );
      return 0;
    }
    if (group === 'keys' && command === 'list') {
      const now = Date.now();
      for (const k of await listKeys(db.db)) {
        const state =
          k.removesAt && k.removesAt.getTime() <= now
            ? 'removed'
            : k.activatesAt.getTime() > now
              ? 'published'
              : k.removesAt
                ? 'retiring'
                : 'active';
        console.log(
          `${k.kid}\t${state}\tactivates ${k.activatesAt.toISOString()}\tremoves ${k.removesAt?.toISOString() ?? '-'}`,
        );
      }
      return 0;
    }
    if (group === 'keys' && command === 'prune') {
      const removed = await pruneKeys(db.db);
      console.log(removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove');
      return 0;
    }
    if (group === 'accounts') {
      const lifecycle = createLifecycle({
        sql: db.sql,
        logger: createLogger({ service: 'auth-cli', level: 'silent' }),
        ...(config.matrixMode === 'delegated'
          ? {
              admin: createSynapseAdmin({
                baseUrl: config.synapseInternalUrl || config.synapseBaseUrl,
                sharedSecret: config.matrixSharedSecret,
              }),
            }
          : {}),
      });
      if (command === 'pending') {
        for (const p of await lifecycle.pending())
          console.log(
            `${p.accountId}\t${p.localpart}\t${p.action}\tattempts ${p.attempts}\t${p.lastError ?? ''}`,
          );
        return 0;
      }
      const target = positionals[2];
      if ((command === 'deactivate' || command === 'reactivate') && target) {
        // The account is not found through the accounts module here (no better-auth in the CLI).
        const [row] = await db.sql`
          select id, email, email_verified, username, name, deactivated_at, deleted_at from users
          where ${target.includes('@') ? db.sql`email = ${target.toLowerCase()}` : db.sql`id = ${target}`}`;
        if (!row) {
          console.error(`no account ${target}`);
          return 1;
        }
        const account = {
          id: String(row.id),
          email: String(row.email),
          emailVerified: Boolean(row.email_verified),
          username: String(row.username),
          name: String(row.name),
          deactivatedAt: row.deactivated_at ? new Date(String(row.deactivated_at)) : null,
          deletedAt: row.deleted_at ? new Date(String(row.deleted_at)) : null,
        };
        if (command === 'reactivate' && account.deletedAt) {
          console.error(`${account.username} was deleted; a deleted account cannot be reactivated`);
          return 1;
        }
        const outcome: MatrixOutcome =
          command === 'deactivate'
            ? await lifecycle.deactivate(account)
            : await lifecycle.reactivate(account);
        const synapse = {
          done: 'Synapse updated',
          pending: 'Synapse not reached: queued, the auth server retries it',
          none: 'sso mode: Synapse not told',
        }[outcome];
        console.log(`${account.username} ${command}d; ${synapse}`);
        return 0;
      }
    }
    if (group === 'outbox' && command) {
      for (const m of await readOutbox(db.db, command))
        console.log(`${m.createdAt.toISOString()}  ${m.subject}\n${m.text}`);
      return 0;
    }
    console.error(
      'usage: cli.ts keys (list|rotate [--overlap-seconds N] [--retain-seconds N]|prune) | accounts (deactivate|reactivate) <email|id> | accounts pending | outbox <email>',
    );
    return 2;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2));
}
