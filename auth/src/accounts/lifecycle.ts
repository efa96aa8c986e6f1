/**
 * The account life cycle: deactivate, reactivate, delete — in auth and, in delegated mode, in
 * Synapse (`/_synapse/mas/delete_user`, `reactivate_user`; `provision_user` at sign-up).
 *
 * Auth's own state changes first, in one transaction, together with a `matrix_pending` marker for
 * the Synapse call; the call runs right after and removes the marker when it succeeds. If Synapse
 * is down the marker stays and `retryPending` (a periodic job of the server, and its start) delivers
 * it later, so a deactivation is never lost. One marker per account: the latest wanted state wins.
 */
import type { Sql } from '@mana/db';
import type { TransactionSql } from 'postgres';
import type { Logger } from '@mana/logging';
import { SynapseAdminError, type SynapseAdmin } from '../matrix/synapse-admin.ts';
import type { Account } from './accounts.ts';

export type MatrixAction = 'provision' | 'deactivate' | 'erase' | 'reactivate';

export interface LifecycleOptions {
  sql: Sql;
  logger: Logger;
  /** Delegated mode only: Synapse's API for its auth server. */
  admin?: SynapseAdmin;
}

export interface PendingCall {
  accountId: string;
  localpart: string;
  action: MatrixAction;
  attempts: number;
  lastError: string | null;
}

/** What happened at Synapse: `done`, `pending` (failed, queued for a retry) or `none` (sso mode). */
export type MatrixOutcome = 'done' | 'pending' | 'none';

export interface Lifecycle {
  /** Signs the account out everywhere (every session, grant and token) and refuses it from now on. */
  deactivate(account: Account): Promise<MatrixOutcome>;
  /** Lets a deactivated (not deleted) account sign in again. */
  reactivate(account: Account): Promise<MatrixOutcome>;
  /** Deactivates for good and scrubs personal data (email, name, password); Synapse erases the user. */
  delete(account: Account): Promise<MatrixOutcome>;
  /** A new account: the Matrix user exists from sign-up on (display name; emails once verified). */
  provision(account: Account): Promise<MatrixOutcome>;
  /** Delivers every queued Synapse call; returns how many are still pending. */
  retryPending(): Promise<number>;
  pending(): Promise<PendingCall[]>;
}

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { sql, logger, admin } = options;

  const call = async (action: MatrixAction, localpart: string, accountId: string): Promise<void> => {
    if (!admin) return;
    try {
      if (action === 'provision') {
        const [row] = await sql`select name, email, email_verified from users where id = ${accountId}`;
        await admin.provisionUser({
          localpart,
          ...(row?.name ? { displayName: String(row.name) } : {}),
          emails: row?.email_verified ? [String(row.email)] : [],
        });
      } else if (action === 'reactivate') await admin.reactivateUser(localpart);
      else await admin.deleteUser(localpart, action === 'erase');
    } catch (err) {
      // A user Synapse never had is as deactivated (or as absent) as it gets.
      if (err instanceof SynapseAdminError && err.status === 404 && action !== 'provision') return;
      throw err;
    }
  };

  /** Runs one queued call; removes its marker only if no newer wish replaced it meanwhile. */
  const deliver = async (accountId: string): Promise<boolean> => {
    const [row] = await sql`select * from matrix_pending where account_id = ${accountId}`;
    if (!row) return true;
    const action = row.action as MatrixAction;
    try {
      await call(action, String(row.localpart), accountId);
      await sql`
        delete from matrix_pending
        where account_id = ${accountId} and action = ${action} and updated_at = ${String(row.updated_at)}::timestamptz`;
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.warn({ accountId, action, err: message }, 'Synapse call failed; queued for a retry');
      await sql`
        update matrix_pending set attempts = attempts + 1, last_error = ${message.slice(0, 500)}
        where account_id = ${accountId} and action = ${action}`;
      return false;
    }
  };

  const queue = async (tx: Sql | TransactionSql, account: Account, action: MatrixAction): Promise<void> => {
    if (!admin) return;
    await tx`
      insert into matrix_pending (account_id, localpart, action)
      values (${account.id}, ${account.username}, ${action})
      on conflict (account_id) do update
        set action = excluded.action, attempts = 0, last_error = null, updated_at = clock_timestamp()`;
  };

  const outcome = async (account: Account): Promise<MatrixOutcome> =>
    admin ? ((await deliver(account.id)) ? 'done' : 'pending') : 'none';

  /** Every session, grant and token of the account (better-auth's and oidc-provider's). */
  const signOutEverywhere = async (tx: TransactionSql, accountId: string): Promise<void> => {
    await tx`delete from sessions where user_id = ${accountId}`;
    await tx`delete from oidc_models where payload->>'accountId' = ${accountId}`;
    // Synapse deletes the devices itself when it deactivates the user.
    await tx`delete from matrix_sessions where account_id = ${accountId}`;
  };

  return {
    async deactivate(account) {
      await sql.begin(async (tx) => {
        await tx`update users set deactivated_at = coalesce(deactivated_at, now()) where id = ${account.id}`;
        await signOutEverywhere(tx, account.id);
        await queue(tx, account, 'deactivate');
      });
      logger.info({ accountId: account.id }, 'account deactivated');
      return outcome(account);
    },
    async reactivate(account) {
      if (account.deletedAt) throw new Error('a deleted account cannot be reactivated');
      await sql.begin(async (tx) => {
        await tx`update users set deactivated_at = null where id = ${account.id}`;
        await queue(tx, account, 'reactivate');
      });
      logger.info({ accountId: account.id }, 'account reactivated');
      return outcome(account);
    },
    async delete(account) {
      await sql.begin(async (tx) => {
        await tx`
          update users set
            deactivated_at = coalesce(deactivated_at, now()), deleted_at = now(),
            email = ${`deleted-${account.id}@deleted.invalid`}, name = '', image = null,
            email_verified = false
          where id = ${account.id}`;
        await tx`delete from accounts where user_id = ${account.id}`;
        await tx`delete from verifications where identifier = ${account.email}`;
        await signOutEverywhere(tx, account.id);
        await queue(tx, account, 'erase');
      });
      logger.info({ accountId: account.id }, 'account deleted');
      return outcome(account);
    },
    async provision(account) {
      await queue(sql, account, 'provision');
      return outcome(account);
    },
    async retryPending() {
      const rows = await sql`select account_id from matrix_pending order by updated_at limit 100`;
      let left = 0;
      for (const row of rows) if (!(await deliver(String(row.account_id)))) left += 1;
      return left;
    },
    async pending() {
      const rows = await sql`select * from matrix_pending order by updated_at`;
      return rows.map((r) => ({
        accountId: String(r.account_id),
        localpart: String(r.localpart),
        action: r.action as MatrixAction,
        attempts: Number(r.attempts),
        lastError: r.last_error === null ? null : String(r.last_error),
      }));
    },
  };
}
