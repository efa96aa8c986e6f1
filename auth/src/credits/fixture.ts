/**
 * Test fixture (used by the `*.int.test.ts` files and the bench): a fresh database, a real JWKS
 * issuer, the module migrated and mounted inside `createServiceApp` exactly as the auth app mounts it,
 * so errors go through the real `onError`.
 */
import { createCachedVerifier, createTokenVerifier, CREDITS_AUDIENCE } from '@mana/auth-client';
import { connect, type Database } from '@mana/db';
import { createServiceApp } from '@mana/http';
import { createLogger } from '@mana/logging';
import { createMetrics, type Metrics } from '@mana/metrics';
import { createTestDatabase, startTestIssuer, type TestDatabase, type TestIssuer } from '@mana/testing';
import type { Hono } from 'hono';
import type { CreditsConfig } from './config.ts';
import { createCreditsModule, type CreditsModule } from './index.ts';

export const CREDITS_BASE = '/api/v1/credits';

export interface CreditsFixture {
  app: Hono;
  credits: CreditsModule;
  db: Database;
  tdb: TestDatabase;
  issuer: TestIssuer;
  metrics: Metrics;
  /** A user's own token (scope `credits` unless given). */
  userToken(sub: string, scope?: string): Promise<string>;
  /** A bot's token-exchange token acting for `sub`. */
  botToken(sub: string, scope?: string): Promise<string>;
  adminToken(sub?: string): Promise<string>;
  /** `app.request` under the credits base path with a bearer token and a JSON body. */
  call(
    method: 'GET' | 'POST',
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startCreditsFixture(
  options: { config?: Partial<CreditsConfig>; poolSize?: number; label?: string } = {},
): Promise<CreditsFixture> {
  const tdb = await createTestDatabase(options.label ?? 'credits');
  const db = connect({ url: tdb.url, max: options.poolSize ?? 10, appName: 'credits-test' });
  // As the auth server wires it: ledger writes commit asynchronously, answers wait for the flush.
  const ledgerDb = connect({
    url: tdb.url,
    max: options.poolSize ?? 10,
    appName: 'credits-test-ledger',
    asyncCommit: true,
  });
  const issuer = await startTestIssuer();
  // As the auth server wires it: verified tokens cached until exp.
  const verifier = createCachedVerifier(
    createTokenVerifier({
      issuer: issuer.issuer,
      audience: CREDITS_AUDIENCE,
      jwksUri: issuer.jwksUri,
    }),
  );
  const logger = createLogger({ service: 'auth', level: 'silent' });
  const metrics = createMetrics({ service: 'auth', defaults: false });
  const credits = createCreditsModule({
    sql: db.sql,
    ledgerSql: ledgerDb.sql,
    verifier,
    logger,
    metrics,
    config: {
      startingBalance: 10_000,
      reservationTtlSec: 900,
      sweepIntervalSec: 30,
      checkIntervalSec: 300,
      giftTtlSec: 86_400,
      redeemPerMinute: 10,
      redeemPerIpPerMinute: 10_000,
      ...options.config,
    },
  });
  await credits.migrate();
  const app = createServiceApp({ name: 'auth', logger, metrics });
  app.route(CREDITS_BASE, credits.routes);

  const sign = (sub: string, scope: string, act?: { sub: string }) =>
    issuer.sign({ sub, aud: CREDITS_AUDIENCE, scope, ...(act ? { act } : {}) });

  return {
    app,
    credits,
    db,
    tdb,
    issuer,
    metrics,
    userToken: (sub, scope = 'credits') => sign(sub, scope),
    botToken: (sub, scope = 'credits') => sign(sub, scope, { sub: 'bots' }),
    adminToken: (sub = 'admin') => sign(sub, 'credits:admin'),
    async call(method, path, { token, body, rawBody, headers = {} } = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `Bearer ${token}`;
      const payload = rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined);
      if (payload !== undefined) {
        h['content-type'] = 'application/json';
        // As any HTTP client sends it (and @hono/node-server passes it on): the body limit then
        // checks the header instead of reading the body into a second Request.
        h['content-length'] = String(Buffer.byteLength(payload));
      }
      const res = await app.request(`${CREDITS_BASE}${path}`, {
        method,
        headers: h,
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { raw: text };
      }
      const obj =
        typeof parsed === 'object' && parsed !== null
          ? (parsed as Record<string, unknown>)
          : { value: parsed };
      return { status: res.status, body: obj };
    },
    async close() {
      await credits.stop();
      await Promise.all([db.close(), ledgerDb.close()]);
      await issuer.close();
      await tdb.drop();
    },
  };
}
