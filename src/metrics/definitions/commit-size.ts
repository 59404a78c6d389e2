import { z } from 'zod';
import { defineMetric } from '../metric.js';
import { dateKind, merges, orderedRange, range, refs } from '../params.js';
import { scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';

const params = orderedRange(z.strictObject({ ...range, date: dateKind, merges, refs }));

/** The histogram's buckets: lines changed from `min` to `max` inclusive (`null`: no upper end). */
export const COMMIT_SIZE_BUCKETS: readonly { readonly min: number; readonly max: number | null }[] =
  [
    { min: 0, max: 0 },
    { min: 1, max: 9 },
    { min: 10, max: 49 },
    { min: 50, max: 99 },
    { min: 100, max: 499 },
    { min: 500, max: 999 },
    { min: 1000, max: 4999 },
    { min: 5000, max: null },
  ];

const label = ({ min, max }: { min: number; max: number | null }): string =>
  max === null ? `${min}+` : min === max ? `${min}` : `${min}-${max}`;

/** Commits by lines changed, in fixed buckets. */
export const commitSize = defineMetric({
  id: 'commit-size',
  version: 1,
  title: 'Commit size',
  definition:
    'A histogram of commits by lines changed (lines added plus lines deleted, as git log ' +
    '--numstat -M counts them, binary files 0), in fixed buckets: 0, 1–9, 10–49, 50–99, ' +
    '100–499, 500–999, 1000–4999 and 5000 or more. Commits reachable from the default branch ' +
    '(every ref with refs=all), in the range by author date (committer date with date=committer); ' +
    'a commit reachable from several repositories of a group counts once. Merge commits count 0 ' +
    'lines, so they fall in the 0 bucket unless merges=exclude. share is the bucket’s commits ' +
    'over all commits counted. Commits whose line counts are not collected yet are left out; ' +
    'detail.commitsWithoutLines says how many.',
  kind: 'table',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    // The edges are this file's constants, not user values.
    const cases = COMMIT_SIZE_BUCKETS.map((bucket, i) =>
      bucket.max === null ? `ELSE ${i}` : `WHEN n <= ${bucket.max} THEN ${i}`,
    ).join(' ');
    return [
      b.build(`WITH ${scopedCommits(b, context, p)},
        sizes AS (SELECT lines_added + lines_deleted AS n FROM scoped)
        SELECT CASE WHEN n IS NULL THEN -1 ${cases} END AS bucket, CAST(count(*) AS BIGINT) AS commits
        FROM sizes GROUP BY 1 ORDER BY 1`),
    ];
  },
  shape([rows = []]) {
    const counts = new Map(rows.map((row) => [Number(row.bucket), Number(row.commits)]));
    const known = rows
      .filter((row) => Number(row.bucket) >= 0)
      .reduce((sum, row) => sum + Number(row.commits), 0);
    return {
      kind: 'table',
      columns: ['bucket', 'min', 'max', 'commits', 'share'],
      rows: COMMIT_SIZE_BUCKETS.map((bucket, i) => {
        const commits = counts.get(i) ?? 0;
        return {
          bucket: label(bucket),
          min: bucket.min,
          max: bucket.max,
          commits,
          share: known === 0 ? 0 : commits / known,
        };
      }),
      detail: { commits: known, commitsWithoutLines: counts.get(-1) ?? 0 },
    };
  },
});
