import { postgresStatements, type PgStatements } from '../postgres/index.js';

// Every commits column, for the upsert below: an INSERT must carry the NOT NULL columns even when
// its row exists and only its ON CONFLICT branch runs.
const COMMIT_COLUMNS = [
  'sha',
  'parents',
  'author_name',
  'author_email',
  'author_time',
  'author_tz',
  'committer_name',
  'committer_email',
  'committer_time',
  'committer_tz',
  'subject',
  'message',
  'is_merge',
  'on_default',
];

// Every repositories column, for the rename below: a copy of the row under its new key.
const REPOSITORY_COLUMNS = [
  'id',
  'name',
  'source',
  'default_branch',
  'head',
  'status',
  'last_error',
  'data_version',
  'last_collected_at',
  'created_at',
  'schedule',
];

// Every file_changes column a row needs besides what it carries of its commit.
const FILE_COLUMNS = [
  'repo_id',
  'sha',
  'path',
  'old_path',
  'change_type',
  'lines_added',
  'lines_deleted',
  'is_binary',
];

/**
 * The upsert giving file changes their commit's dates and default branch flag (CrateDB has no
 * `UPDATE … FROM`): the rows `where` selects (`f`, joined to their commit `c`) written again with
 * them. Running it twice changes nothing more.
 *
 * @example fillFileFacts('f.repo_id = $1 AND f.author_time IS NULL')
 */
export function fillFileFacts(where: string): string {
  return `INSERT INTO file_changes (${FILE_COLUMNS.join(', ')}, author_time, committer_time,
      on_default)
    SELECT ${FILE_COLUMNS.map((c) => `f.${c}`).join(', ')}, c.author_time, c.committer_time,
      c.on_default
    FROM file_changes f JOIN commits c ON c.repo_id = f.repo_id AND c.sha = f.sha
    WHERE ${where}
    ON CONFLICT (repo_id, sha, path) DO UPDATE SET author_time = excluded.author_time,
      committer_time = excluded.committer_time, on_default = excluded.on_default`;
}

/**
 * The PostgreSQL family's statements as CrateDB runs them: the shared ones, with what CrateDB
 * lacks rewritten.
 *
 * - `UPDATE … FROM` (moving the staged totals onto the commits) becomes an upsert of the joined
 *   rows, `INSERT … SELECT … ON CONFLICT (repo_id, sha) DO UPDATE`: the same rows change, and
 *   running it twice changes nothing more. PostgreSQL runs it alike (see `cratedb.test.ts`).
 * - The same goes for filling file changes with their commit's dates (`fillFileFacts`).
 * - A rename cannot update `repositories.name`, its primary key: the row is copied under the new
 *   name, then the old one deleted. Run again after a crash between the two, the copy finds its
 *   key taken and the delete completes the move.
 * - A result is written into an `OBJECT(IGNORED)` column from its JSON text; the client hands it
 *   back as JSON text (`cratedbClient`).
 *
 * @example await client.query(cratedbStatements.mergeCommitTotals, [repoId])
 */
export const cratedbStatements: PgStatements = {
  ...postgresStatements,

  mergeCommitTotals: `INSERT INTO commits (repo_id, ${COMMIT_COLUMNS.join(', ')},
      files_changed, lines_added, lines_deleted)
    SELECT c.repo_id, ${COMMIT_COLUMNS.map((column) => `c.${column}`).join(', ')},
      t.files_changed, t.lines_added, t.lines_deleted
    FROM commits c JOIN commit_totals t ON t.repo_id = c.repo_id AND t.sha = c.sha
    WHERE c.repo_id = $1 AND t.repo_id = $1
    ON CONFLICT (repo_id, sha) DO UPDATE SET files_changed = excluded.files_changed,
      lines_added = excluded.lines_added, lines_deleted = excluded.lines_deleted`,

  fillFileFacts: fillFileFacts('f.repo_id = $1 AND f.author_time IS NULL'),

  renameRepository: [
    `INSERT INTO repositories (${REPOSITORY_COLUMNS.join(', ')})
      SELECT ${REPOSITORY_COLUMNS.map((c) => (c === 'name' ? 'CAST($2 AS TEXT)' : c)).join(', ')}
      FROM repositories WHERE id = $1 ON CONFLICT DO NOTHING`,
    `DELETE FROM repositories WHERE id = $1 AND name <> $2`,
  ],

  writeResult: `INSERT INTO metric_results
      (key, metric, version, repositories, params, data_version, computed_at, duration_ms, result)
    VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS TIMESTAMPTZ), $8, CAST($9 AS OBJECT))
    ON CONFLICT (key) DO UPDATE SET metric = excluded.metric, version = excluded.version,
      repositories = excluded.repositories, params = excluded.params,
      data_version = excluded.data_version, computed_at = excluded.computed_at,
      duration_ms = excluded.duration_ms, result = excluded.result`,
};
