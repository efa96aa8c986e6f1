// `npm start`: the whole stack on this machine. Postgres is DATABASE_URL or an embedded PGlite served
// over the Postgres wire protocol; Redis is REDIS_URL or a redis-server started here; then Synapse and
// every service that exists in the tree. A service that dies once the stack is up is started again
// (scripts/supervisor.ts); Ctrl-C stops everything, children first. One stack per data folder
// (scripts/data-lock.ts).
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { homeserverEnv, renderHomeserverFiles } from '@mana/homeserver-config';
import { loadConfig } from '@mana/config';
import { hasProviders, llmConfigSpec } from '@mana/llm';
import { cannedModels, startFakeLlmServer } from '@mana/llm/fake';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataDirBusyError, lockDataDir } from './data-lock.ts';
import { stopLeftovers } from './leftovers.ts';
import { Supervised } from './supervisor.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(process.env.MANA_DATA_DIR ?? join(root, '.data'));
const host = 'localhost';
const port = (name: string, def: number) => Number(process.env[`MANA_${name.toUpperCase()}_PORT`] ?? def);
const ports = {
  postgres: port('postgres', 5433),
  redis: port('redis', 6380),
  synapse: port('synapse', 8008),
  auth: port('auth', 3001),
  sync: port('sync', 3010),
  bots: port('bots', 3300),
  llm: port('llm', 11435),
  web: port('web', 5173),
};
const url = (p: number) => `http://${host}:${p}`;

function say(msg: string): void {
  process.stdout.write(`[mana] ${msg}\n`);
}

