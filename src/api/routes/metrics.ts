import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { MetreError, catalogue, type ErrorCode } from '../../errors/index.js';
import type { MetricRequest } from '../../metrics/index.js';
import type { JobInfo } from '../../queue/index.js';
import { computeJobId } from '../../worker/index.js';
import type { ApiEnv } from '../env.js';
import { header } from '../headers.js';
import { resultAnswer, spelledAs, wantsCsv, type Rendered } from '../result-memo.js';
import { CatalogueSchema, JobAcceptedSchema, MetricResponseSchema } from '../schemas.js';
import { jobJson } from '../views.js';
import { bearerSecurity, errors, type RouteContext } from './common.js';

const tags = ['metrics'];

const MetricId = z.string().min(1).max(100);
/** The query of a metric request besides the metric's own parameters. */
const RepoList = z.array(z.string().min(1).max(200)).min(1).max(50);
const Format = z.enum(['json', 'csv']);
/** A metric parameter's value as a query string carries it. */
const ParamValue = z.string().max(1000);

const catalogueRoute = createRoute({
  method: 'get',
  path: '/api/metrics',
  tags,
  summary: 'The metric catalogue: each definition and its parameters as JSON Schema',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'Every metric',
      content: { 'application/json': { schema: CatalogueSchema } },
    },
    ...errors(),
  },
});

const resultRoute = createRoute({
  method: 'get',
  path: '/api/metrics/{metricId}',
  tags,
  summary: 'A metric over a repository or a group, from the results cache or computed',
  description:
    'Fresh results come from the cache; a stale one is answered with `stale: true` while it is ' +
    'recomputed. A result not in the cache is computed by a job: the answer waits for it a ' +
    'little, then is 202 with the job to poll (ask again once it has completed). Every other ' +
    'query parameter is a parameter of the metric (see GET /api/metrics). CSV with ' +
    '`format=csv` or `Accept: text/csv`. Every result has an ETag; `If-None-Match` gives 304.',
  security: bearerSecurity,
  // Declared by hand and checked in the handler: a validator on the path would be the most
  // expensive step of a cache hit.
  parameters: [
    {
      name: 'metricId',
      in: 'path',
      required: true,
      schema: z.toJSONSchema(MetricId) as object,
      example: 'commits',
    },
    {
      name: 'repo',
      in: 'query',
      required: true,
      style: 'form',
      explode: true,
      description: 'A repository id or name; repeat it for a group',
      schema: z.toJSONSchema(RepoList) as object,
    },
    {
      name: 'format',
      in: 'query',
      required: false,
      schema: z.toJSONSchema(Format) as object,
    },
    {
      name: 'params',
      in: 'query',
      required: false,
      style: 'form',
      explode: true,
      description: "The metric's parameters, e.g. granularity=week&from=2024-01-01",
      schema: { type: 'object', additionalProperties: z.toJSONSchema(ParamValue) as object },
    },
  ],
  responses: {
    200: {
      description: 'The result (fresh, or stale with `stale: true`)',
      headers: { ETag: { schema: { type: 'string' } } },
      content: {
        'application/json': { schema: MetricResponseSchema },
        'text/csv': { schema: z.string() },
      },
    },
    202: {
      description: 'Being computed: poll the job, then ask again',
      headers: { Location: { schema: { type: 'string' } } },
      content: { 'application/json': { schema: JobAcceptedSchema } },
    },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    ...errors(400, 404),
  },
});

interface ParsedQuery {
  readonly request: MetricRequest;
  readonly format: 'json' | 'csv' | undefined;
  /** The request spelled canonically: the memo's key. */
  readonly key: string;
}

function invalid(message: string): MetreError {
  return new MetreError('METRE_REQUEST_INVALID', message);
}

/** Splits the query into repositories, format and the metric's parameters (one value each). */
function parseQuery(metricId: string, queries: Record<string, string[]>): ParsedQuery {
  const repos = RepoList.safeParse(queries.repo ?? []);
  if (!repos.success) {
    throw invalid('Give 1 to 50 repositories as repo=<id or name> (each up to 200 characters)');
  }
  let format: 'json' | 'csv' | undefined;
  const params: Record<string, string> = {};
  for (const [name, values] of Object.entries(queries)) {
    if (name === 'repo') continue;
    if (values.length !== 1) throw invalid(`Give the query parameter "${name}" once`);
    const value = values[0] ?? '';
    if (name === 'format') {
      const parsed = Format.safeParse(value);
      if (!parsed.success) throw invalid('format is json or csv');
      format = parsed.data;
    } else if (!ParamValue.safeParse(value).success) {
      throw invalid(`The value of "${name}" is too long`);
    } else params[name] = value;
  }
  const repositories = [...new Set(repos.data)].sort();
  const sortedParams = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1));
  const key = JSON.stringify([metricId, repositories, sortedParams]);
  return { request: { metric: metricId, repositories, params }, format, key };
}

