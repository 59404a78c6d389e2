import { z } from 'zod';
import { fillSeries } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { PATH_RULE, pathCondition, pathParam } from '../path-filter.js';
import { dateKind, granularity, merges, orderedRange, range, refs } from '../params.js';
import { scopedCommits, scopedFiles } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';

const params = orderedRange(
  z.strictObject({ granularity, ...range, date: dateKind, merges, refs, path: pathParam }),
);

const FIELDS = ['added', 'deleted', 'changed'] as const;

/** Lines added and deleted per bucket [CHAOSS Code Changes Lines]. */
export const linesChanged = defineMetric({
  id: 'lines-changed',
  version: 1,
  title: 'Lines changed',
  definition:
    'Lines added, lines deleted and their sum (changed) per bucket, as git log --numstat -M ' +
    'counts them: a modified line counts once as deleted and once as added, binary files count ' +
    '0. Commits are placed by author date (committer date with date=committer) in UTC buckets, ' +
    'over the commits reachable from the default branch (every ref with refs=all); a commit ' +
    'reachable from several repositories of a group counts once. Merge commits count 0 lines ' +
    '(lines count on the commits that introduced them); merges=exclude drops them, which changes ' +
    'no line count. With a path filter only the files it matches count. ' +
    PATH_RULE +
    ' Commits whose line counts are not collected yet count 0; detail.commitsWithoutLines says ' +
    'how many there were. [CHAOSS: Code Changes Lines]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scoped = scopedCommits(b, context, p);
    const bucket = bucketOf(p.granularity);
    // Commits the files pass has not reached: their lines (and files) are unknown.
    const missing = `SELECT NULL AS t, CAST(0 AS BIGINT) AS added, CAST(0 AS BIGINT) AS deleted,
        CAST(count(*) AS BIGINT) AS missing FROM scoped WHERE lines_added IS NULL`;
    if (p.path === undefined) {
      return [
        b.build(`WITH ${scoped}
          SELECT ${bucket} AS t, CAST(coalesce(sum(lines_added), 0) AS BIGINT) AS added,
            CAST(coalesce(sum(lines_deleted), 0) AS BIGINT) AS deleted,
            CAST(0 AS BIGINT) AS missing
          FROM scoped GROUP BY 1
          UNION ALL ${missing}
          ORDER BY 1 NULLS LAST`),
      ];
    }
    const match = pathCondition(b, context, 'fc.path', p.path);
    return [
      b.build(`WITH ${scoped}, ${scopedFiles(b, context, p)}
        SELECT ${bucketOf(p.granularity, 'fc.t')} AS t,
          CAST(sum(fc.lines_added) AS BIGINT) AS added,
          CAST(sum(fc.lines_deleted) AS BIGINT) AS deleted, CAST(0 AS BIGINT) AS missing
        FROM scoped_files fc WHERE ${match} GROUP BY 1
        UNION ALL ${missing}
        ORDER BY 1 NULLS LAST`),
    ];
  },
  shape([rows = []], p) {
    const buckets = rows
      .filter((row) => row.t !== null)
      .map((row) => ({
        t: row.t,
        added: Number(row.added),
        deleted: Number(row.deleted),
        changed: Number(row.added) + Number(row.deleted),
      }));
    const points = fillSeries(buckets, FIELDS, p.granularity, p);
    const total = Object.fromEntries(
      FIELDS.map((field) => [field, buckets.reduce((sum, row) => sum + Number(row[field]), 0)]),
    );
    const commitsWithoutLines = rows.reduce((sum, row) => sum + Number(row.missing), 0);
    return { kind: 'timeseries', points, total, detail: { commitsWithoutLines } };
  },
});
