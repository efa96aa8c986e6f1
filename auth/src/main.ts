/** `node auth/src/main.ts`: parse config, start the auth server, drain on SIGTERM. */
import { ConfigError } from '@mana/config';
import { onShutdown } from '@mana/http';
import { createLogger } from '@mana/logging';
import { loadAuthConfig } from './config.ts';
import { MissingKeysError } from './oidc/keys.ts';
import { startAuthServer } from './server.ts';

const bootLogger = createLogger({ service: 'auth' });
try {
  const config = loadAuthConfig();
  const logger = createLogger({ service: 'auth', level: config.logLevel });
  const { service, server } = await startAuthServer({ config, logger });
  logger.info({ url: server.url, issuer: config.baseUrl }, 'auth listening');
  onShutdown(logger, async () => {
    await server.close();
    await service.close();
  });
} catch (err) {
  if (err instanceof ConfigError || err instanceof MissingKeysError) {
    bootLogger.fatal(err.message);
    process.exit(78);
  }
  throw err;
}
