import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { MetreError } from '../errors/index.js';
import { bearerAuth, tokenCheck } from './auth.js';
import { cachedMetricFront, type NodeFront } from './cached-front.js';
import type { ApiDeps } from './deps.js';
import type { ApiEnv } from './env.js';
import { ApiMetrics } from './prometheus.js';
import { ProblemWithExtras, asMetreError, problem, redact, type FieldError } from './problem.js';
import { clientAddress, incomingClient, rateLimit, tokenBuckets } from './rate-limit.js';
import { loggerLine, requestLog } from './request-log.js';
import { ResultMemo } from './result-memo.js';
import { affiliationRoutes } from './routes/affiliations.js';
import type { RouteContext } from './routes/common.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identities.js';
import { jobRoutes } from './routes/jobs.js';
import { metricRoutes } from './routes/metrics.js';
import { prometheusRoutes } from './routes/prometheus.js';
import { repositoryRoutes } from './routes/repositories.js';
import { webRoutes } from './routes/web.js';

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The API paths that take query parameters; any other refuses them (a typo is not ignored). */
function takesQuery(path: string): boolean {
  return (
    path === '/api/repositories' ||
    path.startsWith('/api/metrics/') ||
    path.startsWith('/api/docs') ||
    path === '/api/openapi.json'
  );
}

const OPEN_PATHS = new Set([
  '/healthz',
  '/readyz',
  '/api/openapi.json',
  '/api/docs',
  '/api/docs.js',
  '/api/docs.css',
]);

/**
 * The API as a Hono app, of which `fetch` answers requests, and the front that a node server puts
 * before it: it answers cached metric requests itself (see `cachedMetricFront`).
 */
export type Api = OpenAPIHono<ApiEnv> & { readonly front: NodeFront };

/**
 * Builds the REST API over the roles it is given. It never listens: `boot/` serves `app.fetch`
 * with @hono/node-server, and tests call `app.request` in-process.
 *
 * @example
 * const app = buildApi({ config: config.api, store, queue, engine, logger, ... });
 * const res = await app.request('/api/repositories');
 * createServer((req, res) => app.front(req, res) || void adapterListener(req, res));
 */
export function buildApi(deps: ApiDeps): Api {
  const now = deps.now ?? Date.now;
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const metrics = new ApiMetrics({ store: deps.store, queue: deps.queue, now });
  const memo = new ResultMemo({ revalidateMs: deps.config.revalidateMs, now });
  deps.queue.on((event) => {
    if (event.job.name === 'collect') memo.clear(); // data changed: every metric may have
  });

  const line = deps.requestLine ?? loggerLine(deps.logger);
  app.use(
    requestLog(line, (c, seconds) =>
      metrics.observe(c.req.method, c.req.routePath, c.res.status, seconds),
    ),
  );
  if (deps.config.corsOrigins.length > 0) {
    app.use('/api/*', cors({ origin: [...deps.config.corsOrigins], maxAge: 600 }));
  }
  const perMinute = deps.config.rateLimitPerMinute;
  const takeToken = tokenBuckets({ perMinute, now });
  const limit = rateLimit({
    perMinute,
    take: takeToken,
    clientOf: clientAddress(deps.config.trustProxy),
  });
  const tokens = { token: deps.config.token, readToken: deps.config.readToken };
  const auth = bearerAuth(tokens);
  const limitBody = bodyLimit({
    maxSize: deps.config.bodyLimitBytes,
    onError: () => {
      throw new MetreError(
        'METRE_BODY_TOO_LARGE',
        `Request bodies are limited to ${deps.config.bodyLimitBytes} bytes`,
      );
    },
  });
  // One guard for every request: rate limit (not health checks), tokens (not health checks,
  // documentation or the dashboard's files), body size (only requests that may carry one: asking
  // a GET for its body would build a whole Request).
  app.use(async (c, next) => {
    const path = c.req.path;
    const api = path.startsWith('/api/');
    const refused =
      (path === '/healthz' || path === '/readyz' ? undefined : limit(c)) ??
      ((api && !OPEN_PATHS.has(path)) || path === '/metrics' ? auth(c) : undefined);
    if (refused !== undefined) return refused;
    if (api && !takesQuery(path) && c.req.url.includes('?')) {
      const unknown = Object.keys(c.req.queries()).join(', ');
      if (unknown !== '') {
        throw new MetreError('METRE_REQUEST_INVALID', `Unknown query parameter(s): ${unknown}`);
      }
    }
    return api && !BODILESS.has(c.req.method) ? limitBody(c, next) : next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'METRE_API_TOKEN for changes; METRE_API_READ_TOKEN (or the former) for reads, when set',
  });
  const context: RouteContext = { app, deps, metrics, memo, now };
  for (const routes of [
    healthRoutes,
    repositoryRoutes,
    metricRoutes,
    jobRoutes,
    identityRoutes,
    affiliationRoutes,
    docsRoutes,
    prometheusRoutes,
    webRoutes,
  ]) {
    routes(context);
  }

  app.notFound((c) =>
    problem(
      c,
      new MetreError('METRE_NOT_FOUND', `No route ${c.req.method} ${redact(c.req.path, 200)}`),
    ),
  );
  app.onError(onError);
  const clientOf = incomingClient(deps.config.trustProxy);
  const front = cachedMetricFront({
    memo,
    metrics,
    line,
    rateLimit: perMinute === 0 ? () => undefined : (incoming) => takeToken(clientOf(incoming)),
    tokenAllows: tokenCheck(tokens),
    cors: deps.config.corsOrigins.length > 0,
  });
  return Object.assign(app, { front });
}

/** Anything thrown: a problem answer; a failure of metre itself is logged (redacted), not shown. */
function onError(error: Error, c: Context<ApiEnv>): Response {
  if (error instanceof ProblemWithExtras) return problem(c, error.error, error.extras);
  const coded = asMetreError(error);
  if (coded.status >= 500) c.set('errorDetail', redact(firstLine(coded.message), 300));
  return problem(c, coded);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** Validation failures: 400 METRE_REQUEST_INVALID naming each field and what is wrong. */
function validationHook(
  result: {
    success: boolean;
    error?: {
      issues: readonly {
        path: readonly PropertyKey[];
        message: string;
        code?: string;
        keys?: readonly string[];
      }[];
    };
  },
  c: Context<ApiEnv>,
): Response | undefined {
  if (result.success) return undefined;
  const issues = result.error?.issues ?? [];
  const errors: FieldError[] = issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message:
      issue.code === 'unrecognized_keys' && issue.keys !== undefined
        ? `unknown field(s): ${issue.keys.join(', ')}`
        : issue.message,
  }));
  const first = errors[0];
  const message =
    first === undefined ? 'Invalid request' : `Invalid ${first.path}: ${first.message}`;
  return problem(c, new MetreError('METRE_REQUEST_INVALID', message), { errors });
}
