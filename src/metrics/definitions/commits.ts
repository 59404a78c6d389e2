import { z } from 'zod';
import { fillSeries } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { dateKind, granularity, merges, orderedRange, range, refs } from '../params.js';
import { scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';

const params = orderedRange(
  z.strictObject({ granularity, ...range, date: dateKind, merges, refs }),
);

/** Commits per bucket [CHAOSS Code Changes Commits]. */
export const commits = defineMetric({
  id: 'commits',
  version: 1,
  title: 'Commits',
  definition:
    'The number of commits per bucket, placed by author date (or committer date with ' +
    'date=committer) in UTC buckets, over the commits reachable from the default branch (every ' +
    'branch and tag with refs=all). Merge commits count unless merges=exclude. A commit reachable ' +
    'from several repositories of a group counts once. The total is the number of commits in the ' +
    'range. [CHAOSS: Code Changes Commits]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    return [
      b.build(`WITH ${scopedCommits(b, context, p)}
        SELECT ${bucketOf(p.granularity)} AS t, count(*) AS commits
        FROM scoped GROUP BY 1 ORDER BY 1`),
    ];
  },
  shape([rows = []], p) {
    const points = fillSeries(rows, ['commits'], p.granularity, p);
    return {
      kind: 'timeseries',
      points,
      total: { commits: rows.reduce((sum, row) => sum + Number(row.commits), 0) },
    };
  },
});
