import {
  collect,
  summaryFigures,
  type CollectEvent,
  type CollectSummary,
} from '../collect/index.js';
import type { CollectConfig, GitConfig } from '../config/index.js';
import { MetreError } from '../errors/index.js';
import type { MetricsEngine } from '../metrics/index.js';
import {
  UnrecoverableError,
  errorText,
  type JobContext,
  type JobHandler,
  type Queue,
} from '../queue/index.js';
import type { Repository, Store } from '../store/index.js';
import { isPermanent } from './failures.js';
import { enqueuePrecompute } from './jobs.js';
import type { Logger } from './logger.js';

/** What the job handlers work with: one store, one queue, one engine per process. */
export interface WorkerDeps {
  readonly store: Store;
  readonly queue: Queue;
  readonly engine: MetricsEngine;
  readonly git: GitConfig;
  readonly collect: CollectConfig;
  /** Where relative local paths resolve from (sources are stored absolute, so rarely used). */
  readonly cwd: string;
  readonly log: Logger;
}

/** What a collect job returns: the collection's summary (times rounded to milliseconds). */
export interface CollectResult extends Omit<CollectSummary, 'repository'> {
  readonly repository: string;
  /** The compute jobs enqueued for the dashboard's default metrics. */
  readonly precompute: number;
}

/**
 * The `collect` job: collects the repository (the collector resumes from the store's markers, so a
 * killed run loses nothing), reporting commits done of the total, then enqueues the dashboard's
 * default metrics. A repository that cannot exist fails at once, its reason recorded on it.
 *
 * @example queue.process('collect', collectHandler(deps), { concurrency: 2 })
 */
export function collectHandler(deps: WorkerDeps): JobHandler<'collect'> {
  return async (job, context) => {
    const repository = await deps.store.findRepository(job.data.repositoryId);
    if (repository === undefined) {
      const gone = `Repository ${job.data.repositoryId} no longer exists`;
      throw new UnrecoverableError(new MetreError('METRE_REPO_NOT_FOUND', gone));
    }
    const fields = { job: job.id, repository: repository.name, attempt: job.attempts };
    deps.log.info(fields, 'collecting');
    const summary = await collectOnce(deps, repository, context).catch(async (error: unknown) => {
      throw await failure(deps, repository, fields, error);
    });
    const precompute = await enqueuePrecompute(deps.queue, repository.id);
    const result: CollectResult = {
      repository: repository.name,
      ...summaryFigures(summary),
      precompute: precompute.length,
    };
    deps.log.info({ ...fields, ...result }, 'collected');
    return result;
  };
}

function collectOnce(deps: WorkerDeps, repository: Repository, context: JobContext) {
  const onProgress = (event: CollectEvent) => {
    const progress =
      event.phase === 'fetch'
        ? { phase: 'fetch', done: 0, total: null }
        : { phase: event.phase, done: event.done, total: event.total };
    context.progress(progress).catch(() => undefined); // progress is best effort, the data is not
  };
  return collect(
    { location: repository.source, name: repository.name },
    {
      store: deps.store,
      git: deps.git,
      // The source was checked when the repository was registered (local paths only where allowed).
      collect: { ...deps.collect, allowLocal: true },
      cwd: deps.cwd,
      onProgress,
      countTotals: true,
    },
  );
}

/** Logs a failed attempt and turns a permanent failure into the no-retry signal. */
async function failure(
  deps: WorkerDeps,
  repository: Repository,
  fields: object,
  error: unknown,
): Promise<unknown> {
  const reason = errorText(error);
  if (!isPermanent(error)) {
    deps.log.warn({ ...fields, error: reason }, 'collection failed; the queue retries it');
    return error;
  }
  deps.log.error({ ...fields, error: reason }, 'collection failed for good');
  await deps.store
    .updateRepository(repository.id, { status: 'failed', lastError: reason })
    .catch(() => undefined); // the collector usually recorded it already
  return new UnrecoverableError(error);
}

/**
 * The `compute` job: computes one metric through the engine (from the cache when fresh) and
 * returns the response, as the API would answer it.
 *
 * @example queue.process('compute', computeHandler(deps))
 */
export function computeHandler(deps: Pick<WorkerDeps, 'engine' | 'log'>): JobHandler<'compute'> {
  return async (job) => {
    const { metric, repositories, params } = job.data;
    const started = performance.now();
    try {
      const response = await deps.engine.get({ metric, repositories, params });
      const ms = Math.round(performance.now() - started);
      deps.log.info({ job: job.id, metric, repositories, cached: response.cached, ms }, 'computed');
      return response;
    } catch (error) {
      const fields = { job: job.id, metric, repositories, error: errorText(error) };
      if (isPermanent(error)) throw new UnrecoverableError(error);
      deps.log.warn(fields, 'metric computation failed; the queue retries it');
      throw error;
    }
  };
}

/** Registers the handlers of the kinds of job a worker takes. */
export function startWorker(
  deps: WorkerDeps,
  options: { readonly queues: readonly ('collect' | 'metrics')[]; readonly concurrency: number },
): void {
  const concurrency = { concurrency: options.concurrency };
  if (options.queues.includes('collect'))
    deps.queue.process('collect', collectHandler(deps), concurrency);
  if (options.queues.includes('metrics'))
    deps.queue.process('compute', computeHandler(deps), concurrency);
  deps.log.info({ queue: deps.queue.kind, ...options }, 'taking jobs');
}
