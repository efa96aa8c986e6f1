/**
 * The whole bots stack on real ports, wired as production wires it: one fresh Postgres database
 * (auth in schemas `auth` + `credits`, sync in `sync`, the runner in `bots`), one Redis prefix,
 * a real Synapse that delegates login to auth (OIDC) and loads the bots' appservice registration,
 * the auth server, the sync server, and the bot runner as its own process (`bots/runner/src/main.ts`
 * with `BOT_*` variables only: token exchange against auth, the real sync client, the real credits
 * client). Used by tests/e2e/src/bots.int.test.ts, web-bot.int.test.ts and bench/src/bot-latency.ts.
 */
import { SYNC_AUDIENCE } from '@mana/auth-client';
import { loadAuthConfig, readOutbox, startAuthServer, type AuthService } from '@mana/auth';
import { userIdRegexFor } from '@mana/bot-runtime';
import type { RunningServer } from '@mana/http';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { createSyncServer, loadSyncConfig, type SyncServer } from '@mana/sync';
import { createMemoryStorage, createSyncClient, type SyncClient } from '@mana/sync-client';
import {
  createTestClient,
  createTestDatabase,
  createTestRedis,
  startSynapse,
  until,
  type SynapseHandle,
  type TestClient,
  type TestDatabase,
  type TestRedis,
} from '@mana/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CookieClient, authorizeUrl, pkcePair, signInThroughProvider, ssoLogin } from '@mana/auth/testing';
import { freePort } from '@mana/testing';
import { OAuth2 } from 'matrix-js-sdk';
import { discover, ELEMENT_X, loginLikeElementX } from './delegated-stack.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const RUNNER_MAIN = join(ROOT, 'bots/runner/src/main.ts');
export const SERVER_NAME = 'mana.test';
// `probe` is the test bot of tests/e2e (support/probe-bot.ts, hosted through BOT_MODULES).
const NAMESPACE = ['mana', 'todo', 'calendar', 'clock', 'ollama', 'tts', 'zitare', 'stats', 'probe'];
// Re-exported for the e2e tests; the one definition is in @mana/auth-client.
export { CREDITS_AUDIENCE, SYNC_AUDIENCE } from '@mana/auth-client';

// The e2e tests' polling helper; the one definition is in @mana/testing.
export { until };

/** The bot runner as a child process, exactly as `npm start` / a container runs it. */
export interface RunnerProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** Everything it logged (pino JSON lines), newest last. */
  logs(): string[];
  /** SIGKILL: no drain, no goodbye — a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the orderly exit. */
  stop(): Promise<number | null>;
}

export interface StackUser {
  username: string;
  email: string;
  password: string;
  /** The auth account id (`sub` of its tokens). */
  accountId: string;
  /** The Matrix user made by SSO: `@<username>:mana.test`. */
  userId: string;
  accessToken: string;
}

export interface BotsStack {
  db: TestDatabase;
  redis: TestRedis;
  synapse: SynapseHandle;
  auth: { baseUrl: string; service: AuthService; server: RunningServer; botsSecret: string };
  sync: { url: string; server: SyncServer };
  runnerEnv: Record<string, string>;
  hsToken: string;
  runner: RunnerProcess;
  /** Starts the runner (again); the previous one must be stopped or killed. */
  startRunner(extraEnv?: Record<string, string>): Promise<RunnerProcess>;
  /**
   * Registers at auth (page + outbox verification), then signs in to Synapse: through SSO, or in
   * delegated mode as Element X does.
   */
  ssoUser(username: string): Promise<StackUser>;
  /** An access token of the web client (authorization code + PKCE) for one resource. */
  webToken(user: Pick<StackUser, 'email' | 'password'>, resource: string, scope: string): Promise<string>;
  /** A sync client of the user, as the web app holds one (its own token, its own client id). */
  webSync(user: Pick<StackUser, 'email' | 'password'>, clientId: string): Promise<SyncClient<'todo'>>;
  /** The same for any set of apps (`['zitare']`, `['todo', 'calendar']`). */
  appsSync(
    user: Pick<StackUser, 'email' | 'password'>,
    clientId: string,
    apps: Parameters<typeof createSyncClient>[0]['apps'],
  ): Promise<SyncClient>;
  /** A matrix-js-sdk client (what Element does). */
  matrixClient(user: { userId: string; accessToken: string }): Promise<TestClient>;
  close(): Promise<void>;
}

