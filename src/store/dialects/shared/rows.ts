import type { CollectionStatus, MailmapEntry, Ref } from '../../../core/index.js';
import { MetreError } from '../../../errors/index.js';
import type {
  PassProgress,
  Progress,
  Repository,
  RepositorySummary,
  StoredResult,
} from '../../port.js';

/**
 * A row as the drivers return it (BIGINT as bigint or number, timestamps as Dates, lists as
 * arrays). The mappers below turn rows into the port's types for every dialect.
 */
export type Row = Record<string, unknown>;

/** BIGINT (bigint) or INTEGER (number) to a JS number; metre's counts stay far below 2^53. */
export const toNumber = (value: unknown): number => Number(value ?? 0);

const toText = (value: unknown): string | null => (value === null ? null : String(value));

const toTexts = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

const toDate = (value: unknown): Date | null => (value instanceof Date ? value : null);

/** A `repositories` row to the port's Repository. */
export function toRepository(row: Row): Repository {
  return {
    id: String(row.id),
    name: String(row.name),
    source: String(row.source),
    defaultBranch: toText(row.default_branch),
    status: String(row.status) as CollectionStatus,
    lastError: toText(row.last_error),
    dataVersion: toNumber(row.data_version),
    lastCollectedAt: toDate(row.last_collected_at),
    head: toText(row.head),
    // NULL only in a row written before the column existed (DuckDB adds it without NOT NULL).
    schedule: toText(row.schedule) ?? 'daily',
  };
}

/** A `repositories` row with its counts to the port's RepositorySummary. */
export function toSummary(row: Row): RepositorySummary {
  return {
    ...toRepository(row),
    commits: toNumber(row.commits),
    commitsAllRefs: toNumber(row.commits_all_refs),
    mergeCommits: toNumber(row.merge_commits),
    fileChanges: toNumber(row.file_changes),
  };
}

const NO_PROGRESS: PassProgress = { tips: [], walk: null };

/** The `collection_progress` rows of a repository to its Progress; a missing pass has none. */
export function toProgress(rows: readonly Row[]): Progress {
  const byPass = new Map(rows.map((row) => [String(row.pass), toPassProgress(row)]));
  return {
    commits: byPass.get('commits') ?? NO_PROGRESS,
    files: byPass.get('files') ?? NO_PROGRESS,
  };
}

function toPassProgress(row: Row): PassProgress {
  const walk =
    row.walk_include === null
      ? null
      : {
          include: toTexts(row.walk_include),
          exclude: toTexts(row.walk_exclude),
          done: toNumber(row.walk_done),
        };
  return { tips: toTexts(row.tips), walk };
}

/** A `refs` row to a Ref. */
export function toRef(row: Row): Ref {
  const created = toDate(row.created_at);
  return {
    name: String(row.name),
    kind: row.kind as Ref['kind'],
    sha: String(row.sha),
    createdAt: created === null ? null : created.getTime() / 1000,
  };
}

/** A `mailmap` row to a MailmapEntry. */
export function toMailmapEntry(row: Row): MailmapEntry {
  return {
    properName: toText(row.proper_name),
    properEmail: toText(row.proper_email),
    commitName: toText(row.commit_name),
    commitEmail: String(row.commit_email),
  };
}

/** A `metric_results` row to a StoredResult. */
export function toStoredResult(row: Row): StoredResult {
  return {
    key: String(row.key),
    metric: String(row.metric),
    version: toNumber(row.version),
    repositories: JSON.parse(String(row.repositories)) as string[],
    params: String(row.params),
    dataVersion: String(row.data_version),
    computedAt: toDate(row.computed_at) ?? new Date(0),
    durationMs: Number(row.duration_ms),
    result: String(row.result),
  };
}

/**
 * The data version of the repositories `ids` (deduplicated and sorted by the caller) from rows of
 * (id, data_version, identities): one string that changes whenever any of them or the identity
 * links do. An id with no row fails with METRE_REPO_NOT_FOUND.
 */
export function toDataVersion(ids: readonly string[], rows: readonly Row[]): string {
  const versions = new Map(rows.map((row) => [String(row.id), toNumber(row.data_version)]));
  const missing = ids.filter((id) => !versions.has(id));
  if (missing.length > 0) {
    throw new MetreError('METRE_REPO_NOT_FOUND', `No repository ${missing.join(', ')}`);
  }
  const repos = ids.map((id) => `${id}:${versions.get(id)}`);
  return [...repos, `identities:${toNumber(rows[0]?.identities)}`].join(',');
}
