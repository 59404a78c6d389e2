/**
 * The queue role: the Queue port (jobs with dedup ids and priorities, retries with exponential
 * backoff and jitter, progress, typed events, repeats, graceful close) and its two adapters,
 * `in-process` (the embedded default) and `bullmq` (Redis), opened by URL.
 *
 * @example
 * const queue = await openQueue(config.queue.url, { prefix: 'metre' });
 * queue.process('collect', async (job, { progress, signal }) => { … }, { concurrency: 2 });
 * const job = await queue.enqueue('collect', { repositoryId }, { jobId: `collect:${repositoryId}` });
 * const done = await queue.waitForJob(job.id, 2_000);
 * await queue.close({ timeoutMs: 10_000 });
 */
export type {
  EnqueueOptions,
  JobContext,
  JobDataMap,
  JobHandler,
  JobInfo,
  JobName,
  JobProgress,
  JobState,
  ProcessOptions,
  Queue,
  QueueEvent,
  RepeatInfo,
  RepeatSpec,
} from './port.js';
export {
  DEFAULT_RETRY,
  openQueue,
  parseQueueUrl,
  type QueueOptions,
  type QueueTarget,
} from './open-queue.js';
export { backoffDelay, type RetryPolicy } from './backoff.js';
export { UnrecoverableError, errorText, isUnrecoverable } from './errors.js';
export { checkCron, nextDue, previousDue } from './cron.js';
