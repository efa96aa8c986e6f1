/**
 * A real Synapse for tests and benchmarks: its own temp directory, SQLite database, free port and
 * random secrets, configured through `@mana/synapse-config` — the templates production uses —
 * with rate limits off.
 *
 * @example
 * const synapse = await startSynapse();
 * const alice = await synapse.registerUser({ username: 'alice' });
 * // … talk to synapse.baseUrl as alice.accessToken …
 * await synapse.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  renderAppserviceRegistrationYaml,
  renderHomeserverYaml,
  renderLogConfigYaml,
  type AppserviceRegistrationOptions,
  type OidcProviderOptions,
  type SynapseLogLevel,
} from '@mana/synapse-config';
import { ensureSynapseVenv } from './synapse-venv.ts';
import { freePort } from './ports.ts';

export interface StartSynapseOptions {
  /** Server name, the domain of every user id. Default `mana.test` (a reserved TLD, never real). */
  serverName?: string;
  /**
   * Delegate login to an auth server (`oidc-mana`). An `http://` issuer gets `skipVerification`,
   * since Synapse otherwise insists on https. Synapse loads the discovery document in the
   * background at start-up and again on first use, so the issuer may start after Synapse.
   */
  oidcProvider?: OidcProviderOptions;
  /**
   * Password login on the client API. Default true, also with `oidcProvider` (production turns it
   * off with SSO): tests may log in with the password a user was registered with.
   */
  passwordLogin?: boolean;
  /**
   * Delegate all authentication to an auth server (`matrix_authentication_service`): Synapse
   * introspects tokens at `<endpoint>/oauth2/introspect` with `secret` and lets that server
   * provision users and devices through `/_synapse/mas/*`. Excludes `oidcProvider`. The server must
   * answer discovery by the time a client calls Synapse, not before Synapse starts.
   */
  delegatedAuth?: { endpoint: string; secret: string };
  /** Appservice registrations, written as files and listed in `app_service_config_files`. */
  appservices?: AppserviceRegistrationOptions[];
  /** Extra top-level `homeserver.yaml` keys; each replaces the rendered key as a whole. */
  config?: Record<string, unknown>;
  /** Synapse's log level (the log goes to `<dataDir>/synapse.log`). Default `INFO`. */
  logLevel?: SynapseLogLevel;
  /** How long to wait for `/_matrix/client/versions` to answer. Default 60 s. */
  startTimeoutMs?: number;
  /** Virtualenv with Synapse. Default `$SYNAPSE_VENV` or `<repo>/.venv/synapse`. */
  venvDir?: string;
}

export interface RegisteredUser {
  userId: string;
  accessToken: string;
  deviceId: string;
  /** The password it was registered with (generated when not given). */
  password: string;
}

