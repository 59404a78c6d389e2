import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ErrorCode } from '../errors/index.js';
import type { ApiLogger } from './deps.js';
import type { ApiEnv } from './env.js';
import { addMissingHeaders, header } from './headers.js';
import { redact } from './problem.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** What new request ids start with: the first 24 characters of a UUID drawn once per process. */
const ID_PREFIX = randomUUID().slice(0, 24);
/** How many ids this process has made: the last 12 hex digits of the next one. */
let made = 0;

/**
 * A new request id: a version 4 UUID in form, the random prefix of this process and a counter, so
 * that no request pays for random bytes (a fortieth of the time of an answer from the memo). Ids
 * are unique (74 random bits per process, then the counter), not secret: a counter shows how many
 * requests a process has answered.
 */
function newRequestId(): string {
  made = (made + 1) % 2 ** 48;
  return ID_PREFIX + made.toString(16).padStart(12, '0');
}

/** A request's id: a well-formed incoming `X-Request-Id`, or a new one (see `newRequestId`). */
export function requestId(incoming: string | undefined): string {
  return incoming !== undefined && INCOMING_ID.test(incoming) ? incoming : newRequestId();
}

/** What the log line of a request says. */
export interface RequestFacts {
  readonly id: string;
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  readonly code?: ErrorCode | undefined;
  readonly error?: string | undefined;
}

/** Writes a request's one line, with any credentials removed from its path. */
export function logRequest(logger: ApiLogger, facts: RequestFacts): void {
  const { path, status } = facts;
  const line = {
    reqId: facts.id,
    method: facts.method,
    path: path.includes('@') ? redact(path, 300) : path.slice(0, 300),
    status,
    ms: Math.round(facts.ms * 100) / 100,
    code: facts.code,
    error: facts.error,
  };
  if (status >= 500) logger.error(line, 'request failed');
  else logger.info(line, 'request');
}

/**
 * What happens around every request: an id (see `requestId`), returned in `X-Request-Id` with the
 * security headers, then one log line (method, path without the query string and with any
 * credentials removed, status, duration, the METRE_* code of an error answer) and `onDone`
 * (Prometheus).
 *
 * @example app.use(requestLog(pino(), (c, seconds) => metrics.observe(…)))
 */
export function requestLog(
  logger: ApiLogger,
  onDone: (c: Context<ApiEnv>, seconds: number) => void,
): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    const id = requestId(header(c, 'x-request-id'));
    c.set('requestId', id);
    await next();
    addMissingHeaders(c);
    const ms = performance.now() - started;
    logRequest(logger, {
      id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms,
      code: c.get('errorCode'),
      error: c.get('errorDetail'),
    });
    onDone(c, ms / 1000);
  };
}
