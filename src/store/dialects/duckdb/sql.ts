/** The DuckDB dialect's statements. Every value is a `$n` parameter, bound at run time. */

import { REPOSITORY_COLUMNS, repositoriesWithCounts } from '../shared/repository-sql.js';

// An id wins over a name, so a repository named like another's id is still found by its id.
export const FIND_REPOSITORY = `SELECT ${REPOSITORY_COLUMNS} FROM repositories r
  WHERE r.id = $1 OR r.name = $1 ORDER BY (r.id = $1) DESC LIMIT 1`;

export const FIND_REPOSITORY_BY_NAME = `SELECT ${REPOSITORY_COLUMNS} FROM repositories r
  WHERE r.name = $1`;

export const INSERT_REPOSITORY = `INSERT INTO repositories (id, name, source, schedule, created_at)
  VALUES ($1, $2, $3, $4, now())`;

// What a rename needs to know: whether the repository $1 exists, and whether another is named $2.
export const RENAME_CHECK = `SELECT id, name FROM repositories WHERE id = $1 OR name = $2`;

export const DELETE_REPOSITORY = `DELETE FROM repositories WHERE id = $1`;

// A result's repositories are the JSON list of their ids (UUIDs, which hold no LIKE wildcard).
export const DELETE_RESULTS_OF = `DELETE FROM metric_results WHERE repositories LIKE $1`;

export const LIST_REPOSITORIES = `${repositoriesWithCounts(false)} ORDER BY r.name`;

export const SUMMARIZE_REPOSITORY = repositoriesWithCounts(true);

export const LIST_REPOSITORY_RECORDS = `SELECT ${REPOSITORY_COLUMNS} FROM repositories r
  ORDER BY r.name`;

export const BUMP_DATA_VERSION = `UPDATE repositories SET data_version = data_version + 1
  WHERE id = $1`;

export const SET_HEAD = `UPDATE repositories SET head = $2 WHERE id = $1`;

// commits.on_default mirrors default_branch_commits, so metrics test a column instead of joining.
export const CLEAR_ON_DEFAULT = `UPDATE commits SET on_default = false
  WHERE repo_id = $1 AND on_default`;

export const MARK_ON_DEFAULT = `UPDATE commits SET on_default = true
  FROM default_branch_commits d
  WHERE commits.repo_id = $1 AND d.repo_id = $1 AND d.sha = commits.sha AND NOT commits.on_default`;

// file_changes.on_default mirrors its commit's: the file metrics read it without a join.
export const CLEAR_FILES_ON_DEFAULT = `UPDATE file_changes SET on_default = false
  WHERE repo_id = $1 AND on_default`;

export const MARK_FILES_ON_DEFAULT = `UPDATE file_changes SET on_default = true
  FROM default_branch_commits d
  WHERE file_changes.repo_id = $1 AND d.repo_id = $1 AND d.sha = file_changes.sha
    AND NOT file_changes.on_default`;

export const READ_PROGRESS = `SELECT pass, tips, walk_include, walk_exclude, walk_done
  FROM collection_progress WHERE repo_id = $1`;

// The progress table has no key (an upsert needs one), so a marker is an UPDATE, then an INSERT
// when there was no row yet; both run inside the caller's transaction.
export const SET_WALK = `UPDATE collection_progress
  SET walk_include = $3, walk_exclude = $4, walk_done = $5 WHERE repo_id = $1 AND pass = $2`;

export const SET_TIPS = `UPDATE collection_progress
  SET tips = $3, walk_include = NULL, walk_exclude = NULL, walk_done = NULL
  WHERE repo_id = $1 AND pass = $2`;

export const INSERT_PROGRESS = `INSERT INTO collection_progress
  (repo_id, pass, tips, walk_include, walk_exclude, walk_done) VALUES ($1, $2, $3, $4, $5, $6)`;

