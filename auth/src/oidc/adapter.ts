/**
 * oidc-provider storage in Postgres: one table (`oidc_models`) for every model — sessions, grants,
 * interactions, authorization codes, access/refresh tokens, client credentials… — keyed by
 * (kind, id), with the lookups the provider needs (grant id, uid, user code) indexed.
 */
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { oidcModels } from '../schema.ts';

/** Models that belong to a grant and are revoked together with it. */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export type AdapterFactory = new (name: string) => Adapter;

export interface AdapterOptions {
  /**
   * Seconds after its rotation during which a refresh token still counts as unused. oidc-provider
   * rotates a public client's refresh token on every use and revokes the whole grant when a used one
   * comes back; a browser that navigates while its refresh is in flight never sees the new token and
   * would be signed out by its next refresh. Within the grace the old token is rotated once more
   * (the reuse interval Okta and Auth0 offer); after it, reuse detection applies as before.
   */
  refreshReuseGraceSec?: number;
}

export function createPostgresAdapter(
  db: PostgresJsDatabase,
  { refreshReuseGraceSec = 0 }: AdapterOptions = {},
): AdapterFactory {
  return class PostgresAdapter implements Adapter {
    readonly kind: string;
    constructor(name: string) {
      this.kind = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        kind: this.kind,
        id,
        payload: payload as Record<string, unknown>,
        grantId: GRANTABLE.has(this.kind) ? (payload.grantId ?? null) : null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
        consumedAt: null,
      };
      await db
        .insert(oidcModels)
        .values(row)
        .onConflictDoUpdate({
          target: [oidcModels.kind, oidcModels.id],
          set: {
            payload: row.payload,
            grantId: row.grantId,
            userCode: row.userCode,
            uid: row.uid,
            expiresAt: row.expiresAt,
          },
        });
    }

    private async findWhere(where: ReturnType<typeof eq>): Promise<AdapterPayload | undefined> {
      const [row] = await db
        .select({
          payload: oidcModels.payload,
          consumedAt: oidcModels.consumedAt,
          expiresAt: oidcModels.expiresAt,
        })
        .from(oidcModels)
        .where(and(eq(oidcModels.kind, this.kind), where))
        .limit(1);
      if (!row) return undefined;
      // An expired device code still answers (until the clean-up): oidc-provider checks its `exp`
      // itself and tells the polling client `expired_token` (RFC 8628), not `invalid_grant`.
      if (row.expiresAt && row.expiresAt.getTime() <= Date.now() && this.kind !== 'DeviceCode')
        return undefined;
      const inGrace =
        this.kind === 'RefreshToken' &&
        row.consumedAt !== null &&
        Date.now() - row.consumedAt.getTime() < refreshReuseGraceSec * 1000;
      return {
        ...(row.payload as AdapterPayload),
        ...(row.consumedAt && !inGrace ? { consumed: Math.floor(row.consumedAt.getTime() / 1000) } : {}),
      };
    }

    find(id: string) {
      return this.findWhere(eq(oidcModels.id, id));
    }
    findByUserCode(userCode: string) {
      return this.findWhere(eq(oidcModels.userCode, userCode));
    }
    findByUid(uid: string) {
      return this.findWhere(eq(oidcModels.uid, uid));
    }

    async consume(id: string): Promise<void> {
      await db
        .update(oidcModels)
        // The first use counts: a reuse within the grace must not move its start.
        .set({ consumedAt: sql`coalesce(${oidcModels.consumedAt}, now())` })
        .where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.id, id)));
    }

    async destroy(id: string): Promise<void> {
      await db.delete(oidcModels).where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.id, id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.delete(oidcModels).where(eq(oidcModels.grantId, grantId));
    }
  };
}

/** Deletes expired rows of every model; returns how many. Run periodically. */
export async function deleteExpired(db: PostgresJsDatabase): Promise<number> {
  const rows = await db
    .delete(oidcModels)
    .where(lt(oidcModels.expiresAt, sql`now()`))
    .returning({ id: oidcModels.id });
  return rows.length;
}
