import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import type { ApiMetrics } from '../prometheus.js';
import { PROBLEM_TYPE } from '../problem.js';
import type { ResultMemo } from '../result-memo.js';
import { ProblemSchema } from '../schemas.js';

/** What every route file gets: the app to add its routes to and the API's parts. */
export interface RouteContext {
  readonly app: OpenAPIHono<ApiEnv>;
  readonly deps: ApiDeps;
  readonly metrics: ApiMetrics;
  readonly memo: ResultMemo;
  readonly now: () => number;
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (METRE_REQUEST_INVALID, METRE_URL_*, METRE_PARAM_INVALID…)',
  401: 'A bearer token is required (METRE_UNAUTHORIZED)',
  404: 'Not found (METRE_*_NOT_FOUND, METRE_METRIC_UNKNOWN)',
  409: 'Conflict (METRE_REPO_NAME_TAKEN)',
  413: 'Body too large (METRE_BODY_TOO_LARGE)',
  415: 'Body is not JSON (METRE_UNSUPPORTED_MEDIA_TYPE)',
  429: 'Too many requests (METRE_RATE_LIMITED), with Retry-After',
  500: 'A failure of metre (METRE_INTERNAL, METRE_STORE_*…)',
  503: 'A dependency is unavailable (METRE_STORE_UNAVAILABLE, METRE_QUEUE_UNAVAILABLE)',
};

const problemContent = { [PROBLEM_TYPE]: { schema: ProblemSchema } };

/** The error answers a route documents: problem+json for each status. */
export function errors(...statuses: number[]) {
  const all = [...new Set([...statuses, 401, 429, 500, 503])].sort();
  return Object.fromEntries(
    all.map((status) => [
      status,
      { description: DESCRIPTIONS[status] ?? 'Error', content: problemContent },
    ]),
  );
}

/** The security requirement of a route: a bearer token, when one is configured. */
export const bearerSecurity = [{ bearer: [] }];

/** A JSON body or answer of a route, for its OpenAPI description. */
export const json = <T>(schema: T) => ({ 'application/json': { schema } });
