/**
 * Synapse config templates: `homeserver.yaml`, its log config, appservice registrations and
 * `.well-known/matrix/client`, as pure functions of their options. Used by `@mana/homeserver-config`
 * (deploy and `npm start`, from `HS_*` variables) and by the test harness (`@mana/testing`).
 *
 * @example
 * const yaml = renderHomeserverYaml({
 *   serverName: 'example.org',
 *   publicBaseUrl: 'https://matrix.example.org/',
 *   listener: { port: 8008 },
 *   database: { kind: 'sqlite', path: '/data/homeserver.db' },
 *   registrationSharedSecret, macaroonSecretKey, formSecret,
 *   signingKeyPath: '/data/signing.key', logConfigPath: '/config/log.config', mediaStorePath: '/data/media',
 * });
 */
export {
  renderHomeserver,
  renderHomeserverYaml,
  postgresOptionsFromUrl,
  type HomeserverOptions,
  type HomeserverConfig,
  type ListenerOptions,
  type DatabaseOptions,
} from './homeserver.ts';
export {
  renderOidcProvider,
  OIDC_IDP_ID,
  SSO_REDIRECT_PATH,
  type OidcProviderOptions,
  type OidcProviderConfig,
} from './oidc.ts';
export { renderDelegatedAuth, type DelegatedAuthOptions, type DelegatedAuthConfig } from './delegated.ts';
export { RATE_LIMITS_OFF, RATE_LIMITS_DEV, rateLimitConfig, type RateLimitProfile } from './rate-limits.ts';
export {
  renderLogConfig,
  renderLogConfigYaml,
  type LogConfigOptions,
  type LogConfig,
  type SynapseLogLevel,
} from './log-config.ts';
export {
  renderWellKnownClient,
  renderWellKnownClientJson,
  type WellKnownClientOptions,
  type WellKnownClient,
} from './well-known.ts';
export {
  renderAppserviceRegistration,
  renderAppserviceRegistrationYaml,
  userIdRegex,
  type AppserviceRegistrationOptions,
  type AppserviceRegistration,
  type NamespaceEntry,
} from './appservice.ts';