export interface BotsStackOptions {
  label: string;
  /** `AUTH_CREDITS_STARTING_BALANCE` (milli-credits). */
  startingBalance?: number;
  /** Extra `BOT_*` variables for the runner. */
  runnerEnv?: Record<string, string>;
  /** Runner log level (default: `BOT_TEST_LOG` or `info`). */
  runnerLogLevel?: string;
  /**
   * Origin the web app is served from (default `http://127.0.0.1:5173`): auth lists its
   * `/auth/callback` and `/` as the web client's redirect URIs and it as a CORS origin; the runner's
   * `BOT_WEB_URL`.
   */
  webOrigin?: string;
  /**
   * `delegated`: Synapse hands authentication to auth (`matrix_authentication_service`), users log
   * in as Element X does (OAuth 2.0, code + PKCE). Default `sso` (`oidc_providers`).
   */
  authMode?: 'sso' | 'delegated';
  /**
   * End-to-end encryption: Synapse with the appservice E2EE switches (MSC2409, MSC3202, MSC4190) and
   * the runner with `BOT_E2EE` and a fresh `BOT_CRYPTO_STORE_KEY`. Default off: the other tests
   * exercise the plain path (and a bot with devices makes clients encrypt their DMs).
   */
  e2ee?: boolean;
  /** Extra top-level `homeserver.yaml` keys (e.g. `max_upload_size`). */
  synapseConfig?: Record<string, unknown>;
}

