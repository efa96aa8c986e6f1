/**
 * Ed25519 signing keys, stored in Postgres (`signing_keys`), never in the repository.
 *
 * Life cycle of a key (driven by `cli.ts keys rotate` and `keys prune`):
 *   1. created → published in the JWKS at once, not yet signing (`activates_at` in the future);
 *   2. active  → the newest key whose `activates_at` has passed signs every new token;
 *   3. retired → still published until `removes_at`, so tokens it signed keep verifying;
 *   4. removed → unpublished after `removes_at`, deleted by `keys prune`.
 */
import { randomUUID } from 'node:crypto';
import { asc, gt, isNull, lt, or } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { signingKeys } from '../schema.ts';

export const SIGNING_ALG = 'EdDSA';

export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  activatesAt: Date;
  removesAt: Date | null;
}

export class MissingKeysError extends Error {
  readonly code = 'ERR_NO_SIGNING_KEYS';
  constructor() {
    super('no signing keys: run `node auth/src/cli.ts keys rotate` before starting in production');
    this.name = 'MissingKeysError';
  }
}

async function newKey(): Promise<{ kid: string; privateJwk: JWK }> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = `ed25519-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  return { kid, privateJwk: { ...jwk, kid, alg: SIGNING_ALG, use: 'sig' } };
}

/** Keys published now (removes_at unset or in the future), signing key first. */
export async function loadKeys(db: PostgresJsDatabase, now = new Date()): Promise<StoredKey[]> {
  const rows = await db
    .select()
    .from(signingKeys)
    .where(or(isNull(signingKeys.removesAt), gt(signingKeys.removesAt, now)))
    .orderBy(asc(signingKeys.activatesAt));
  const keys: StoredKey[] = rows.map((r) => ({
    kid: r.kid,
    privateJwk: r.privateJwk,
    activatesAt: r.activatesAt,
    removesAt: r.removesAt,
  }));
  const active = keys.filter((k) => k.activatesAt.getTime() <= now.getTime()).at(-1);
  if (!active) return keys;
  // oidc-provider signs with the first key matching the alg, so the active one goes first.
  return [active, ...keys.filter((k) => k !== active)];
}

/**
 * Keys for the provider. Without any key: development and tests get one generated (and persisted);
 * production throws `MissingKeysError`.
 */
export async function ensureKeys(
  db: PostgresJsDatabase,
  { production, now = new Date() }: { production: boolean; now?: Date },
): Promise<StoredKey[]> {
  let keys = await loadKeys(db, now);
  if (keys.length === 0) {
    if (production) throw new MissingKeysError();
    await rotateKeys(db, { overlapSeconds: 0, retainSeconds: 0, now });
    keys = await loadKeys(db, now);
  }
  return keys;
}

export interface RotateOptions {
  /** Seconds the new key is published before it signs (caches of verifiers catch up). */
  overlapSeconds: number;
  /** Seconds the old keys stay published after the new one signs (≥ the longest token lifetime). */
  retainSeconds: number;
  now?: Date;
}

/** Publishes a new key, schedules it to sign after the overlap and the current keys' removal. */
export async function rotateKeys(db: PostgresJsDatabase, options: RotateOptions): Promise<StoredKey> {
  const now = options.now ?? new Date();
  const key = await newKey();
  const activatesAt = new Date(now.getTime() + options.overlapSeconds * 1000);
  const removesAt = new Date(activatesAt.getTime() + options.retainSeconds * 1000);
  return db.transaction(async (tx) => {
    await tx.update(signingKeys).set({ removesAt }).where(isNull(signingKeys.removesAt));
    await tx
      .insert(signingKeys)
      .values({ kid: key.kid, privateJwk: key.privateJwk as Record<string, string>, activatesAt });
    return { kid: key.kid, privateJwk: key.privateJwk, activatesAt, removesAt: null };
  });
}

/** Deletes keys past their removal time; returns their kids. */
export async function pruneKeys(db: PostgresJsDatabase, now = new Date()): Promise<string[]> {
  const rows = await db
    .delete(signingKeys)
    .where(lt(signingKeys.removesAt, now))
    .returning({ kid: signingKeys.kid });
  return rows.map((r) => r.kid);
}

export async function listKeys(db: PostgresJsDatabase): Promise<StoredKey[]> {
  const rows = await db.select().from(signingKeys).orderBy(asc(signingKeys.activatesAt));
  return rows.map((r) => ({
    kid: r.kid,
    privateJwk: r.privateJwk,
    activatesAt: r.activatesAt,
    removesAt: r.removesAt,
  }));
}

/** Stable fingerprint of the published set and its order (changes when the provider must reload). */
export function keysFingerprint(keys: readonly StoredKey[]): string {
  return keys.map((k) => k.kid).join(',');
}
