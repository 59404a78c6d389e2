import type { JobInfo } from '../queue/index.js';
import type { Repository, RepositorySummary } from '../store/index.js';
import { redact } from './problem.js';

/** A job as the API shows it: times as ISO strings, the error redacted. */
export function jobJson(job: JobInfo) {
  return {
    id: job.id,
    name: job.name,
    state: job.state,
    data: { ...job.data } as Record<string, unknown>,
    progress: job.progress === null ? null : { ...job.progress },
    attempts: job.attempts,
    error: job.error === null ? null : redact(job.error),
    result: job.result ?? null,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export type JobJson = ReturnType<typeof jobJson>;

/** The collection of a repository that is waiting or under way, from the queue's jobs. */
export type CollectionView = {
  jobId: string;
  state: JobInfo['state'];
  progress: JobJson['progress'];
} | null;

/** Active, waiting and delayed collect jobs by repository id. */
export function collectionsById(jobs: readonly JobInfo[]): Map<string, CollectionView> {
  const byId = new Map<string, CollectionView>();
  for (const job of jobs) {
    if (job.name !== 'collect') continue;
    const repositoryId = (job.data as { repositoryId: string }).repositoryId;
    const known = byId.get(repositoryId);
    if (known?.state === 'active') continue; // the running one says the most
    byId.set(repositoryId, {
      jobId: job.id,
      state: job.state,
      progress: job.progress === null ? null : { ...job.progress },
    });
  }
  return byId;
}

const NO_COUNTS = { commits: 0, commitsAllRefs: 0, mergeCommits: 0, fileChanges: 0 };

/** A repository as the API shows it, with its counts and its collection in progress. */
export function repositoryJson(
  repo: Repository | RepositorySummary,
  collection: CollectionView = null,
) {
  const counts = 'commits' in repo ? repo : NO_COUNTS;
  return {
    id: repo.id,
    name: repo.name,
    source: redact(repo.source, 2048),
    schedule: repo.schedule,
    status: repo.status,
    lastError: repo.lastError === null ? null : redact(repo.lastError),
    defaultBranch: repo.defaultBranch,
    head: repo.head,
    dataVersion: repo.dataVersion,
    lastCollectedAt: repo.lastCollectedAt?.toISOString() ?? null,
    commits: counts.commits,
    commitsAllRefs: counts.commitsAllRefs,
    mergeCommits: counts.mergeCommits,
    fileChanges: counts.fileChanges,
    collection,
  };
}
