/**
 * The REST API: `buildApi(deps)` returns a Hono app (OpenAPI 3.1 from the same zod schemas that
 * validate requests) over the store, the queue and the metrics engine. It never listens; boot/
 * serves it.
 *
 * @example
 * const app = buildApi({ config: config.api, allowLocal: false, computeWaitMs: 2000, store, queue,
 *   engine, logger: pino(), webDir: '/srv/metre/dist/web', cwd: process.cwd(), version: '0.1.0' });
 * serve({ fetch: app.fetch, port: config.api.port });
 */
export { buildApi, type Api } from './build-api.js';
export { CONTENT_SECURITY_POLICY } from './headers.js';
export type { ApiDeps, ApiLogger } from './deps.js';
export { pinoFormatLine, type RequestLine } from './request-log.js';
