import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '../errors/index.js';

/** Hono's typing of the API: what the node server binds and what middleware sets per request. */
export interface ApiEnv {
  Bindings: {
    /** The node request, when served by @hono/node-server (absent under `app.request`). */
    readonly incoming?: IncomingMessage;
  };
  Variables: {
    requestId: string;
    /** The METRE_* code of an error answer, for the request log. */
    errorCode: ErrorCode;
    /** What went wrong in a failure of metre itself (5xx), redacted: logged, never answered. */
    errorDetail: string;
    /** The answer was built with every header it needs (see `completeHeaders`). */
    headersComplete: boolean;
  };
}
