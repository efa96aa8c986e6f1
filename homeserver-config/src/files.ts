/**
 * Everything Synapse needs on disk, rendered from `HS_*` environment variables. `cli.ts` writes
 * these files; this module stays pure so it can be tested without touching the disk.
 */
import { posix } from 'node:path';
import { ConfigError, defineConfig, vars, type ConfigOf } from '@mana/config';
import { z } from 'zod';
import {
  postgresOptionsFromUrl,
  renderAppserviceRegistrationYaml,
  renderHomeserverYaml,
  renderLogConfigYaml,
  renderWellKnownClientJson,
  userIdRegex,
  type DatabaseOptions,
} from '@mana/synapse-config';

const optionalSecret = (doc: string) => ({ schema: z.string(), default: '', doc, secret: true });
const flag = (def: 'true' | 'false', doc: string) => ({ schema: z.stringbool(), default: def, doc });

export const homeserverEnv = defineConfig('HS_', {
  serverName: {
    schema: z.string().min(1),
    doc: 'Matrix server name, the domain in @user:domain',
    example: 'example.org',
  },
  publicBaseurl: vars.url('Public URL of Synapse (public_baseurl), e.g. https://matrix.example.org/'),
  port: vars.port(8008),
  bindAddress: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    doc: 'Comma-separated interfaces Synapse binds; 0.0.0.0 inside a container',
  },
  xForwarded: flag('false', 'Trust X-Forwarded-* headers from the reverse proxy'),
  databaseUrl: {
    schema: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')]),
    default: '',
    doc: "Synapse's own Postgres database (C collation); empty = SQLite in HS_DATA_DIR (dev only)",
  },
  dataDir: {
    schema: z.string().min(1),
    default: '/data',
    doc: 'Directory where Synapse keeps its state (as Synapse sees it)',
  },
  configDir: {
    schema: z.string(),
    default: '',
    doc: 'Directory where Synapse sees the rendered files; empty = the output directory',
  },
  outDir: {
    schema: z.string().min(1),
    default: '.data/homeserver',
    doc: 'Directory the renderer writes into',
  },
  registrationSharedSecret: vars.secret('Shared secret of the admin registration API'),
  macaroonSecretKey: vars.secret('Signs access tokens; changing it logs everybody out'),
  formSecret: vars.secret('Signs the forms Synapse serves'),
  signingKeyPath: {
    schema: z.string(),
    default: '',
    doc: 'Ed25519 signing key; empty = HS_DATA_DIR/signing.key',
  },
  mediaStorePath: { schema: z.string(), default: '', doc: 'Media store; empty = HS_DATA_DIR/media_store' },
  logLevel: {
    schema: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']),
    default: 'INFO',
    doc: "Synapse's root log level",
  },
  rateLimits: {
    schema: z.enum(['default', 'dev', 'off']),
    default: 'default',
    doc: "default = Synapse's own (production); dev = login/registration limits for one developer's machine (npm start); off = raise every rate limit (tests only)",
  },
  passwordLogin: {
    schema: z.enum(['auto', 'true', 'false']),
    default: 'auto',
    doc: 'Password login on the client API; auto = on without SSO, off with HS_OIDC_ISSUER (clients show only "Continue with Mana")',
  },
  ssoClientWhitelist: {
    schema: z
      .string()
      .refine(
        (v) => splitList(v).every((u) => /^https?:\/\/[^/\s]+/.test(u) && URL.canParse(u)),
        'must be comma-separated http(s) URLs',
      ),
    default: '',
    doc: 'Comma-separated URL prefixes of the deployment\'s own Matrix clients that skip Synapse\'s "Continue to your account" page after SSO (sso.client_whitelist); empty = none',
  },
  enableRegistration: flag('false', 'Open registration on the client API'),
  authMode: {
    schema: z.enum(['sso', 'delegated']),
    default: 'sso',
    doc: 'sso = oidc_providers (legacy SSO); delegated = matrix_authentication_service (Element X, OAuth-native clients)',
  },
  oidcIssuer: {
    schema: z.union([z.literal(''), z.url()]),
    default: '',
    doc: 'Issuer of our auth server (its BASE_URL); empty = no SSO (required in delegated mode)',
  },
  oidcClientId: {
    schema: z.string().min(1),
    default: 'synapse',
    doc: 'Client id of Synapse at the auth server',
  },
  oidcClientSecret: optionalSecret(
    'Client secret of Synapse at the auth server (required with HS_OIDC_ISSUER)',
  ),
  masEndpoint: {
    schema: z.union([z.literal(''), z.url()]),
    default: '',
    doc: 'Delegated mode: where Synapse reaches the auth server (discovery, introspection); empty = HS_OIDC_ISSUER',
  },
  masSecret: optionalSecret(
    'Delegated mode: shared secret between Synapse and auth (AUTH_MATRIX_SHARED_SECRET); or HS_MAS_SECRET_PATH',
  ),
  masSecretPath: {
    schema: z.string(),
    default: '',
    doc: 'Delegated mode: file holding the shared secret (as Synapse sees it), instead of HS_MAS_SECRET',
  },
  disableE2eeByDefault: flag('false', 'Write io.element.e2ee.default: false into .well-known/matrix/client'),
  appserviceUrl: {
    schema: z.union([z.literal(''), z.url()]),
    default: '',
    doc: 'URL of the bot runner; empty = no appservice registration',
  },
  appserviceId: {
    schema: z.string().min(1),
    default: 'mana-bots',
    doc: 'Id of the bots appservice registration',
  },
  appserviceAsToken: optionalSecret(
    'Token the bot runner uses to call Synapse (required with HS_APPSERVICE_URL)',
  ),
  appserviceHsToken: optionalSecret(
    'Token Synapse sends to the bot runner (required with HS_APPSERVICE_URL)',
  ),
  appserviceSenderLocalpart: {
    schema: z.string().min(1),
    default: 'mana',
    doc: "Localpart of the appservice's own user",
  },
  appserviceUsers: {
    schema: z.string().min(1),
    default: 'mana,todo,calendar,clock,ollama,tts,zitare,stats',
    doc: 'Comma-separated bot localparts the appservice owns exclusively',
  },
  appservicePushEphemeral: flag('true', 'Push typing/receipts/presence to the bot runner (MSC2409)'),
  appserviceE2ee: flag(
    'true',
    'Bots take part in E2EE: to-device events, device lists, key counts in transactions (MSC2409/MSC3202), appservice devices (MSC4190)',
  ),
});

