/**
 * `node auth/src/main.ts`: the auth server in the shared life cycle (`runService` from @mana/http):
 * exit 78 on bad configuration or missing signing keys in production, drain on SIGTERM.
 */
import { runService } from '@mana/http';
import { loadAuthConfig } from './config.ts';
import { MissingKeysError } from './oidc/keys.ts';
import { startAuthServer } from './server.ts';

await runService({
  name: 'auth',
  config: () => loadAuthConfig(),
  isConfigError: (err) => err instanceof MissingKeysError,
  start: async ({ config, logger }) => {
    const auth = await startAuthServer({ config, logger });
    logger.info({ url: auth.server.url, issuer: config.baseUrl }, 'auth listening');
    return auth;
  },
});
