/**
 * The worker role: the job handlers (`collect`: collect a repository then enqueue its default
 * metrics; `compute`: one metric through the engine), the dedup ids both shapes use, and the
 * rule that tells a permanent failure from one worth retrying.
 *
 * @example
 * startWorker({ store, queue, engine, git: config.git, collect: config.collect, cwd, log },
 *   { queues: ['collect', 'metrics'], concurrency: 1 });
 * await queue.enqueue('collect', { repositoryId: repo.id }, { jobId: collectJobId(repo.id) });
 */
export {
  collectHandler,
  computeHandler,
  startWorker,
  type CollectResult,
  type WorkerDeps,
} from './handlers.js';
export {
  PRECOMPUTE_PRIORITY,
  collectJobId,
  computeJobId,
  defaultMetricRequests,
  enqueuePrecompute,
} from './jobs.js';
export { isPermanent } from './failures.js';
export { silentLogger, type Logger } from './logger.js';
