import { createHash } from 'node:crypto';
import type { JobDataMap, Queue } from '../queue/index.js';
import { registry } from '../metrics/index.js';

/** The dedup id of a repository's collection: one at a time per repository. */
export function collectJobId(repositoryId: string): string {
  return `collect:${repositoryId}`;
}

/**
 * The dedup id of a metric computation: the metric, the repository set (sorted) and the
 * parameters (keys sorted), so the same request made twice while pending runs once.
 *
 * @example computeJobId({ metric: 'commits', repositories: ['b', 'a'], params: {} })
 */
export function computeJobId(request: JobDataMap['compute']): string {
  const repositories = [...request.repositories].sort();
  const key = JSON.stringify([request.metric, repositories, sortKeys(request.params)]);
  return `compute:${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

function sortKeys(params: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.keys(params)
    .sort()
    .map((key) => [key, params[key]]);
}

/** Precomputations run after on-demand requests, which carry no priority. */
export const PRECOMPUTE_PRIORITY = 10;

/**
 * What the dashboard asks first for one repository: every metric of the catalogue with its
 * default parameters. These are computed after each collection so its requests hit the cache.
 */
export function defaultMetricRequests(repositoryId: string): JobDataMap['compute'][] {
  return registry.map((metric) => ({
    metric: metric.id,
    repositories: [repositoryId],
    params: {},
  }));
}

/** Enqueues the default metrics of a repository, after the on-demand requests. */
export async function enqueuePrecompute(queue: Queue, repositoryId: string): Promise<string[]> {
  const ids: string[] = [];
  for (const request of defaultMetricRequests(repositoryId)) {
    const options = { jobId: computeJobId(request), priority: PRECOMPUTE_PRIORITY };
    ids.push((await queue.enqueue('compute', request, options)).id);
  }
  return ids;
}
