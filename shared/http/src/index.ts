/**
 * The HTTP skeleton every Mana service shares.
 *
 * @example
 * const app = createServiceApp({ name: 'sync', logger, metrics, readiness: { postgres: () => sql`select 1` } });
 * app.post('/things', async (c) => c.json(await create(await jsonBody(c, thingSchema))));
 * const server = await listen(app, { port: 3010 });
 */
export { bodyLimit, decodeUtf8, readBodyText } from './body.ts';
export { ErrCode, HttpError } from './errors.ts';
export { jsonBody, parseWith, queryParams } from './validate.ts';
export {
  createServiceApp,
  listen,
  onShutdown,
  type ReadinessCheck,
  type RunningServer,
  type ServiceAppOptions,
} from './service.ts';
