import { z } from 'zod';
import { bucketRange, fillSeries, isoDay, toDate } from '../buckets.js';
import { defineMetric, type TimePoint } from '../metric.js';
import { GRANULARITIES, orderedRange, range } from '../params.js';
import { scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';

const params = orderedRange(
  z.strictObject({
    granularity: z.enum(GRANULARITIES).default('week'),
    window: z.coerce.number().int().min(1).max(1000).default(12),
    k: z.coerce.number().min(0).max(100).default(2),
    ...range,
  }),
);

/** Buckets with unusually many commits [CHAOSS Burstiness]. */
export const burstiness = defineMetric({
  id: 'burstiness',
  version: 1,
  title: 'Burstiness',
  definition:
    'Commits per bucket (author date, UTC buckets, default week; the commits reachable from the ' +
    'default branch, merges included) and the buckets that are bursts: a bucket is a burst when ' +
    'its commits exceed threshold = mean + k × standard deviation of the window buckets just ' +
    'before it (default window 12, k 2). The mean and the population standard deviation (divided ' +
    'by window) are over exactly the previous window buckets, empty ones counting 0; the bucket ' +
    'itself is not in its window. The series starts at the bucket of the first commit: before ' +
    'window buckets exist, mean and threshold are those of the buckets there are (0 with none) ' +
    'and no burst is flagged. The windows look back before from, so a bucket’s values do not ' +
    'depend on the range. Total: commits in the range and the number of bursts. ' +
    '[CHAOSS: Burstiness]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    // History before `from` is read too: the first windows of the range look back into it.
    const scope = { refs: 'default', merges: 'include', date: 'author', to: p.to } as const;
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}
        SELECT ${bucketOf(p.granularity)} AS t, CAST(count(*) AS BIGINT) AS commits
        FROM scoped GROUP BY 1 ORDER BY 1`),
    ];
  },
  shape([rows = []], p) {
    const history = fillSeries(rows, ['commits'], p.granularity, { to: p.to });
    const stats = new Map<string, TimePoint>();
    history.forEach((point, i) => {
      const window = history.slice(Math.max(0, i - p.window), i).map((w) => Number(w.commits));
      const mean = window.length === 0 ? 0 : window.reduce((s, x) => s + x, 0) / window.length;
      const variance =
        window.length === 0 ? 0 : window.reduce((s, x) => s + (x - mean) ** 2, 0) / window.length;
      const threshold = mean + p.k * Math.sqrt(variance);
      const commits = Number(point.commits);
      const burst = window.length === p.window && commits > threshold ? 1 : 0;
      stats.set(point.t, { t: point.t, commits, mean, threshold, burst });
    });
    // The points of the range: the history's in it, zeros for buckets before the first commit.
    const shown =
      p.from === undefined
        ? history.map((point) => point.t)
        : bucketRange(
            rows.map((row) => toDate(row.t)),
            p.granularity,
            p,
          ).map(isoDay);
    const points = shown.map(
      (t) => stats.get(t) ?? { t, commits: 0, mean: 0, threshold: 0, burst: 0 },
    );
    return {
      kind: 'timeseries',
      points,
      total: {
        commits: points.reduce((s, point) => s + Number(point.commits), 0),
        bursts: points.reduce((s, point) => s + Number(point.burst), 0),
      },
      detail: { window: p.window, k: p.k, standardDeviation: 'population' },
    };
  },
});
