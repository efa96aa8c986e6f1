/**
 * Test fixture: a real auth server on a free port, with a fresh Postgres database and its own Redis
 * prefix. The issuer is `http://127.0.0.1:<port>`, exactly as the server sees it.
 */
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@mana/testing';
import type { RunningServer } from '@mana/http';
import { loadAuthConfig, type AuthConfig } from '../config.ts';
import { readOutbox } from '../mail.ts';
import { startAuthServer, type AuthService } from '../server.ts';
import { CookieClient } from './cookie-client.ts';
import { freePort } from '@mana/testing';

export interface TestAuth {
  baseUrl: string;
  config: AuthConfig;
  service: AuthService;
  server: RunningServer;
  tdb: TestDatabase;
  redis: TestRedis;
  /** Registers through the page, verifies through the outbox link; returns the credentials. */
  createUser(opts?: { username?: string; email?: string; password?: string; verify?: boolean }): Promise<{
    username: string;
    email: string;
    password: string;
    id: string;
  }>;
  /** The newest outbox mail to `email` whose text contains `needle`; its first link. */
  mailLink(email: string, needle: string): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestAuth(
  options: { env?: Record<string, string>; port?: number; label?: string } = {},
): Promise<TestAuth> {
  const tdb = await createTestDatabase(options.label ?? 'auth');
  const redis = await createTestRedis(options.label ?? 'auth');
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadAuthConfig({
    AUTH_NODE_ENV: 'test',
    AUTH_PORT: String(port),
    AUTH_BASE_URL: baseUrl,
    AUTH_DATABASE_URL: tdb.url,
    AUTH_REDIS_URL: redis.url,
    AUTH_REDIS_PREFIX: redis.prefix,
    AUTH_MATRIX_SERVER_NAME: 'mana.test',
    AUTH_WEB_REDIRECT_URIS: 'http://127.0.0.1:5173/auth/callback',
    ...options.env,
  });
  const logger = createLogger({ service: 'auth', level: process.env.AUTH_TEST_LOG ? 'debug' : 'silent' });
  const { service, server } = await startAuthServer({
    config,
    logger,
    metrics: createMetrics({ service: 'auth', defaults: false }),
  });

  const mailLink = async (email: string, needle: string) => {
    for (let i = 0; i < 50; i++) {
      const mails = await readOutbox(service.db.db, email);
      for (const m of mails) {
        const link = /https?:\/\/\S+/.exec(m.text)?.[0];
        if (link && link.includes(needle)) return link;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no mail with ${needle} for ${email}`);
  };

  return {
    baseUrl,
    config,
    service,
    server,
    tdb,
    redis,
    mailLink,
    async createUser(opts = {}) {
      counter += 1;
      const username = opts.username ?? `user${counter}${Math.random().toString(36).slice(2, 7)}`;
      const email = opts.email ?? `${username}@example.test`;
      const password = opts.password ?? `correct horse ${username}`;
      const client = new CookieClient();
      const page = await client.get(`${baseUrl}/register`);
      const res = await client.submit(page, 'form[action="/register"]', { email, username, password });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text.slice(0, 500)}`);
      if (opts.verify !== false) {
        const verified = await client.get(await mailLink(email, '/verify-email'));
        if (verified.status !== 200) throw new Error(`verify failed: ${verified.status}`);
      }
      const account = await service.accounts.findByUsername(username);
      if (!account) throw new Error('account not found after registration');
      return { username, email, password, id: account.id };
    },
    async close() {
      await server.close();
      await service.close();
      await redis.cleanup();
      await tdb.drop();
    },
  };
}
