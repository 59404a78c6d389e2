import type { ApiSettings } from '../config/index.js';
import type { MetricsEngine } from '../metrics/index.js';
import type { Queue } from '../queue/index.js';
import type { Store } from '../store/index.js';
import type { RequestLine } from './request-log.js';

/** What the API logs through (pino's methods). */
export interface ApiLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Everything the API needs, injected by boot/ (or a test): it opens, reads and listens nothing. */
export interface ApiDeps {
  /** The API's configuration slice. */
  readonly config: ApiSettings;
  /** Whether local paths and file:// URLs may be added (METRE_ALLOW_LOCAL). */
  readonly allowLocal: boolean;
  /** How long a metric request waits for its compute job before answering 202 (ms). */
  readonly computeWaitMs: number;
  readonly store: Store;
  readonly queue: Queue;
  readonly engine: MetricsEngine;
  /** What the API logs (failures, and each request's line unless `requestLine`): pino fits. */
  readonly logger: ApiLogger;
  /**
   * Where each request's one line goes instead, when given: boot/ writes pino's lines itself
   * (see `pinoFormatLine`). Else through `logger`.
   */
  readonly requestLine?: RequestLine;
  /** The folder of the web dashboard's built files (may be missing: a page says to build it). */
  readonly webDir: string;
  /** Where relative local paths resolve (only with `allowLocal`). */
  readonly cwd: string;
  /** metre's version, shown in the OpenAPI document. */
  readonly version: string;
  /** Milliseconds since the epoch; `Date.now` unless a test moves time. */
  readonly now?: () => number;
}
