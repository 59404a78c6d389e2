import type { Config } from '../config/index.js';
import { MetreError } from '../errors/index.js';
import { openQueue, type JobInfo, type JobState } from '../queue/index.js';
import { openStore } from '../store/index.js';
import { jobJson } from './add-command.js';
import type { CliDeps, RepoJob } from './commands.js';
import { count, formatTable, type Column } from './format.js';

const STATES: readonly JobState[] = ['waiting', 'active', 'delayed', 'completed', 'failed'];

/** The flags of `metre jobs`. */
export interface JobsOptions {
  readonly queue?: string;
  readonly store?: string;
  readonly state?: string;
  readonly format: 'table' | 'json';
}

/** `commits 3,000 of 6,000`, `fetch`, or `-`. */
export function progressText(job: Pick<JobInfo, 'progress'>): string {
  const progress = job.progress;
  if (progress === null) return '-';
  if (progress.phase === 'fetch') return 'fetch';
  const of = progress.total === null ? '' : ` of ${count(progress.total)}`;
  return `${progress.phase} ${count(progress.done)}${of}`;
}

function states(value: string | undefined): JobState[] | undefined {
  if (value === undefined) return undefined;
  const wanted = value.split(',').map((state) => state.trim());
  const unknown = wanted.filter((state) => !STATES.includes(state as JobState));
  if (unknown.length > 0) {
    throw new MetreError(
      'METRE_USAGE',
      `Unknown job state(s) ${unknown.join(', ')}; valid: ${STATES.join(', ')}`,
    );
  }
  return wanted as JobState[];
}

/**
 * `metre jobs`: the jobs of the queue with their state and progress, newest first. The in-process
 * queue lives inside `metre serve` (ask its API); this lists a shared queue (`--queue redis://…`).
 */
export async function jobsCommand(deps: CliDeps, options: JobsOptions): Promise<void> {
  const config = deps.loadConfig({ queue: options.queue, store: options.store });
  const wanted = states(options.state);
  if (config.queue.url === undefined) {
    deps.stderr.write(
      'metre: the in-process queue lives inside `metre serve` (see its API); set --queue or METRE_QUEUE to list a shared queue\n',
    );
    deps.stdout.write(options.format === 'json' ? '[]\n' : 'No jobs.\n');
    return;
  }
  const queue = await openQueue(config.queue.url, { prefix: config.queue.prefix });
  try {
    await queue.ping();
    const jobs = await queue.listJobs(wanted);
    if (options.format === 'json') {
      deps.stdout.write(`${JSON.stringify(jobs.map(jobJson), null, 2)}\n`);
      return;
    }
    const names = await repositoryNames(config);
    deps.stdout.write(jobs.length === 0 ? 'No jobs.\n' : formatTable(columns(names), jobs));
  } finally {
    await queue.close({ timeoutMs: 1_000 });
  }
}

function columns(names: ReadonlyMap<string, string>): Column<JobInfo>[] {
  const target = (job: JobInfo) => {
    const data = job.data as { repositoryId?: string; metric?: string; repositories?: string[] };
    if (data.repositoryId !== undefined) return names.get(data.repositoryId) ?? data.repositoryId;
    const repos = (data.repositories ?? []).map((id) => names.get(id) ?? id).join(',');
    return `${data.metric ?? '?'} over ${repos}`;
  };
  return [
    { title: 'ID', value: (job) => job.id },
    { title: 'KIND', value: (job) => job.name },
    { title: 'STATE', value: (job) => job.state },
    { title: 'PROGRESS', value: progressText },
    { title: 'ATTEMPTS', value: (job) => String(job.attempts) },
    { title: 'TARGET', value: target },
    {
      title: 'CREATED',
      value: (job) => job.createdAt.toISOString().slice(0, 19).replace('T', ' '),
    },
    { title: 'ERROR', value: (job) => job.error ?? '' },
  ];
}

/** Repository names by id, when the store can be read; ids stand in otherwise. */
async function repositoryNames(config: Config): Promise<Map<string, string>> {
  try {
    const store = await openStore(config.store, { readOnly: true });
    try {
      return new Map((await store.listRepositoryRecords()).map((r) => [r.id, r.name]));
    } finally {
      await store.close();
    }
  } catch {
    return new Map();
  }
}

/**
 * The collection under way or queued for each repository (by id), for `metre repos`: its state
 * and progress. Empty with the in-process queue, which lives inside `metre serve`.
 */
export async function collectionJobs(config: Config): Promise<Map<string, RepoJob>> {
  if (config.queue.url === undefined) return new Map();
  const queue = await openQueue(config.queue.url, { prefix: config.queue.prefix });
  try {
    await queue.ping();
    const jobs = await queue.listJobs(['active', 'waiting', 'delayed']);
    const byRepository = new Map<string, RepoJob>();
    // Oldest first, so the newest job of a repository is the one kept.
    for (const job of jobs.reverse()) {
      const id = (job.data as { repositoryId?: string }).repositoryId;
      if (job.name !== 'collect' || id === undefined) continue;
      const text = job.progress === null ? job.state : `${job.state}: ${progressText(job)}`;
      byRepository.set(id, { id: job.id, state: job.state, progress: job.progress, text });
    }
    return byRepository;
  } finally {
    await queue.close({ timeoutMs: 1_000 });
  }
}
