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

/** Distinct files touched per bucket. */
export const filesChanged = defineMetric({
  id: 'files-changed',
  version: 1,
  title: 'Files changed',
  definition:
    'The number of distinct file paths touched (added, modified, deleted, renamed or copied, as ' +
    'git log --numstat -M lists them; a renamed file under its new path) per bucket, by commits ' +
    'placed by author date (committer date with date=committer) in UTC buckets, over the commits ' +
    'reachable from the default branch (every ref with refs=all). Merge commits touch no file: ' +
    'files count on the commits that changed them. In a group, a path counts once however many ' +
    'repositories have it. With a path filter only the files it matches count. ' +
    PATH_RULE +
    ' The total counts distinct paths over the whole range, so it is not the sum of the buckets; ' +
    'detail.commitsWithoutFiles counts the commits whose files are not collected yet.',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const match = pathCondition(b, context, 'fc.path', p.path);
    // Each (bucket, path) once, then counted: cheaper than a distinct count within each group.
    return [
      b.build(`WITH ${scopedCommits(b, context, p)}, ${scopedFiles(b, context, p)},
        touched AS (SELECT DISTINCT ${bucketOf(p.granularity, 'fc.t')} AS t, fc.path
          FROM scoped_files fc WHERE ${match})
        SELECT 0 AS kind, t, CAST(count(*) AS BIGINT) AS files FROM touched GROUP BY 2
        UNION ALL SELECT 1, NULL, CAST(count(DISTINCT path) AS BIGINT) FROM touched
        UNION ALL SELECT 2, NULL, CAST(count(*) AS BIGINT) FROM scoped WHERE lines_added IS NULL
        ORDER BY 1, 2`),
    ];
  },
  shape([rows = []], p) {
    const of = (kind: number) => rows.filter((row) => Number(row.kind) === kind);
    return {
      kind: 'timeseries',
      points: fillSeries(of(0), ['files'], p.granularity, p),
      total: { files: Number(of(1)[0]?.files ?? 0) },
      detail: { commitsWithoutFiles: Number(of(2)[0]?.files ?? 0) },
    };
  },
});