function readSecrets(): Record<string, string> {
  const file = join(dataDir, 'secrets.env');
  if (!existsSync(file))
    throw new Error(`${file} is missing: run "npm run setup" (npm start does it for you)`);
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

// Before anything touches the data folder: a second stack on it (even one still stopping) would open
// the same PGlite, Redis and Synapse files.
try {
  const lock = lockDataDir(dataDir, say);
  // Released only once this process ends, i.e. after stopAll has stopped every child.
  process.on('exit', () => lock.release());
} catch (err) {
  if (!(err instanceof DataDirBusyError)) throw err;
  say(err.message);
  process.exit(1);
}
// After a launcher killed with -9 (a stale lock, or none): its services would hold the ports.
await stopLeftovers(join(dataDir, 'run'), say);

const stoppers: (() => Promise<void>)[] = [];
const services: Supervised[] = [];
let stopping: Promise<never> | undefined;

/**
 * Stops every child (each with its process group), then the in-process parts (PGlite, fake LLM),
 * then exits. Idempotent: a second signal or a failure during the stop waits for the same stop
 * instead of exiting with children still running.
 */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    say('stopping…');
    await Promise.all(services.map((s) => s.stop()));
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    say('stopped');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// The terminal closed: the children, in process groups of their own, would not get its SIGHUP.
process.on('SIGHUP', () => void stopAll(0));

/**
 * Starts a service under supervision. `probe`: its health URL, waited for after a restart so the
 * output says when it is back. Before the stack is up, a death fails the start (a configuration
 * problem, usually); afterwards the service is restarted.
 */
function start(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string>,
  probe?: string,
): Supervised {
  // A stop began while start-up was awaiting something: spawning now would leave an orphan.
  if (stopping) throw new Error('stopped while starting');
  const logFile = join(dataDir, 'logs', `${name}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const service: Supervised = new Supervised({
    name,
    command: cmd,
    args,
    spawnOptions: { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] },
    say: (line) => say(`${line}; log: ${logFile}`),
    onRestarted: (child) => {
      writePid(name, child.pid);
      if (!probe) return say(`${name} started again`);
      waitFor(name, probe).then(
        () => say(`${name} is back (restart ${service.restartCount})`),
        (err: unknown) =>
          say(`${name} did not come back: ${err instanceof Error ? err.message : String(err)}`),
      );
    },
    onGaveUp: () => {
      if (!service.restarts && !stopping) void stopAll(1);
    },
  });
  services.push(service);
  writePid(name, service.start().pid);
  return service;
}

/** `<data>/run/<name>.pid`: the running pid of each service, for operators (and the stack tests). */
function writePid(name: string, pid: number | undefined): void {
  if (pid === undefined) return;
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  writeFileSync(join(dataDir, 'run', `${name}.pid`), `${pid}\n`);
}

async function waitFor(name: string, probe: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped while starting');
    try {
      const res = await fetch(probe, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `${name} did not answer ${probe} within ${timeoutMs / 1000} s (logs in ${join(dataDir, 'logs')})`,
  );
}

async function postgresUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  // Embedded Postgres: no database server needed for a first look. Production uses real Postgres.
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  // PGlite is one session shared by every client connection and ignores the search_path a client asks
  // for at connect time, so the session gets every service's schema (their table names are distinct;
  // credits names its schema explicitly).
  await db.exec('set search_path to auth, sync, bots, public');
  const server = new PGLiteSocketServer({ db, port: ports.postgres, host: '127.0.0.1', maxConnections: 64 });
  await server.start();
  stoppers.push(async () => {
    await server.stop();
    await db.close();
  });
  return `postgres://postgres@127.0.0.1:${ports.postgres}/postgres`;
}

async function redisUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'No REDIS_URL and no redis-server on PATH. Install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  start(
    'redis',
    'redis-server',
    ['--port', String(ports.redis), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    {},
  );
  const deadline = Date.now() + 10_000;
  while (
    spawnSync('redis-cli', ['-p', String(ports.redis), 'ping'])
      .stdout?.toString()
      .trim() !== 'PONG'
  ) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return `redis://127.0.0.1:${ports.redis}`;
}

// MANA_SERVICES=auth,sync limits the stack to those services (Synapse, Postgres and Redis always run).
const only = process.env.MANA_SERVICES?.split(',').map((s) => s.trim());
const has = (entry: string) =>
  existsSync(join(root, entry)) && (!only || only.includes(entry.split('/')[0] ?? ''));

async function main(): Promise<void> {
  const secrets = readSecrets();
  const node = process.execPath;
  const databaseUrl = await postgresUrl();
  const redis = await redisUrl();
  const common = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    NODE_ENV: 'development',
  };
  const withAuth = has('auth/src/main.ts');
  const withBots = has('bots/runner/src/main.ts');
  const serverName = process.env.MANA_SERVER_NAME ?? 'localhost';
  // MANA_AUTH_MODE=delegated: Synapse hands all authentication to auth (Element X logs in).
  const delegated = withAuth && process.env.MANA_AUTH_MODE === 'delegated';
  // Secrets files from before this setting have no shared secret: derive one from AUTH_SECRET.
  const masSecret =
    secrets.AUTH_MATRIX_SHARED_SECRET ??
    createHash('sha256')
      .update(`matrix-shared-secret:${secrets.AUTH_SECRET ?? ''}`)
      .digest('hex');

  // Synapse, configured through the same renderer production uses.
  const hsEnv = loadConfig(homeserverEnv, {
    HS_SERVER_NAME: serverName,
    HS_PUBLIC_BASEURL: `${url(ports.synapse)}/`,
    HS_PORT: String(ports.synapse),
    HS_DATA_DIR: join(dataDir, 'synapse'),
    HS_OUT_DIR: join(dataDir, 'homeserver'),
    HS_REGISTRATION_SHARED_SECRET: secrets.HS_REGISTRATION_SHARED_SECRET,
    HS_MACAROON_SECRET_KEY: secrets.HS_MACAROON_SECRET_KEY,
    HS_FORM_SECRET: secrets.HS_FORM_SECRET,
    HS_RATE_LIMITS: 'dev',
    ...(withAuth
      ? { HS_OIDC_ISSUER: url(ports.auth), HS_OIDC_CLIENT_SECRET: secrets.AUTH_SYNAPSE_CLIENT_SECRET }
      : {}),
    ...(delegated ? { HS_AUTH_MODE: 'delegated', HS_MAS_SECRET: masSecret } : {}),
    ...(withBots
      ? {
          HS_APPSERVICE_URL: url(ports.bots),
          HS_APPSERVICE_AS_TOKEN: secrets.BOT_AS_TOKEN,
          HS_APPSERVICE_HS_TOKEN: secrets.BOT_HS_TOKEN,
        }
      : {}),
  });
  mkdirSync(hsEnv.dataDir, { recursive: true });
  for (const f of renderHomeserverFiles(hsEnv)) {
    const target = join(hsEnv.outDir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.contents);
    chmodSync(target, f.mode);
  }
  const python = join(root, '.venv/synapse/bin/python');
  const synapseProbe = `${url(ports.synapse)}/_matrix/client/versions`;
  start(
    'synapse',
    python,
    ['-m', 'synapse.app.homeserver', '-c', join(hsEnv.outDir, 'homeserver.yaml')],
    {},
    synapseProbe,
  );

  const urls: [string, string][] = [
    [
      'Synapse',
      `${url(ports.synapse)}  (server name ${serverName}; sign in from Element with this homeserver URL)`,
    ],
    [
      'Postgres',
      process.env.DATABASE_URL
        ? '(DATABASE_URL)'
        : `${databaseUrl}  (embedded PGlite, data in ${join(dataDir, 'pglite')})`,
    ],
    ['Redis', redis],
  ];
  const waits: Promise<void>[] = [waitFor('Synapse', synapseProbe)];

  if (withAuth) {
    start(
      'auth',
      node,
      ['auth/src/main.ts'],
      {
        ...common,
        AUTH_PORT: String(ports.auth),
        AUTH_BASE_URL: url(ports.auth),
        AUTH_SECRET: secrets.AUTH_SECRET ?? '',
        AUTH_SYNAPSE_CLIENT_SECRET: secrets.AUTH_SYNAPSE_CLIENT_SECRET ?? '',
        AUTH_BOTS_CLIENT_SECRET: secrets.AUTH_BOTS_CLIENT_SECRET ?? '',
        AUTH_MATRIX_SERVER_NAME: serverName,
        AUTH_SYNAPSE_BASE_URL: url(ports.synapse),
        ...(delegated ? { AUTH_MATRIX_MODE: 'delegated', AUTH_MATRIX_SHARED_SECRET: masSecret } : {}),
        AUTH_OUTBOX_DIR: join(dataDir, 'outbox'),
        AUTH_WEB_REDIRECT_URIS: `${url(ports.web)}/auth/callback`,
        AUTH_WEB_POST_LOGOUT_REDIRECT_URIS: `${url(ports.web)}/`,
        AUTH_CORS_ORIGINS: url(ports.web),
      },
      `${url(ports.auth)}/health/ready`,
    );
    urls.push([
      'Auth',
      `${url(ports.auth)}  (OpenID Provider; sign-up at ${url(ports.auth)}/register; mails land in ${join(dataDir, 'outbox')})`,
    ]);
    waits.push(waitFor('auth', `${url(ports.auth)}/health/ready`));
  }
  if (has('sync/src/main.ts')) {
    start(
      'sync',
      node,
      ['sync/src/main.ts'],
      {
        ...common,
        SYNC_PORT: String(ports.sync),
        SYNC_ISSUER: url(ports.auth),
        // PGlite is one session underneath; concurrent transactions must not interleave on it.
        ...(process.env.DATABASE_URL ? {} : { SYNC_DB_POOL_SIZE: '1' }),
      },
      `${url(ports.sync)}/health/ready`,
    );
    urls.push(['Sync', url(ports.sync)]);
    waits.push(waitFor('sync', `${url(ports.sync)}/health/ready`));
  }
  if (withBots) {
    // No real LLM provider configured: the built-in fake (it says so in its answers), so the ollama
    // bot can be tried on a fresh machine.
    const llmEnv: Record<string, string> = {};
    if (!hasProviders(loadConfig(llmConfigSpec))) {
      const fake = await startFakeLlmServer({ port: ports.llm, models: cannedModels() });
      stoppers.push(() => fake.close());
      llmEnv.LLM_OLLAMA_URL = fake.url;
      say(`no OLLAMA_URL / LLM_BASE_URL: the ollama bot talks to the built-in fake LLM on ${fake.url}`);
    }
    start(
      'bots',
      node,
      ['bots/runner/src/main.ts'],
      {
        ...common,
        BOT_PORT: String(ports.bots),
        // Every bot the runner ships (BOTS picks fewer).
        BOT_BOTS: process.env.BOTS ?? 'todo,mana,calendar,clock,zitare,ollama,tts,stats',
        BOT_HOMESERVER_URL: url(ports.synapse),
        BOT_SERVER_NAME: serverName,
        BOT_AS_TOKEN: secrets.BOT_AS_TOKEN ?? '',
        BOT_HS_TOKEN: secrets.BOT_HS_TOKEN ?? '',
        BOT_AUTH_TOKEN_ENDPOINT: `${url(ports.auth)}/token`,
        BOT_CREDITS_URL: url(ports.auth),
        BOT_AUTH_CLIENT_SECRET: secrets.AUTH_BOTS_CLIENT_SECRET ?? '',
        BOT_SYNC_URL: url(ports.sync),
        BOT_WEB_URL: url(ports.web),
        // The bots take part in end-to-end encryption (Element X and Cinny create encrypted DMs);
        // Synapse has the appservice E2EE switches on (HS_APPSERVICE_E2EE's default). BOT_E2EE=false
        // turns it off; a secrets file without the store key (setup not run since) leaves it off.
        BOT_E2EE: secrets.BOT_CRYPTO_STORE_KEY ? (process.env.BOT_E2EE ?? 'true') : 'false',
        BOT_CRYPTO_STORE_KEY: secrets.BOT_CRYPTO_STORE_KEY ?? '',
        ...llmEnv,
      },
      `${url(ports.bots)}/health/ready`,
    );
    urls.push([
      'Bots',
      `${url(ports.bots)}  (DM @todo:${serverName}, @mana:${serverName}, @calendar:${serverName}, @clock:${serverName}, @zitare:${serverName}, @ollama:${serverName}, @tts:${serverName} or @stats:${serverName})`,
    ]);
    waits.push(waitFor('bots', `${url(ports.bots)}/health/ready`));
  }
  if (has('web/package.json')) {
    start(
      'web',
      node,
      [
        join(root, 'node_modules/vite/bin/vite.js'),
        'web',
        '--port',
        String(ports.web),
        '--strictPort',
        '--host',
        host,
      ],
      {
        ...common,
        MANA_AUTH_ISSUER: url(ports.auth),
        MANA_SYNC_URL: url(ports.sync),
      },
    );
    urls.push(['Web app', url(ports.web)]);
  }

  await Promise.all(waits);
  // From here on a service that dies is started again; only Ctrl-C ends the stack.
  for (const service of services) service.restarts = true;
  say('Mana is running:');
  for (const [name, where] of urls) say(`  ${name.padEnd(9)} ${where}`);
  say(`logs: ${join(dataDir, 'logs')}  —  Ctrl-C stops everything`);
}

main().catch((err: unknown) => {
  // After Ctrl-C or a service's death the stop is under way and has said why.
  if (!stopping) say(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  void stopAll(1);
});
