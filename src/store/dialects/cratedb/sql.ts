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

/**
 * The PostgreSQL family's statements as CrateDB runs them: the shared ones, with what CrateDB
 * lacks rewritten.
 *
 * - `UPDATE … FROM` (moving the staged totals onto the commits) becomes an upsert of the joined
 *   rows, `INSERT … SELECT … ON CONFLICT (repo_id, sha) DO UPDATE`: the same rows change, and
 *   running it twice changes nothing more. PostgreSQL runs it alike (see `cratedb.test.ts`).
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

  writeResult: `INSERT INTO metric_results
      (key, metric, version, repositories, params, data_version, computed_at, duration_ms, result)
    VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS TIMESTAMPTZ), $8, CAST($9 AS OBJECT))
    ON CONFLICT (key) DO UPDATE SET metric = excluded.metric, version = excluded.version,
      repositories = excluded.repositories, params = excluded.params,
      data_version = excluded.data_version, computed_at = excluded.computed_at,
      duration_ms = excluded.duration_ms, result = excluded.result`,
};
