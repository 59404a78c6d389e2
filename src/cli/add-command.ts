import { checkName, defaultName, parseSource } from '../collect/index.js';
import type { Config } from '../config/index.js';
import { MetreError, catalogue, type ErrorCode } from '../errors/index.js';
import { MetricsEngine, peopleConfig } from '../metrics/index.js';
import { openQueue, type JobInfo, type Queue } from '../queue/index.js';
import { checkSchedule } from '../schedule/index.js';
import { openStore, type Repository, type Store } from '../store/index.js';
import { collectJobId, silentLogger, startWorker, type CollectResult } from '../worker/index.js';
import type { CliDeps, Format } from './commands.js';
import { count, seconds } from './format.js';
import { createProgressView } from './progress.js';

/** The flags of `metre add`. */
export interface AddOptions {
  readonly name?: string;
  readonly schedule?: string;
  readonly store?: string;
  readonly queue?: string;
  readonly format: Format;
}

/** How long one wait for a running job lasts before looking again. */
const WAIT_STEP_MS = 60_000;

/**
 * `metre add <location>`: registers a repository (its schedule too) and enqueues its first
 * collection. With a queue (`--queue redis://…`) it returns at once: the workers collect. With
 * the in-process queue there is no other process to hand the job to (and an embedded store
 * belongs to one process), so it runs the job here: it collects, computes the default metrics,
 * then returns.
 */
export async function addCommand(deps: CliDeps, location: string, options: AddOptions) {
  const config = deps.loadConfig({ store: options.store, queue: options.queue, allowLocal: true });
  const schedule = options.schedule === undefined ? undefined : checkSchedule(options.schedule);
  const source = parseSource(location, { allowLocal: true, cwd: deps.cwd });
  const name = checkName(options.name ?? defaultName(source));
  const store = await openStore(config.store);
  try {
    const repository = await store.saveRepository({
      name,
      source: source.display,
      ...(schedule === undefined ? {} : { schedule }),
    });
    if (config.queue.url === undefined) await collectHere(deps, config, store, repository, options);
    else await enqueueThere(deps, config, repository, options);
  } finally {
    await store.close();
  }
}

async function enqueueThere(
  deps: CliDeps,
  config: Config,
  repository: Repository,
  options: AddOptions,
) {
  const queue = await openQueue(config.queue.url, {
    prefix: config.queue.prefix,
    retry: config.queue.retry,
  });
  try {
    await queue.ping();
    const job = await queue.enqueue(
      'collect',
      { repositoryId: repository.id },
      { jobId: collectJobId(repository.id) },
    );
    if (options.format === 'json') {
      deps.stdout.write(
        `${JSON.stringify({ repository: repositoryJson(repository), job: jobJson(job) })}\n`,
      );
    } else {
      deps.stdout.write(
        `${repository.name}: registered (schedule ${repository.schedule}); collection job ${job.id} ${job.state}\n`,
      );
    }
  } finally {
    await queue.close({ timeoutMs: 1_000 });
  }
}

async function collectHere(
  deps: CliDeps,
  config: Config,
  store: Store,
  repository: Repository,
  options: AddOptions,
) {
  const queue = await openQueue(undefined, { retry: config.queue.retry });
  const view = createProgressView(deps.stderr, deps.isTTY);
  queue.on((event) => {
    if (event.type !== 'progress' || event.progress.phase === 'fetch') return;
    const { phase, done, total } = event.progress;
    if (phase === 'commits' || phase === 'files') {
      view.onProgress({ phase, done, total, repository: repository.name });
    }
  });
  const engine = new MetricsEngine({ store, people: peopleConfig(config.people) });
  const log = silentLogger;
  const deps_ = {
    store,
    queue,
    engine,
    log,
    cwd: deps.cwd,
    git: config.git,
    collect: config.collect,
  };
  startWorker(deps_, { queues: ['collect', 'metrics'], concurrency: 1 });
  try {
    const job = await queue.enqueue(
      'collect',
      { repositoryId: repository.id },
      { jobId: collectJobId(repository.id) },
    );
    const done = await finished(queue, job.id);
    view.end();
    if (done.state === 'failed') throw failureOf(done);
    await drained(queue);
    const failed = await failedMetrics(queue);
    const collected = (await store.findRepository(repository.id)) ?? repository;
    report(deps, collected, { ...(done.result as CollectResult), failed }, options.format);
  } finally {
    view.end();
    await queue.close({ timeoutMs: 1_000 });
  }
}

async function finished(queue: Queue, id: string): Promise<JobInfo> {
  for (;;) {
    const job = await queue.waitForJob(id, WAIT_STEP_MS);
    if (job === undefined) throw new MetreError('METRE_JOB_NOT_FOUND', `Job ${id} is gone`);
    if (job.state === 'completed' || job.state === 'failed') return job;
  }
}

/** Waits for the precomputed metrics to be cached. */
async function drained(queue: Queue): Promise<void> {
  for (;;) {
    const counts = await queue.counts();
    if (counts.waiting + counts.active + counts.delayed === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The default metrics whose computation failed, with why: reported, never hidden. */
async function failedMetrics(queue: Queue): Promise<{ metric: string; error: string | null }[]> {
  const jobs = await queue.listJobs(['failed']);
  return jobs.flatMap((job) =>
    job.name === 'compute' && 'metric' in job.data
      ? [{ metric: job.data.metric, error: job.error }]
      : [],
  );
}

/** A failed job's error as the coded error it recorded (`METRE_X: message`). */
function failureOf(job: JobInfo): MetreError {
  const text = job.error ?? 'METRE_INTERNAL: the collection failed';
  const match = /^(METRE_[A-Z_]+): (.*)$/s.exec(text);
  const code = match?.[1];
  if (code === undefined || !(code in catalogue)) return new MetreError('METRE_INTERNAL', text);
  return new MetreError(code as ErrorCode, match?.[2]);
}

type AddResult = CollectResult & { readonly failed: readonly { metric: string }[] };

function report(deps: CliDeps, repository: Repository, result: AddResult, format: Format) {
  if (format === 'json') {
    deps.stdout.write(
      `${JSON.stringify({ repository: repositoryJson(repository), collected: result })}\n`,
    );
    return;
  }
  deps.stdout.write(
    `${repository.name}: registered (schedule ${repository.schedule}) and collected: ` +
      `${count(result.commits)} new commits, ${count(result.fileChanges)} file changes in ` +
      `${seconds(result.durationMs)}; ${result.precompute - result.failed.length} default ` +
      `metrics computed${result.failed.length > 0 ? `, ${result.failed.length} failed` : ''}\n`,
  );
}

function repositoryJson(repository: Repository) {
  return {
    id: repository.id,
    name: repository.name,
    source: repository.source,
    schedule: repository.schedule,
    status: repository.status,
  };
}

/** The JSON of a job, as `metre jobs --format json` prints it. */
export function jobJson(job: JobInfo) {
  return {
    id: job.id,
    name: job.name,
    data: job.data,
    state: job.state,
    progress: job.progress,
    attempts: job.attempts,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    repeat:
      job.repeat === null ? null : { key: job.repeat.key, dueAt: job.repeat.dueAt.toISOString() },
  };
}
