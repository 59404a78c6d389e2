import { z } from 'zod';
import { defineMetric } from '../metric.js';
import { orderedRange, range } from '../params.js';
import { compareText as compare, scopedCommits, scopedFilesQuery } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';

const MAX_DEPTH = 10;

const params = orderedRange(
  z.strictObject({
    ...range,
    depth: z.coerce.number().int().min(1).max(MAX_DEPTH).default(1),
    limit: z.coerce.number().int().min(1).max(1000).default(20),
    by: z.enum(['commits', 'lines']).default('commits'),
  }),
);

/**
 * The directory a file counts under: its first `depth` path segments, or its parent directory when
 * that is shallower; top-level files have none (null). `depth` is a validated small integer, and
 * the LIKE patterns are constants. Computed once per distinct path.
 */
function directoryOf(path: string, depth: number): string {
  const prefix = (segments: number) =>
    Array.from({ length: segments }, (_, i) => `split_part(${path}, '/', ${i + 1})`).join(
      " || '/' || ",
    );
  const deeper = (slashes: number) => `${path} LIKE '${'%/'.repeat(slashes)}%'`;
  const whens = Array.from(
    { length: depth - 1 },
    (_, i) => `WHEN NOT ${deeper(i + 2)} THEN ${prefix(i + 1)}`,
  );
  return `CASE WHEN NOT ${deeper(1)} THEN NULL ${whens.join(' ')} ELSE ${prefix(depth)} END`;
}

/** Files and directories ranked by commits touching them or lines changed. */
export const hotspots = defineMetric({
  id: 'hotspots',
  version: 1,
  title: 'Hotspots',
  definition:
    'The files and the directories most often changed: for each file path (a renamed file under ' +
    'its new path), the commits that touched it and the lines added, deleted and changed (their ' +
    'sum) there, as git log --numstat -M counts them (binary files 0 lines); for each directory, ' +
    'the distinct commits touching any file in it and the sums of its files’ lines. A directory ' +
    'is a file’s first depth path segments (default 1), or its parent directory when shallower; ' +
    'top-level files belong to no directory. Commits reachable from the default branch with an ' +
    'author date in the range; merge commits touch no file (files count on the commits that ' +
    'changed them). In a group, a path is one row whatever the repository. Up to limit files ' +
    '(default 20) and limit directories are given, each ranked (rank 1 first) by commits ' +
    '(by=commits, the default) or lines changed (by=lines), ties broken by the other measure, ' +
    'then by path.',
  kind: 'table',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'exclude', date: 'author', ...p } as const;
    const [first, second] =
      p.by === 'commits' ? ['commits', 'added + deleted'] : ['added + deleted', 'commits'];
    // Equal measures share a rank here; the shape orders them by path in code-point order (in
    // SQL, text order follows the database's collation) and keeps the first `limit`.
    const order = `ORDER BY ${first} DESC, ${second} DESC`;
    const limit = b.bind(p.limit);
    // A commit lists a path once (git log --numstat -M), so a file's commits are its rows. A
    // directory is worked out once per distinct path (string work per row costs more than the
    // join back on path); its lines are its files' sums, its commits distinct over its rows. The
    // file changes are read twice rather than kept in a CTE (see `scopedFilesQuery`).
    const rows = () => scopedFilesQuery(b, context, scope);
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)},
        files AS (SELECT path, CAST(count(*) AS BIGINT) AS commits,
          CAST(sum(lines_added) AS BIGINT) AS added, CAST(sum(lines_deleted) AS BIGINT) AS deleted
          FROM (${rows()}) f GROUP BY path),
        file_dirs AS (SELECT path, dir FROM (SELECT path, ${directoryOf('path', p.depth)} AS dir
          FROM files) d WHERE dir IS NOT NULL),
        dir_lines AS (SELECT d.dir, CAST(sum(f.added) AS BIGINT) AS added,
          CAST(sum(f.deleted) AS BIGINT) AS deleted
          FROM files f JOIN file_dirs d ON d.path = f.path GROUP BY d.dir),
        dir_commits AS (SELECT d.dir, CAST(count(DISTINCT f.sha) AS BIGINT) AS commits
          FROM (${rows()}) f JOIN file_dirs d ON d.path = f.path GROUP BY d.dir),
        dirs AS (SELECT l.dir AS path, c.commits, l.added, l.deleted
          FROM dir_lines l JOIN dir_commits c ON c.dir = l.dir),
        ranked AS (
          SELECT 'file' AS kind, path, commits, added, deleted,
            rank() OVER (${order}) AS place FROM files
          UNION ALL
          SELECT 'directory', path, commits, added, deleted,
            rank() OVER (${order}) FROM dirs)
        SELECT kind, path, commits, added, deleted FROM ranked WHERE place <= ${limit}`),
    ];
  },
  shape([rows = []], p) {
    const all = rows.map((row) => ({
      kind: String(row.kind),
      path: String(row.path),
      commits: Number(row.commits),
      added: Number(row.added),
      deleted: Number(row.deleted),
      changed: Number(row.added) + Number(row.deleted),
    }));
    type Row = (typeof all)[number];
    const measures = (row: Row) =>
      p.by === 'commits' ? [row.commits, row.changed] : [row.changed, row.commits];
    const byRank = (x: Row, y: Row) => {
      const [x1 = 0, x2 = 0] = measures(x);
      const [y1 = 0, y2 = 0] = measures(y);
      return y1 - x1 || y2 - x2 || compare(x.path, y.path);
    };
    const ranked = (kind: string) =>
      all
        .filter((row) => row.kind === kind)
        .sort(byRank)
        .slice(0, p.limit)
        .map((row, i) => ({ ...row, rank: i + 1 }));
    return {
      kind: 'table',
      columns: ['kind', 'path', 'commits', 'added', 'deleted', 'changed', 'rank'],
      rows: [...ranked('file'), ...ranked('directory')],
    };
  },
});