export type HomeserverEnv = ConfigOf<typeof homeserverEnv>;

export interface RenderedFile {
  /** Path relative to the output directory. */
  path: string;
  contents: string;
  /** File mode; files holding secrets are not world-readable. */
  mode: number;
}

const SECRET_FILE = 0o640;
const PUBLIC_FILE = 0o644;

/** The files for one homeserver. Throws `ConfigError` for combinations one variable cannot check. */
export function renderHomeserverFiles(env: HomeserverEnv): RenderedFile[] {
  checkPairs(env);
  const delegated = env.authMode === 'delegated';
  const configDir = env.configDir || env.outDir;
  const files: RenderedFile[] = [];
  const appserviceFiles: string[] = [];

  if (env.appserviceUrl) {
    const name = `appservice-${env.appserviceId}.yaml`;
    appserviceFiles.push(posix.join(configDir, name));
    files.push({
      path: name,
      mode: SECRET_FILE,
      contents: renderAppserviceRegistrationYaml({
        id: env.appserviceId,
        url: env.appserviceUrl,
        asToken: env.appserviceAsToken,
        hsToken: env.appserviceHsToken,
        senderLocalpart: env.appserviceSenderLocalpart,
        users: [{ regex: userIdRegex(splitList(env.appserviceUsers), env.serverName), exclusive: true }],
        pushEphemeral: env.appservicePushEphemeral,
        e2ee: env.appserviceE2ee,
      }),
    });
  }

  const database: DatabaseOptions = env.databaseUrl
    ? postgresOptionsFromUrl(env.databaseUrl)
    : { kind: 'sqlite', path: posix.join(env.dataDir, 'homeserver.db') };

  files.unshift(
    {
      path: 'homeserver.yaml',
      mode: SECRET_FILE,
      contents: renderHomeserverYaml({
        serverName: env.serverName,
        publicBaseUrl: env.publicBaseurl,
        listener: { port: env.port, bindAddresses: splitList(env.bindAddress), xForwarded: env.xForwarded },
        database,
        registrationSharedSecret: env.registrationSharedSecret,
        macaroonSecretKey: env.macaroonSecretKey,
        formSecret: env.formSecret,
        signingKeyPath: env.signingKeyPath || posix.join(env.dataDir, 'signing.key'),
        logConfigPath: posix.join(configDir, 'log.config'),
        mediaStorePath: env.mediaStorePath || posix.join(env.dataDir, 'media_store'),
        rateLimits: env.rateLimits,
        ...(env.passwordLogin === 'auto' ? {} : { passwordLogin: env.passwordLogin === 'true' }),
        ssoClientWhitelist: splitList(env.ssoClientWhitelist),
        enableRegistration: env.enableRegistration,
        appserviceConfigFiles: appserviceFiles,
        appserviceE2ee: Boolean(env.appserviceUrl) && env.appserviceE2ee,
        ...(delegated
          ? {
              delegatedAuth: {
                endpoint: env.masEndpoint || env.oidcIssuer,
                ...(env.masSecretPath ? { secretPath: env.masSecretPath } : { secret: env.masSecret }),
              },
            }
          : env.oidcIssuer
            ? {
                oidc: {
                  issuer: env.oidcIssuer,
                  clientId: env.oidcClientId,
                  clientSecret: env.oidcClientSecret,
                  // Synapse insists on https issuers unless told otherwise; plain http is local development.
                  skipVerification: env.oidcIssuer.startsWith('http://'),
                },
              }
            : {}),
      }),
    },
    { path: 'log.config', mode: PUBLIC_FILE, contents: renderLogConfigYaml({ level: env.logLevel }) },
    {
      // Served by the reverse proxy on the server name's domain.
      path: '.well-known/matrix/client',
      mode: PUBLIC_FILE,
      contents: renderWellKnownClientJson({
        homeserverBaseUrl: env.publicBaseurl,
        disableE2eeByDefault: env.disableE2eeByDefault,
        ...(delegated
          ? {
              authentication: {
                issuer: env.oidcIssuer,
                account: `${env.oidcIssuer.replace(/\/+$/, '')}/account`,
              },
            }
          : {}),
      }),
    },
  );
  return files;
}

