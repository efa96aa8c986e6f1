/**
 * Entry point, in the shared life cycle (`runService` from @mana/http): load config (exit 78 naming
 * the bad variable), migrate, listen; on SIGTERM readiness turns red, WebSockets close with 1001, open
 * requests finish (up to `SYNC_DRAIN_TIMEOUT_MS`), then Redis and Postgres close.
 */
import { runService } from '@mana/http';
import { loadSyncConfig } from './config.ts';
import { createSyncServer } from './server.ts';

await runService({
  name: 'sync',
  config: () => loadSyncConfig(),
  start: async ({ config, logger }) => {
    const sync = await createSyncServer({ config, logger });
    return { server: await sync.listen(), drain: () => sync.drain(), stop: () => sync.stop() };
  },
});
