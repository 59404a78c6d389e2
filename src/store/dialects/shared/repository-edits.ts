import { MetreError } from '../../../errors/index.js';
import type { Repository } from '../../port.js';
import type { Row } from './rows.js';

/** What `saveRepository` is given. */
export interface NewRepository {
  readonly name: string;
  readonly source: string;
  readonly schedule?: string | undefined;
}

/** The schedule of a repository registered without one. */
export const DEFAULT_SCHEDULE = 'daily';

/**
 * What `saveRepository` changes on a repository saved again under its name: the source if it
 * moved, the schedule if one is given and differs. Empty when nothing changes.
 *
 * @example savedChanges(repo, { name: repo.name, source: '/moved' }) // { source: '/moved' }
 */
export function savedChanges(
  repository: Repository,
  input: NewRepository,
): { source?: string; schedule?: string } {
  const changes: { source?: string; schedule?: string } = {};
  if (repository.source !== input.source) changes.source = input.source;
  if (input.schedule !== undefined && input.schedule !== repository.schedule) {
    changes.schedule = input.schedule;
  }
  return changes;
}

/**
 * Refuses renaming repository `id` to `name` when it does not exist (METRE_REPO_NOT_FOUND) or
 * another repository has that name (METRE_REPO_NAME_TAKEN), from the (id, name) rows of both.
 *
 * @example checkRename(await rows(`SELECT id, name FROM repositories WHERE id = $1 OR name = $2`), id, name)
 */
export function checkRename(rows: readonly Row[], id: string, name: string): void {
  if (!rows.some((row) => row.id === id)) {
    throw new MetreError('METRE_REPO_NOT_FOUND', `No repository ${id}`);
  }
  if (rows.some((row) => row.id !== id && row.name === name)) {
    throw new MetreError('METRE_REPO_NAME_TAKEN', `Another repository is named "${name}"`);
  }
}

/**
 * The LIKE pattern matching the cached results whose repository set includes `repoId` (a result
 * keeps its repositories as the JSON list of their ids).
 */
export const resultsOf = (repoId: string): string => `%${JSON.stringify(repoId)}%`;
