import { z } from 'zod';
import { bucketRange, isoDay, toDate } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { bots, granularity, identity, orderedRange, positive, range } from '../params.js';
import { authors, scopedCommits } from '../scope.js';
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
    // Between a commit c and the person's next one n (none: for ever), the person is inactive at
    // every bucket end E with c + interval < E <= n: the buckets starting in
    // [bucket(c + interval), bucket(n)). Each such run is sent as +1 at its start and -1 at its
    // end; the shape adds them up in bucket order. Only gaps longer than the interval can hold
    // a run, and for those bucket(n) >= bucket(c + interval), so an empty run cancels out. The
    // gaps are measured in seconds (cheap) before any calendar arithmetic (costly) is done, and
    // people are numbered so that the window sorts integers, not strings.
    const interval = `CAST(${b.bind(`${p.interval} days`)} AS INTERVAL)`;
    const seconds = b.bind(p.interval * 86_400);
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        numbered AS (SELECT person, dense_rank() OVER (ORDER BY person) AS pid
          FROM (SELECT DISTINCT person FROM authors) x),
        alias_ids AS (SELECT a.repo_id, a.author_name, a.author_email, n.pid
          FROM authors a JOIN numbered n ON n.person = a.person ${humans}),
        gaps AS (SELECT s.t, lead(s.t) OVER (PARTITION BY a.pid ORDER BY s.t) AS next_t
          FROM scoped s JOIN alias_ids a ON a.repo_id = s.repo_id
            AND a.author_name = s.author_name AND a.author_email = s.author_email),
        runs AS (SELECT ${bucketOf(p.granularity, `t + ${interval}`)} AS lo,
            ${bucketOf(p.granularity, 'next_t')} AS hi FROM gaps
          WHERE next_t IS NULL OR extract(epoch FROM next_t) - extract(epoch FROM t) > ${seconds})
        SELECT 'delta' AS row_kind, lo AS t, CAST(count(*) AS BIGINT) AS delta,
            CAST(NULL AS TIMESTAMPTZ) AS first_at
          FROM runs GROUP BY lo
        UNION ALL SELECT 'delta', hi, -CAST(count(*) AS BIGINT), NULL FROM runs
          WHERE hi IS NOT NULL GROUP BY hi
        UNION ALL SELECT 'span', max(last_at), NULL, min(first_at) FROM authors`),
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
    for (const [t, delta] of deltas)
      if (buckets[0] !== undefined && t < buckets[0]) inactive += delta;
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
