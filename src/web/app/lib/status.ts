import type { Repository } from '../api/types.js';
import { formatInteger } from './format.js';

/** `collecting commits 1,200 of 5,000` from a running collection's progress. */
function running(repo: Repository): string {
  const progress = repo.collection?.progress ?? null;
  const what = progress?.phase ? `collecting ${progress.phase}` : 'collecting';
  if (progress === null || progress.done === 0) return what;
  return progress.total
    ? `${what} ${formatInteger(progress.done)} of ${formatInteger(progress.total)}`
    : `${what} ${formatInteger(progress.done)}`;
}

/** A repository's collection status in words: queued, collecting N of M, up to date, failed. */
export function statusText(repo: Repository): string {
  const state = repo.collection?.state;
  if (state === 'waiting' || state === 'delayed') return 'queued';
  if (state === 'active') return running(repo);
  switch (repo.status) {
    case 'new':
      return 'queued';
    case 'collecting-commits':
      return 'collecting commits';
    case 'commits-done':
    case 'collecting-files':
      return 'collecting files';
    case 'up-to-date':
      return 'up to date';
    case 'failed':
      return 'failed';
    default:
      return String(repo.status);
  }
}

/** True while a collection is queued or running. */
export function isBusy(repo: Repository): boolean {
  const state = repo.collection?.state;
  if (state === 'waiting' || state === 'delayed' || state === 'active') return true;
  return repo.status !== 'up-to-date' && repo.status !== 'failed';
}

/** The schedules offered besides a cron expression. */
export const SCHEDULES = ['hourly', 'daily', 'weekly'] as const;