export interface SynapseHandle {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  serverName: string;
  registrationSharedSecret: string;
  /** Temp directory with config, database, signing key, media and `synapse.log`. */
  dataDir: string;
  logFile: string;
  /** `@<localpart>:<serverName>` */
  userId(localpart: string): string;
  /** Registers a user through the shared-secret admin API (no rate limits, no UIA). */
  registerUser(options: {
    username: string;
    password?: string;
    admin?: boolean;
    displayName?: string;
  }): Promise<RegisteredUser>;
  /** Stops and starts Synapse again on the same port and data (e.g. to test reconnects). */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

export type SynapseErrorCode = 'ERR_SYNAPSE_START' | 'ERR_SYNAPSE_REGISTER';

export class SynapseError extends Error {
  readonly code: SynapseErrorCode;
  constructor(code: SynapseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynapseError';
    this.code = code;
  }
}

/**
 * Started by `python -c` instead of `python -m synapse.app.homeserver` so the kernel stops Synapse
 * when this Node process dies, even by SIGKILL or a crashed test worker (Linux PR_SET_PDEATHSIG),
 * and Synapse then removes its orphaned temp directory (its working directory) on the way out.
 * The `exit` hook below covers orderly exits everywhere else.
 */
const LAUNCHER = `
import atexit, ctypes, os, runpy, shutil, signal, sys
parent = int(os.environ["MANA_PARENT_PID"])
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except Exception:
    pass
def remove_orphaned_data_dir():
    if os.getppid() != parent:
        shutil.rmtree(os.getcwd(), ignore_errors=True)
atexit.register(remove_orphaned_data_dir)
if os.getppid() != parent:
    sys.exit("parent exited before Synapse started")
sys.argv = ["synapse.app.homeserver", *sys.argv[1:]]
runpy.run_module("synapse.app.homeserver", run_name="__main__", alter_sys=True)
`;

const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 3;

/** Every Synapse this process started and has not stopped, for the exit hook. */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill hard and remove the directories.
  process.on('exit', () => {
    for (const [child, dataDir] of running) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

export async function startSynapse(options: StartSynapseOptions = {}): Promise<SynapseHandle> {
  const python = await ensureSynapseVenv(options.venvDir === undefined ? {} : { venvDir: options.venvDir });
  const serverName = options.serverName ?? 'mana.test';
  const registrationSharedSecret = randomBytes(32).toString('hex');
  const dataDir = await mkdtemp(join(tmpdir(), 'mana-synapse-'));
  const logFile = join(dataDir, 'synapse.log');
  const configFile = join(dataDir, 'homeserver.yaml');
  installExitHook();

  const writeConfig = async (port: number) => {
    const appserviceFiles: string[] = [];
    for (const registration of options.appservices ?? []) {
      const file = join(dataDir, `appservice-${registration.id}.yaml`);
      await writeFile(file, renderAppserviceRegistrationYaml(registration));
      appserviceFiles.push(file);
    }
    const oidc = options.oidcProvider;
    await writeFile(join(dataDir, 'log.config'), renderLogConfigYaml({ level: options.logLevel ?? 'INFO' }));
    await writeFile(
      configFile,
      renderHomeserverYaml({
        serverName,
        publicBaseUrl: `http://127.0.0.1:${port}/`,
        listener: { port, bindAddresses: ['127.0.0.1'], resources: ['client'] },
        database: { kind: 'sqlite', path: join(dataDir, 'homeserver.db') },
        registrationSharedSecret,
        macaroonSecretKey: randomBytes(32).toString('hex'),
        formSecret: randomBytes(32).toString('hex'),
        // Absent at first start: Synapse creates a missing signing key itself on every start-up.
        signingKeyPath: join(dataDir, 'signing.key'),
        logConfigPath: join(dataDir, 'log.config'),
        mediaStorePath: join(dataDir, 'media_store'),
        rateLimits: 'off',
        passwordLogin: options.passwordLogin ?? true,
        appserviceConfigFiles: appserviceFiles,
        // An e2ee registration needs Synapse's experimental switches on.
        appserviceE2ee: (options.appservices ?? []).some((r) => r.e2ee),
        ...(oidc ? { oidc: { skipVerification: oidc.issuer.startsWith('http://'), ...oidc } } : {}),
        ...(options.delegatedAuth ? { delegatedAuth: options.delegatedAuth } : {}),
        ...(options.config ? { extra: options.config } : {}),
      }),
    );
  };

  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async () => {
    const proc = spawnSynapse(python, configFile, dataDir, logFile);
    running.set(proc, dataDir);
    proc.once('exit', () => running.delete(proc));
    child = proc;
    await waitUntilReady(proc, `http://127.0.0.1:${port}`, logFile, options.startTimeoutMs ?? 60_000);
  };

  try {
    // Synapse cannot bind port 0, so we pick a free port and hand it over; another process may
    // take it in between, in which case we try a fresh one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      await writeConfig(port);
      try {
        await launch();
        break;
      } catch (err) {
        await terminate(child);
        const portTaken = (await readTail(logFile)).includes('Address already in use');
        if (!portTaken || attempt >= PORT_ATTEMPTS) throw err;
      }
    }
  } catch (err) {
    await terminate(child);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    baseUrl,
    serverName,
    registrationSharedSecret,
    dataDir,
    logFile,
    userId: (localpart) => `@${localpart}:${serverName}`,
    registerUser: (user) =>
      registerWithSharedSecret({ baseUrl, sharedSecret: registrationSharedSecret, ...user }),
    async restart() {
      if (stopped) throw new SynapseError('ERR_SYNAPSE_START', 'restart() after stop()');
      await terminate(child);
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function spawnSynapse(python: string, configFile: string, dataDir: string, logFile: string): ChildProcess {
  // Synapse writes straight into the file, so its output never backs up a pipe nobody reads.
  const fd = openSync(logFile, 'a');
  try {
    return spawn(python, ['-c', LAUNCHER, '-c', configFile], {
      // Synapse treats its working directory as the data directory.
      cwd: dataDir,
      env: { ...process.env, MANA_PARENT_PID: String(process.pid), PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
}

async function waitUntilReady(
  child: ChildProcess,
  baseUrl: string,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  };
  child.once('exit', onExit);
  try {
    while (Date.now() < deadline) {
      if (exited) break;
      try {
        const res = await fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.off('exit', onExit);
  }
  const reason = exited ? `Synapse ${exited}` : `Synapse did not answer ${baseUrl} within ${timeoutMs} ms`;
  throw new SynapseError(
    'ERR_SYNAPSE_START',
    `${reason}. Last lines of ${logFile}:\n${await readTail(logFile)}`,
  );
}

async function terminate(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function readTail(file: string, lines = 40): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Registers a user with Synapse's shared-secret admin API: fetch a nonce, then prove knowledge of
 * `registration_shared_secret` with HMAC-SHA1 over `nonce\0user\0password\0admin|notadmin`.
 * Works against any Synapse whose secret you hold, not only one started here.
 */
export async function registerWithSharedSecret(options: {
  baseUrl: string;
  sharedSecret: string;
  username: string;
  password?: string;
  admin?: boolean;
  displayName?: string;
}): Promise<RegisteredUser> {
  const url = `${options.baseUrl}/_synapse/admin/v1/register`;
  const password = options.password ?? randomBytes(16).toString('hex');
  const admin = options.admin ?? false;
  const { nonce } = await expectJson(await fetch(url), ['nonce'], options.username);
  const mac = createHmac('sha1', options.sharedSecret)
    .update(`${nonce}\0${options.username}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
    .digest('hex');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      nonce,
      username: options.username,
      password,
      admin,
      mac,
      ...(options.displayName ? { displayname: options.displayName } : {}),
    }),
  });
  const body = await expectJson(res, ['user_id', 'access_token', 'device_id'], options.username);
  return { userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id, password };
}

async function expectJson<K extends string>(
  res: Response,
  keys: readonly K[],
  username: string,
): Promise<Record<K, string>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (!res.ok || keys.some((k) => typeof record[k] !== 'string')) {
    // The response carries an access token on success only; on failure it is safe to show.
    throw new SynapseError(
      'ERR_SYNAPSE_REGISTER',
      `registering ${username} failed: HTTP ${res.status} ${text.slice(0, 300)}`,
    );
  }
  return Object.fromEntries(keys.map((k) => [k, String(record[k])])) as Record<K, string>;
}
