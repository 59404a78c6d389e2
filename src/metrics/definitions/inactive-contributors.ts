import { z } from 'zod';
import { bucketRange, isoDay, toDate } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { bots, granularity, identity, orderedRange, positive, range } from '../params.js';
import { JOIN_AUTHORS, authors, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';
import { spanOf } from './new-contributors.js';

const params = orderedRange(
  z.strictObject({ granularity, interval: positive.default(180), ...range, identity, bots }),
);

/** People gone quiet: no commit for `interval` days at the end of the bucket [CHAOSS]. */
export const inactiveContributors = defineMetric({
  id: 'inactive-contributors',
  version: 1,
  title: 'Inactive contributors',
  definition:
    'For each bucket, the number of people who authored a commit before the end of the bucket ' +
    'but none in the `interval` days (default 180) before it: with E the end of the bucket (the ' +
    'start of the next one, UTC), a person counts when their last commit before E is earlier ' +
    'than E minus the interval. Commits are those reachable from the default branch over the ' +
    'whole history, merges included, by author date; the range only chooses which buckets are ' +
    'shown. People are resolved through .mailmap, explicit merges and lower-cased email ' +
    '(identity=person), or by lower-cased email (identity=email) or exact name and email ' +
    '(identity=raw); bots count unless bots=exclude. The total is the number inactive at the ' +
    'end of the range (the last bucket). [CHAOSS: Inactive Contributors]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author' } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    // Bucket ends and the interval are whole UTC days, so only the day of each commit matters.
    // Between a commit c and the person's next one n (none: for ever), the person is inactive at
    // every bucket end E with c + interval < E <= n: the buckets starting in
    // [bucket(c + interval), bucket(n)). Each such run is sent as +1 at its start and -1 at its
    // end; the shape adds them up in bucket order.
    const interval = `CAST(${b.bind(`${p.interval} days`)} AS INTERVAL)`;
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        alias_days AS (SELECT s.repo_id, s.author_name, s.author_email,
            ${bucketOf('day', 's.t')} AS day
          FROM scoped s GROUP BY s.repo_id, s.author_name, s.author_email, ${bucketOf('day', 's.t')}),
        person_days AS (SELECT DISTINCT a.person, s.day FROM alias_days s ${JOIN_AUTHORS} ${humans}),
        gaps AS (SELECT day, lead(day) OVER (PARTITION BY person ORDER BY day) AS next_day
          FROM person_days),
        runs AS (SELECT ${bucketOf(p.granularity, `day + ${interval}`)} AS lo,
            ${bucketOf(p.granularity, 'next_day')} AS hi FROM gaps),
        kept AS (SELECT lo, hi FROM runs WHERE hi IS NULL OR hi > lo)
        SELECT 'delta' AS row_kind, lo AS t, CAST(count(*) AS BIGINT) AS delta, NULL AS first_at
          FROM kept GROUP BY lo
        UNION ALL SELECT 'delta', hi, -CAST(count(*) AS BIGINT), NULL FROM kept
          WHERE hi IS NOT NULL GROUP BY hi
        UNION ALL SELECT 'span', max(day), NULL, min(day) FROM alias_days`),
    ];
  },
  shape([rows = []], p) {
    const span = spanOf(rows, p);
    const deltas = new Map<string, number>();
    for (const row of rows) {
      if (row.row_kind !== 'delta') continue;
      const t = isoDay(toDate(row.t));
      deltas.set(t, (deltas.get(t) ?? 0) + Number(row.delta));
    }
    const buckets = bucketRange([], p.granularity, span).map(isoDay);
    // Runs that started before the first bucket shown still count in it.
    let inactive = 0;
    for (const [t, delta] of deltas) if (buckets[0] !== undefined && t < buckets[0]) inactive += delta;
    const points = buckets.map((t) => {
      inactive += deltas.get(t) ?? 0;
      return { t, inactive };
    });
    return {
      kind: 'timeseries',
      points,
      total: { inactive: points.at(-1)?.inactive ?? 0 },
      detail: { interval: p.interval },
    };
  },
});
