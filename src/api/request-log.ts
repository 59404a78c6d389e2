import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiLogger } from './deps.js';
import type { ApiEnv } from './env.js';
import { addMissingHeaders, header } from './headers.js';
import { redact } from './problem.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * What happens around every request: an id (a well-formed incoming `X-Request-Id`, or a new
 * UUID), returned in `X-Request-Id` with the security headers, then one log line (method, path
 * without the query string and with any credentials removed, status, duration, the METRE_* code of
 * an error answer) and `onDone` (Prometheus).
 *
 * @example app.use(requestLog(pino(), (c, seconds) => metrics.observe(…)))
 */
export function requestLog(
  logger: ApiLogger,
  onDone: (c: Context<ApiEnv>, seconds: number) => void,
): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = header(c, 'x-request-id');
    const id = incoming !== undefined && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    await next();
    addMissingHeaders(c);
    const status = c.res.status;
    const ms = performance.now() - started;
    const path = c.req.path;
    const line = {
      reqId: id,
      method: c.req.method,
      path: path.includes('@') ? redact(path, 300) : path.slice(0, 300),
      status,
      ms: Math.round(ms * 100) / 100,
      code: c.get('errorCode'),
      error: c.get('errorDetail'),
    };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
    onDone(c, ms / 1000);
  };
}
