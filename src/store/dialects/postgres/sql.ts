/**
 * The PostgreSQL family's statements: PostgreSQL and PGlite run them as they are; CrateDB
 * overrides the few it cannot run (`UPDATE … FROM`). Every value is a `$n` parameter; arrays are
 * cast (`$2::TEXT[]`) because the wire protocol sends them untyped.
 */

import { REPOSITORY_COLUMNS, repositoriesWithCounts } from '../shared/repository-sql.js';

export const postgresStatements = {
  // An id wins over a name, so a repository named like another's id is still found by its id.
  findRepository: `SELECT ${REPOSITORY_COLUMNS} FROM repositories r
    WHERE r.id = $1 OR r.name = $1 ORDER BY (r.id = $1) DESC LIMIT 1`,

  findRepositoryByName: `SELECT ${REPOSITORY_COLUMNS} FROM repositories r WHERE r.name = $1`,

  // Two processes registering the same name at once: one insert wins, the other finds it.
  insertRepository: `INSERT INTO repositories (id, name, source, schedule) VALUES ($1, $2, $3, $4)
    ON CONFLICT DO NOTHING`,

  // What a rename needs to know: whether the repository $1 exists, and whether another is named $2.
  renameCheck: `SELECT id, name FROM repositories WHERE id = $1 OR name = $2`,

  /** The statements renaming repository $1 to $2, in order (CrateDB's key is the name). */
  renameRepository: [`UPDATE repositories SET name = $2 WHERE id = $1`] as readonly string[],

  deleteRepository: `DELETE FROM repositories WHERE id = $1`,

  // A result's repositories are the JSON list of their ids (UUIDs, which hold no LIKE wildcard).
  deleteResultsOf: `DELETE FROM metric_results WHERE repositories LIKE $1`,

  // Sorted by the caller (code unit order, as on every backend), not by the database's collation.
  listRepositories: repositoriesWithCounts(false),

  summarizeRepository: repositoriesWithCounts(true),

  listRepositoryRecords: `SELECT ${REPOSITORY_COLUMNS} FROM repositories r`,

  bumpDataVersion: `UPDATE repositories SET data_version = data_version + 1 WHERE id = $1`,

  setHead: `UPDATE repositories SET head = $2 WHERE id = $1`,

  // commits.on_default mirrors default_branch_commits, so metrics test a column instead of joining.
  clearOnDefault: `UPDATE commits SET on_default = false WHERE repo_id = $1 AND on_default`,

  markOnDefault: `UPDATE commits SET on_default = true
    WHERE repo_id = $1 AND sha = ANY(CAST($2 AS TEXT[]))`,

  // file_changes.on_default mirrors its commit's: the file metrics read it without a join.
  clearFilesOnDefault: `UPDATE file_changes SET on_default = false WHERE repo_id = $1 AND on_default`,

  markFilesOnDefault: `UPDATE file_changes SET on_default = true
    WHERE repo_id = $1 AND sha = ANY(CAST($2 AS TEXT[])) AND NOT on_default`,

  readProgress: `SELECT pass, tips, walk_include, walk_exclude, walk_done
    FROM collection_progress WHERE repo_id = $1`,

  // A walk marker keeps the pass' tips; a new row starts with none.
  upsertWalk: `INSERT INTO collection_progress
      (repo_id, pass, tips, walk_include, walk_exclude, walk_done)
    VALUES ($1, $2, CAST($3 AS TEXT[]), CAST($4 AS TEXT[]), CAST($5 AS TEXT[]), CAST($6 AS BIGINT))
    ON CONFLICT (repo_id, pass) DO UPDATE SET walk_include = excluded.walk_include,
      walk_exclude = excluded.walk_exclude, walk_done = excluded.walk_done`,

  upsertTips: `INSERT INTO collection_progress
      (repo_id, pass, tips, walk_include, walk_exclude, walk_done)
    VALUES ($1, $2, CAST($3 AS TEXT[]), NULL, NULL, NULL)
    ON CONFLICT (repo_id, pass) DO UPDATE SET tips = excluded.tips, walk_include = NULL,
      walk_exclude = NULL, walk_done = NULL`,

  // The files pass stages each walked commit's totals in commit_totals with its batch; ending the
  // pass moves them onto the commits in one join. (CrateDB has no UPDATE … FROM.)
  mergeCommitTotals: `UPDATE commits
    SET files_changed = t.files_changed, lines_added = t.lines_added,
      lines_deleted = t.lines_deleted
    FROM commit_totals AS t
    WHERE commits.repo_id = $1 AND t.repo_id = $1 AND commits.sha = t.sha`,

  // Ending the files pass also gives each file change it wrote its commit's dates and default
  // branch flag, in one join (CrateDB: an upsert of the joined rows). Rows a pass cut short left
  // unfilled are filled by the next.
  fillFileFacts: `UPDATE file_changes
    SET author_time = c.author_time, committer_time = c.committer_time, on_default = c.on_default
    FROM commits AS c
    WHERE file_changes.repo_id = $1 AND c.repo_id = $1 AND c.sha = file_changes.sha
      AND file_changes.author_time IS NULL`,

  /** Deletes a repository's rows whose sha is in the list bound as $2. */
  deleteShas: (table: ShaTable): string =>
    `DELETE FROM ${table} WHERE repo_id = $1 AND sha = ANY(CAST($2 AS TEXT[]))`,

  /** Deletes every row of a repository from one of its data tables. */
  deleteRepositoryRows: (table: RepositoryTable): string =>
    `DELETE FROM ${table} WHERE repo_id = $1`,

  readRefs: `SELECT name, kind, sha, created_at FROM refs WHERE repo_id = $1`,

  readMailmap: `SELECT proper_name, proper_email, commit_name, commit_email
    FROM mailmap WHERE repo_id = $1 ORDER BY entry`,

  // One statement: a cache hit runs only this one. The identities' version moves with every
  // explicit merge or split, so cached people metrics notice an edit at once.
  dataVersions: `SELECT r.id, r.data_version, v.version AS identities
    FROM repositories r JOIN store_versions v ON v.name = 'identities'
    WHERE r.id = ANY(CAST($1 AS TEXT[]))`,

  bumpIdentitiesVersion: `UPDATE store_versions SET version = version + 1
    WHERE name = 'identities'`,

  readResult: `SELECT key, metric, version, repositories, params, data_version, computed_at,
      duration_ms, result
    FROM metric_results WHERE key = $1`,

  writeResult: `INSERT INTO metric_results
      (key, metric, version, repositories, params, data_version, computed_at, duration_ms, result)
    VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS TIMESTAMPTZ), $8, $9)
    ON CONFLICT (key) DO UPDATE SET metric = excluded.metric, version = excluded.version,
      repositories = excluded.repositories, params = excluded.params,
      data_version = excluded.data_version, computed_at = excluded.computed_at,
      duration_ms = excluded.duration_ms, result = excluded.result`,

  linkIdentity: `INSERT INTO identities (email, person, updated_at) VALUES ($1, $2, now())
    ON CONFLICT (email) DO UPDATE SET person = excluded.person, updated_at = excluded.updated_at`,

  unlinkIdentities: `DELETE FROM identities WHERE email = ANY(CAST($1 AS TEXT[]))`,

  listIdentityLinks: `SELECT email, person FROM identities`,

  readAffiliations: `SELECT email, organization, valid_from, valid_to FROM affiliations
    ORDER BY entry`,

  // The map is written over by position, then cut to its length: an upsert that a retry repeats
  // safely where there are no transactions.
  upsertAffiliations: `INSERT INTO affiliations (entry, email, organization, valid_from, valid_to)
    SELECT u.entry, u.email, u.organization, u.valid_from, u.valid_to
    FROM unnest(CAST($1 AS INTEGER[]), CAST($2 AS TEXT[]), CAST($3 AS TEXT[]),
      CAST($4 AS TEXT[]), CAST($5 AS TEXT[])) AS u(entry, email, organization, valid_from, valid_to)
    ON CONFLICT (entry) DO UPDATE SET email = excluded.email,
      organization = excluded.organization, valid_from = excluded.valid_from,
      valid_to = excluded.valid_to`,

  truncateAffiliations: `DELETE FROM affiliations WHERE entry >= $1`,
};

/** The statements a PostgreSQL-family dialect runs; another dialect may override some. */
export type PgStatements = typeof postgresStatements;

export type ShaTable = 'commits' | 'file_changes' | 'default_branch_commits' | 'commit_totals';

export type RepositoryTable = ShaTable | 'refs' | 'collection_progress' | 'mailmap' | 'tree_files';
