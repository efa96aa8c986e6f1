/**
 * The HTTP skeleton every Mana service shares, and the one process life cycle they all run in.
 *
 * @example
 * const app = createServiceApp({ name: 'sync', logger, metrics, readiness: { postgres: () => sql`select 1` } });
 * app.post('/things', async (c) => c.json(await create(await jsonBody(c, thingSchema))));
 * await runService({
 *   name: 'things',
 *   config: () => loadThingsConfig(),
 *   start: async () => ({ server: await listen(app, { port: 3010 }), stop: () => sql.end() }),
 * });
 */
export { bodyLimit, decodeUtf8, readBodyText } from './body.ts';
export { readCapped, ResponseTooLargeError } from './capped.ts';
export { ErrCode, HttpError } from './errors.ts';
export { requestHeader } from './headers.ts';
export { jsonBody, parseWith, queryParams } from './validate.ts';
export {
  createServiceApp,
  listen,
  type ReadinessCheck,
  type RunningServer,
  type ServiceAppOptions,
} from './service.ts';
export {
  ExitCode,
  runService,
  type LifecycleConfig,
  type ProcessLike,
  type RunServiceOptions,
  type Service,
} from './lifecycle.ts';