export async function startBotsStack(options: BotsStackOptions): Promise<BotsStack> {
  const [db, redis] = await Promise.all([createTestDatabase(options.label), createTestRedis(options.label)]);
  const cleanups: (() => Promise<unknown>)[] = [() => db.drop(), () => redis.cleanup()];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const [authPort, runnerPort] = await Promise.all([freePort(), freePort()]);
    const authBase = `http://127.0.0.1:${authPort}`;
    const runnerUrl = `http://127.0.0.1:${runnerPort}`;
    const asToken = randomBytes(24).toString('hex');
    const hsToken = randomBytes(24).toString('hex');
    const synapseSecret = randomBytes(24).toString('hex');
    const botsSecret = randomBytes(24).toString('hex');
    const webOrigin = options.webOrigin ?? 'http://127.0.0.1:5173';
    const webRedirect = `${webOrigin}/auth/callback`;

    const delegated = options.authMode === 'delegated';
    const masSecret = randomBytes(32).toString('hex');
    // The issuer must be known before Synapse starts, and Synapse's URL before auth starts.
    const synapse = await startSynapse({
      serverName: SERVER_NAME,
      ...(options.synapseConfig ? { config: options.synapseConfig } : {}),
      ...(delegated
        ? { delegatedAuth: { endpoint: authBase, secret: masSecret } }
        : { oidcProvider: { issuer: authBase, clientSecret: synapseSecret } }),
      appservices: [
        {
          id: 'mana-bots',
          url: runnerUrl,
          asToken,
          hsToken,
          senderLocalpart: 'mana',
          users: [{ regex: userIdRegexFor(NAMESPACE, SERVER_NAME) }],
          ...(options.e2ee ? { e2ee: true } : {}),
        },
      ],
    });
    cleanups.push(() => synapse.stop());

    const authConfig = loadAuthConfig({
      AUTH_NODE_ENV: 'test',
      AUTH_PORT: String(authPort),
      AUTH_BASE_URL: authBase,
      AUTH_DATABASE_URL: db.url,
      AUTH_REDIS_URL: redis.url,
      AUTH_REDIS_PREFIX: `${redis.prefix}auth:`,
      AUTH_MATRIX_SERVER_NAME: SERVER_NAME,
      AUTH_SYNAPSE_BASE_URL: synapse.baseUrl,
      AUTH_SYNAPSE_CLIENT_SECRET: synapseSecret,
      AUTH_BOTS_CLIENT_SECRET: botsSecret,
      AUTH_WEB_REDIRECT_URIS: webRedirect,
      AUTH_WEB_POST_LOGOUT_REDIRECT_URIS: `${webOrigin}/`,
      AUTH_CORS_ORIGINS: webOrigin,
      AUTH_LOG_LEVEL: 'silent',
      ...(delegated ? { AUTH_MATRIX_MODE: 'delegated', AUTH_MATRIX_SHARED_SECRET: masSecret } : {}),
      ...(options.startingBalance === undefined
        ? {}
        : { AUTH_CREDITS_STARTING_BALANCE: String(options.startingBalance) }),
      // Many users register and sign in from one IP within seconds.
      AUTH_REGISTER_PER_IP_PER_HOUR: '1000',
      AUTH_LOGIN_PER_IP_PER_MINUTE: '1000',
      AUTH_TOKEN_PER_IP_PER_MINUTE: '100000',
      AUTH_TOKEN_PER_CLIENT_PER_MINUTE: '100000',
    });
    const { service, server } = await startAuthServer({
      config: authConfig,
      logger: createLogger({ service: 'auth', level: process.env.AUTH_TEST_LOG ? 'debug' : 'silent' }),
      metrics: createMetrics({ service: 'auth', defaults: false }),
    });
    cleanups.push(async () => {
      await server.close();
      await service.close();
    });

    const syncServer = await createSyncServer({
      config: loadSyncConfig({
        SYNC_DATABASE_URL: db.url,
        SYNC_DB_SCHEMA: 'sync',
        SYNC_REDIS_URL: redis.url,
        SYNC_REDIS_PREFIX: `${redis.prefix}sync:`,
        SYNC_ISSUER: authBase,
        SYNC_JWKS_URI: `${authBase}/jwks`,
        SYNC_PORT: '0',
        SYNC_LOG_LEVEL: 'silent',
        SYNC_COMPACTION_INTERVAL_SECONDS: '0',
      }),
    });
    cleanups.push(() => syncServer.stop());
    const syncUrl = (await syncServer.listen()).url;

    const runnerEnv: Record<string, string> = {
      BOTS: 'todo,mana',
      BOT_PORT: String(runnerPort),
      BOT_HOST: '127.0.0.1',
      BOT_NODE_ENV: 'test',
      BOT_LOG_LEVEL: options.runnerLogLevel ?? process.env.BOT_TEST_LOG ?? 'info',
      BOT_HOMESERVER_URL: synapse.baseUrl,
      BOT_SERVER_NAME: SERVER_NAME,
      BOT_APPSERVICE_ID: 'mana-bots',
      BOT_AS_TOKEN: asToken,
      BOT_HS_TOKEN: hsToken,
      BOT_SENDER_LOCALPART: 'mana',
      BOT_NAMESPACE: NAMESPACE.join(','),
      BOT_DATABASE_URL: db.url,
      BOT_DB_SCHEMA: 'bots',
      BOT_REDIS_URL: redis.url,
      BOT_QUEUE_PREFIX: `${redis.prefix}bull`,
      BOT_AUTH_TOKEN_ENDPOINT: `${authBase}/token`,
      BOT_AUTH_CLIENT_ID: 'bots',
      BOT_AUTH_CLIENT_SECRET: botsSecret,
      BOT_SYNC_URL: syncUrl,
      BOT_CREDITS_URL: authBase,
      BOT_WEB_URL: webOrigin,
      BOT_MATRIX_RETRY_MAX_MS: '30000',
      ...(options.e2ee ? { BOT_E2EE: 'true', BOT_CRYPTO_STORE_KEY: randomBytes(32).toString('hex') } : {}),
      ...options.runnerEnv,
    };

    let current: RunnerProcess | undefined;
    const startRunner = async (extraEnv: Record<string, string> = {}) => {
      current = await spawnRunner({ ...runnerEnv, ...extraEnv }, runnerUrl);
      return current;
    };
    cleanups.push(async () => {
      await current?.stop();
    });
    await startRunner();

    const webToken: BotsStack['webToken'] = async (user, resource, scope) => {
      const { verifier, challenge } = pkcePair();
      const client = new CookieClient();
      const { result } = await signInThroughProvider(
        client,
        authorizeUrl({
          baseUrl: authBase,
          clientId: 'web',
          redirectUri: webRedirect,
          scope,
          resource,
          pkce: { challenge },
        }),
        user,
        (u) => u.startsWith(webRedirect),
      );
      const code = new URL(result.url).searchParams.get('code');
      if (!code) throw new Error(`no code after sign-in: ${result.status} ${result.url}`);
      const res = await fetch(`${authBase}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: webRedirect,
          client_id: 'web',
          code_verifier: verifier,
          resource,
        }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token)
        throw new Error(`web token failed: ${res.status} ${JSON.stringify(body)}`);
      return body.access_token;
    };

    let matrixClientId: string | undefined;
    const syncClients: SyncClient[] = [];
    const matrixClients: TestClient[] = [];
    cleanups.push(async () => {
      await Promise.allSettled([...syncClients.map((c) => c.stop()), ...matrixClients.map((c) => c.stop())]);
    });

    return {
      db,
      redis,
      synapse,
      auth: { baseUrl: authBase, service, server, botsSecret },
      sync: { url: syncUrl, server: syncServer },
      runnerEnv,
      hsToken,
      get runner() {
        if (!current) throw new Error('runner not started');
        return current;
      },
      startRunner,
      async ssoUser(username) {
        const email = `${username}@example.test`;
        const password = `correct horse ${username}`;
        const browser = new CookieClient();
        const page = await browser.get(`${authBase}/register`);
        const res = await browser.submit(page, 'form[action="/register"]', { email, username, password });
        if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text.slice(0, 300)}`);
        const link = await until('the verification mail', async () => {
          for (const m of await readOutbox(service.db.db, email)) {
            const l = /https?:\/\/\S+verify-email\S*/.exec(m.text)?.[0];
            if (l) return l;
          }
          return undefined;
        });
        const verified = await browser.get(link);
        if (verified.status !== 200) throw new Error(`verify failed: ${verified.status}`);
        const account = await service.accounts.findByUsername(username);
        if (!account) throw new Error(`no account ${username}`);
        if (delegated) {
          const metadata = await discover(synapse.baseUrl);
          matrixClientId ??= await OAuth2.registerClient(metadata, ELEMENT_X);
          const login = await loginLikeElementX({
            metadata,
            clientId: matrixClientId,
            user: { email, password },
          });
          return {
            username,
            email,
            password,
            accountId: account.id,
            userId: `@${username}:${SERVER_NAME}`,
            accessToken: login.accessToken,
          };
        }
        const sso = await ssoLogin({ synapseBaseUrl: synapse.baseUrl, user: { email, password } });
        return {
          username,
          email,
          password,
          accountId: account.id,
          userId: sso.userId,
          accessToken: sso.accessToken,
        };
      },
      webToken,
      async webSync(user, clientId) {
        const token = await webToken(user, SYNC_AUDIENCE, 'openid sync');
        const c = createSyncClient({
          baseUrl: syncUrl,
          apps: ['todo'],
          clientId,
          getToken: () => token,
          storage: createMemoryStorage(),
          WebSocket: null,
          pushDebounceMs: null,
          pullIntervalMs: null,
        });
        syncClients.push(c);
        return c;
      },
      async appsSync(user, clientId, apps) {
        const token = await webToken(user, SYNC_AUDIENCE, 'openid sync');
        const c = createSyncClient({
          baseUrl: syncUrl,
          apps,
          clientId,
          getToken: () => token,
          storage: createMemoryStorage(),
          WebSocket: null,
          pushDebounceMs: null,
          pullIntervalMs: null,
        });
        syncClients.push(c);
        return c;
      },
      async matrixClient(user) {
        const c = await createTestClient({
          baseUrl: synapse.baseUrl,
          userId: user.userId,
          accessToken: user.accessToken,
          bufferSize: 1000,
        });
        matrixClients.push(c);
        return c;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** A runner process on `env` (a second one on the same Redis: another `BOT_PORT`). */
export async function spawnRunner(env: Record<string, string>, url: string): Promise<RunnerProcess> {
  const lines: string[] = [];
  let tail = '';
  const collect = (chunk: Buffer) => {
    const parts = (tail + chunk.toString('utf8')).split('\n');
    tail = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.length > 0));
    if (lines.length > 5000) lines.splice(0, lines.length - 5000);
  };
  // Only BOT_* (and what Node itself needs): the runner must not depend on anything else.
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  const child: ChildProcess = spawn(process.execPath, [RUNNER_MAIN], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  try {
    await until(
      'the runner to become ready',
      async () => {
        if (exitCode !== undefined)
          throw new Error(`runner exited with ${exitCode}:\n${lines.slice(-30).join('\n')}`);
        const ok = await fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? true : undefined;
      },
      60_000,
      50,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    pid: child.pid,
    logs: () => [...lines, ...(tail ? [tail] : [])],
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
