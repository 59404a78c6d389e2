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

/**
 * A request's line: its fields in the order written (credentials removed from the path), its
 * level and its message.
 */
function lineOf(facts: RequestFacts) {
  const { path, status } = facts;
  const fields = {
    reqId: facts.id,
    method: facts.method,
    path: path.includes('@') ? redact(path, 300) : path.slice(0, 300),
    status,
    ms: Math.round(facts.ms * 100) / 100,
    code: facts.code,
    error: facts.error,
  };
  const failed = status >= 500;
  return { fields, failed, message: failed ? 'request failed' : 'request' };
}

/** Where a request's one line goes (see `lineOf` for what it says). */
export type RequestLine = (facts: RequestFacts) => void;

/** Request lines through a logger's `info` and `error` (pino's, or any). */
export function loggerLine(logger: ApiLogger): RequestLine {
  return (facts) => {
    const { fields, failed, message } = lineOf(facts);
    if (failed) logger.error(fields, message);
    else logger.info(fields, message);
  };
}

/** Characters JSON never escapes, and ids, methods, paths and codes are mostly made of. */
const PLAIN = /^[\w\-./:~]*$/;

/** A string as JSON: as it is when plain (a third of the time of `JSON.stringify`), else escaped. */
const quoted = (text: string): string => (PLAIN.test(text) ? `"${text}"` : JSON.stringify(text));

/**
 * Request lines written as pino writes them through a logger (its level number, time, bindings,
 * the fields, the message), byte for byte, made without pino: at tens of thousands of requests a
 * second, pino's generic serialisation of each line was the largest cost of a memo hit in this
 * process (a tenth of its time). Strings are escaped as `JSON.stringify` escapes them, as pino
 * does (it copies short ones without quotes or control characters as they are: the same bytes).
 * test/api/request-line.test.ts holds it to pino's own output.
 *
 * @example pinoFormatLine({ info: true, error: true, bindings: { role: 'api' }, write: (line) => stream.write(line) })
 */
export function pinoFormatLine(options: {
  /** Whether the logger writes info lines, and error lines. */
  readonly info: boolean;
  readonly error: boolean;
  /** The logger's `base` (not its `bindings()`, which leaves out pid): after the time, in order. */
  readonly bindings: Readonly<Record<string, unknown>>;
  write(line: string): void;
  /** Milliseconds since the epoch, as pino's default time; `Date.now` unless a test sets it. */
  readonly now?: () => number;
}): RequestLine {
  const { write, now = Date.now } = options;
  const bound = JSON.stringify(options.bindings).slice(1, -1);
  const bindings = bound === '' ? '' : `,${bound}`;
  return (facts) => {
    const { fields, failed, message } = lineOf(facts);
    if (!(failed ? options.error : options.info)) return;
    let line =
      `{"level":${failed ? 50 : 30},"time":${now()}${bindings}` +
      `,"reqId":${quoted(fields.reqId)},"method":${quoted(fields.method)}` +
      `,"path":${quoted(fields.path)},"status":${fields.status},"ms":${fields.ms}`;
    if (fields.code !== undefined) line += `,"code":${quoted(fields.code)}`;
    if (fields.error !== undefined) line += `,"error":${JSON.stringify(fields.error)}`;
    write(`${line},"msg":"${message}"}\n`);
  };
}

/**
 * What happens around every request: an id (see `requestId`), returned in `X-Request-Id` with the
 * security headers, then one log line (method, path without the query string and with any
 * credentials removed, status, duration, the METRE_* code of an error answer) and `onDone`
 * (Prometheus).
 *
 * @example app.use(requestLog(loggerLine(pino()), (c, seconds) => metrics.observe(…)))
 */
export function requestLog(
  line: RequestLine,
  onDone: (c: Context<ApiEnv>, seconds: number) => void,
): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    const id = requestId(header(c, 'x-request-id'));
    c.set('requestId', id);
    await next();
    addMissingHeaders(c);
    const ms = performance.now() - started;
    line({
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
