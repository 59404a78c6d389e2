import { expect } from 'vitest';
import { queryDuckDb } from './duckdb.js';
import { gitTruth } from './git.js';

/**
 * Checks that the DuckDB store file holds exactly git's data for the repository in `repoDir`:
 * the same commits (no duplicate, no missing one), merges, author emails, default branch, and per
 * commit the same touched paths and line sums as `git log --numstat` prints.
 */
export async function expectStoreMatchesGit(
  storeFile: string,
  repoDir: string,
  name: string,
): Promise<void> {
  const truth = gitTruth(repoDir);
  const id = `(SELECT id FROM repositories WHERE name = '${name.replace(/'/g, "''")}')`;
  const [counts] = await queryDuckDb(
    storeFile,
    `SELECT count(*)::INTEGER AS n, count(DISTINCT sha)::INTEGER AS distinct_n,
            count(*) FILTER (WHERE is_merge)::INTEGER AS merges
     FROM commits WHERE repo_id = ${id}`,
  );
  expect(counts).toEqual({
    n: truth.commitsAll,
    distinct_n: truth.commitsAll,
    merges: truth.merges,
  });

  const [defaults] = await queryDuckDb(
    storeFile,
    `SELECT count(*)::INTEGER AS n, count(DISTINCT sha)::INTEGER AS distinct_n
     FROM default_branch_commits WHERE repo_id = ${id}`,
  );
  expect(defaults).toEqual({ n: truth.commitsDefault, distinct_n: truth.commitsDefault });

  const emails = await queryDuckDb(
    storeFile,
    `SELECT DISTINCT author_email AS e FROM commits WHERE repo_id = ${id}`,
  );
  expect(new Set(emails.map((row) => row.e))).toEqual(truth.authorEmails);

  const stats = await queryDuckDb(
    storeFile,
    `SELECT sha, files_changed AS files, lines_added AS added, lines_deleted AS deleted
     FROM commits WHERE repo_id = ${id}`,
  );
  expect(
    new Map(stats.map((r) => [r.sha, { files: r.files, added: r.added, deleted: r.deleted }])),
  ).toEqual(truth.lines);

  const files = await queryDuckDb(
    storeFile,
    `SELECT sha, path, count(*)::INTEGER AS n FROM file_changes WHERE repo_id = ${id} GROUP BY sha, path`,
  );
  expect(files.every((row) => row.n === 1)).toBe(true);
  const stored = new Map<string, Set<string>>(
    [...truth.paths.keys()].map((sha) => [sha, new Set()]),
  );
  for (const row of files) stored.get(String(row.sha))?.add(String(row.path));
  expect(stored).toEqual(truth.paths);
  expect(files.length).toBe([...truth.paths.values()].reduce((sum, set) => sum + set.size, 0));
}