/** A result's bytes with their ETag, or 304 when the client has them; headers built in one go. */
function send(c: Context<ApiEnv>, rendered: Rendered): Response {
  c.set('headersComplete', true);
  const answer = resultAnswer(rendered, c.get('requestId'), header(c, 'if-none-match'));
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** A failed compute job as an error: its METRE_* code when it names one a person can act on. */
function jobFailure(job: JobInfo): MetreError {
  const code = /^(METRE_[A-Z_]+)/.exec(job.error ?? '')?.[1];
  if (code !== undefined && code in catalogue) {
    const known = code as ErrorCode;
    if (catalogue[known].status < 500) {
      return new MetreError(known, (job.error ?? '').replace(/^METRE_[A-Z_]+:?\s*/, ''));
    }
  }
  return new MetreError('METRE_COMPUTE_FAILED', job.error ?? 'failed');
}

/** The metric catalogue and metric results. */
export function metricRoutes({ app, deps, metrics, memo }: RouteContext): void {
  const { engine, queue, store } = deps;
  const catalogueBody = { items: engine.describe() };

  app.openapi(catalogueRoute, (c) => c.json(catalogueBody, 200));

  /**
   * Queues the computation under the workers' dedup id (metric, repository ids, parameters as
   * asked), so concurrent misses, and the precomputation after a collection, share one job.
   */
  async function enqueue(request: MetricRequest): Promise<JobInfo> {
    const metric = engine.find(request.metric);
    const found = await Promise.all(request.repositories.map((r) => store.findRepository(r)));
    const ids = [...new Set(found.map((r, i) => r?.id ?? request.repositories[i] ?? ''))].sort();
    const data = { metric: metric.id, repositories: ids, params: { ...request.params } };
    return queue.enqueue('compute', data, { jobId: computeJobId(data) });
  }

  app.openapi(resultRoute, async (c) => {
    const metricId = c.req.param('metricId');
    if (metricId.length > 100) throw invalid('A metric id is 1 to 100 characters');
    // The cheap path: this exact spelling was seen, and its answer checked recently. (Served by
    // node, the cheapest path of all answers such requests before Hono: see cached-front.ts.)
    const raw = spelledAs(metricId, c.req.url);
    const recalled = memo.recall(raw, header(c, 'accept'));
    if (recalled !== undefined) {
      metrics.cache('hit');
      return send(c, recalled);
    }
    const query = parseQuery(metricId, c.req.queries());
    const csv = wantsCsv(query.format, header(c, 'accept'));
    // A stale answer goes out at once; its refresh is a compute job, as a miss's is, so an API
    // node never computes (the job id dedups the refreshes many requests ask for).
    const answer = await engine.lookup(query.request, { allowStale: true, refreshStale: false });
    if (answer !== undefined) {
      metrics.cache(answer.stale ? 'stale' : 'hit');
      if (answer.stale) {
        await enqueue(query.request).catch((error: unknown) =>
          deps.logger.error(
            { error: String(error) },
            'could not enqueue the refresh of a stale result',
          ),
        );
      }
      const entry = memo.keep(query.key, answer);
      memo.learn(raw, { key: query.key, format: query.format });
      return send(c, csv ? memo.csv(entry) : entry.json);
    }
    metrics.cache('miss');
    const queued = await enqueue(query.request);
    const job = (await queue.waitForJob(queued.id, deps.computeWaitMs)) ?? queued;
    if (job.state === 'failed') throw jobFailure(job);
    if (job.state === 'completed') {
      const computed = await engine.lookup(query.request, { allowStale: true });
      if (computed !== undefined) {
        const entry = memo.keep(query.key, computed);
        memo.learn(raw, { key: query.key, format: query.format });
        return send(c, csv ? memo.csv(entry) : entry.json);
      }
    }
    const poll = `/api/jobs/${encodeURIComponent(job.id)}`;
    c.header('location', poll);
    c.header('retry-after', '1');
    return c.json({ job: jobJson(job), poll }, 202);
  });
}