// The files pass stages each walked commit's totals in commit_totals with its batch; ending the
// pass moves them onto the commits in one join, instead of an UPDATE per batch that would scan
// every commit of the repository each time.
export const MERGE_COMMIT_TOTALS = `UPDATE commits
  SET files_changed = t.files_changed, lines_added = t.lines_added,
    lines_deleted = t.lines_deleted
  FROM commit_totals AS t
  WHERE commits.repo_id = $1 AND t.repo_id = $1 AND commits.sha = t.sha`;

// Ending the files pass also gives each file change it wrote what it carries of its commit (its
// dates and default branch flag): one join, as for the totals, and the rows a pass cut short
// left unfilled are filled by the next.
export const FILL_FILE_FACTS = `UPDATE file_changes
  SET author_time = c.author_time, committer_time = c.committer_time, on_default = c.on_default
  FROM commits AS c
  WHERE file_changes.repo_id = $1 AND c.repo_id = $1 AND c.sha = file_changes.sha
    AND file_changes.author_time IS NULL`;

/** Deletes a repository's rows whose sha is in the list bound as $2. */
export const deleteShas = (table: ShaTable): string =>
  `DELETE FROM ${table} WHERE repo_id = $1 AND sha IN (SELECT unnest($2))`;

export type ShaTable = 'commits' | 'file_changes' | 'default_branch_commits' | 'commit_totals';

/** Deletes every row of a repository from one of its data tables. */
export const deleteRepositoryRows = (table: RepositoryTable): string =>
  `DELETE FROM ${table} WHERE repo_id = $1`;

export type RepositoryTable = ShaTable | 'refs' | 'collection_progress' | 'mailmap' | 'tree_files';

export const READ_REFS = `SELECT name, kind, sha, created_at FROM refs WHERE repo_id = $1`;

export const READ_MAILMAP = `SELECT proper_name, proper_email, commit_name, commit_email
  FROM mailmap WHERE repo_id = $1`;

// The identities' version moves with every explicit merge or split, so cached people metrics
// notice an edit at once.
// One prepared statement, the only one a cache hit runs. It reads every repository's version:
// the table is small, and a filter on a bound list would cost more to plan than the whole scan.
export const DATA_VERSIONS = `SELECT id, data_version,
    (SELECT version FROM store_versions WHERE name = 'identities') AS identities
  FROM repositories`;

export const BUMP_IDENTITIES_VERSION = `UPDATE store_versions SET version = version + 1
  WHERE name = 'identities'`;

export const READ_RESULT = `SELECT key, metric, version, repositories, params, data_version,
    computed_at, duration_ms, result
  FROM metric_results WHERE key = $1`;

export const WRITE_RESULT = `INSERT INTO metric_results
    (key, metric, version, repositories, params, data_version, computed_at, duration_ms, result)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (key) DO UPDATE SET metric = excluded.metric, version = excluded.version,
    repositories = excluded.repositories, params = excluded.params,
    data_version = excluded.data_version, computed_at = excluded.computed_at,
    duration_ms = excluded.duration_ms, result = excluded.result`;

export const LINK_IDENTITY = `INSERT INTO identities (email, person, updated_at) VALUES ($1, $2, now())
  ON CONFLICT (email) DO UPDATE SET person = excluded.person, updated_at = excluded.updated_at`;

export const UNLINK_IDENTITIES = `DELETE FROM identities WHERE email IN (SELECT unnest($1))`;

export const LIST_IDENTITY_LINKS = `SELECT email, person FROM identities ORDER BY person, email`;

export const READ_AFFILIATIONS = `SELECT email, organization, valid_from, valid_to
  FROM affiliations ORDER BY entry`;

export const DELETE_AFFILIATIONS = `DELETE FROM affiliations`;

// Several unnest() in one select list walk their (equal-length) lists in step.
export const INSERT_AFFILIATIONS = `INSERT INTO affiliations
    (entry, email, organization, valid_from, valid_to)
  SELECT unnest($1::BIGINT[]), unnest($2::VARCHAR[]), unnest($3::VARCHAR[]),
    unnest($4::VARCHAR[]), unnest($5::VARCHAR[])`;
