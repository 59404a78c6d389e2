/** The repositories table's columns as the row mappers read them (`toRepository`), alias `r`. */
export const REPOSITORY_COLUMNS = `r.id, r.name, r.source, r.default_branch, r.head, r.status,
  r.last_error, r.data_version, r.last_collected_at, r.schedule`;

/**
 * Repositories with their counts (`toSummary`): every one (no parameter), or only the one whose id
 * is `$1`, whose counts then read its own rows alone. Unordered: each dialect orders by name in
 * code unit order its own way. Plain SQL every backend runs (no FILTER clause for CrateDB).
 */
export function repositoriesWithCounts(one: boolean): string {
  const only = (column: string) => (one ? `WHERE ${column} = $1` : '');
  return `SELECT ${REPOSITORY_COLUMNS},
    coalesce(d.n, 0) AS commits,
    coalesce(c.n, 0) AS commits_all_refs,
    coalesce(c.merges, 0) AS merge_commits,
    coalesce(f.n, 0) AS file_changes
  FROM repositories r
  LEFT JOIN (SELECT repo_id, count(*) AS n FROM default_branch_commits ${only('repo_id')}
    GROUP BY repo_id) d ON d.repo_id = r.id
  LEFT JOIN (SELECT repo_id, count(*) AS n, sum(CASE WHEN is_merge THEN 1 ELSE 0 END) AS merges
    FROM commits ${only('repo_id')} GROUP BY repo_id) c ON c.repo_id = r.id
  LEFT JOIN (SELECT repo_id, count(*) AS n FROM file_changes ${only('repo_id')} GROUP BY repo_id) f
    ON f.repo_id = r.id
  ${only('r.id')}`;
}