function checkPairs(env: HomeserverEnv): void {
  const issues = [];
  if (env.authMode === 'delegated') {
    if (!env.oidcIssuer)
      issues.push({ variable: 'HS_OIDC_ISSUER', message: 'is required when HS_AUTH_MODE=delegated' });
    if (env.masSecret && env.masSecretPath)
      issues.push({
        variable: 'HS_MAS_SECRET_PATH',
        message: 'set HS_MAS_SECRET or HS_MAS_SECRET_PATH, not both',
      });
    else if (!env.masSecretPath && env.masSecret.length < 32)
      issues.push({
        variable: 'HS_MAS_SECRET',
        message: 'must be at least 32 characters when HS_AUTH_MODE=delegated (or set HS_MAS_SECRET_PATH)',
      });
    if (env.enableRegistration)
      issues.push({
        variable: 'HS_ENABLE_REGISTRATION',
        message: 'must be false when HS_AUTH_MODE=delegated (accounts are created at auth)',
      });
  } else if (env.oidcIssuer && env.oidcClientSecret.length < 32) {
    issues.push({
      variable: 'HS_OIDC_CLIENT_SECRET',
      message: 'must be at least 32 characters when HS_OIDC_ISSUER is set',
    });
  }
  if (env.appserviceUrl) {
    for (const [variable, value] of [
      ['HS_APPSERVICE_AS_TOKEN', env.appserviceAsToken],
      ['HS_APPSERVICE_HS_TOKEN', env.appserviceHsToken],
    ] as const) {
      if (value.length < 32)
        issues.push({ variable, message: 'must be at least 32 characters when HS_APPSERVICE_URL is set' });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
