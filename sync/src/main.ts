/**
 * Entry point: load config (fails naming the bad variable), migrate, listen, drain on SIGTERM.
 */
import { onShutdown } from '@mana/http';
import { createLogger } from '@mana/logging';
import { loadSyncConfig } from './config.ts';
import { createSyncServer } from './server.ts';

async function run(): Promise<void> {
  const config = loadSyncConfig();
  const logger = createLogger({ service: 'sync', level: config.logLevel });
  const server = await createSyncServer({ config, logger });
  await server.listen();
  onShutdown(logger, () => server.stop());
}

run().catch((err: unknown) => {
  process.stderr.write(`sync failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
