import { z } from 'zod';
import { fillSeries } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { bots, granularity, identity, orderedRange, range } from '../params.js';
import { JOIN_AUTHORS, authors, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';

const params = orderedRange(z.strictObject({ granularity, ...range, identity, bots }));

/** Distinct people with a commit per bucket [CHAOSS Contributors]. */
export const contributors = defineMetric({
  id: 'contributors',
  version: 1,
  title: 'Contributors',
  definition:
    'The number of distinct people who authored at least one commit in each bucket (author date, ' +
    'UTC), over the commits reachable from the default branch, merges included. People are ' +
    'resolved through .mailmap, explicit merges and lower-cased email (identity=person), or ' +
    'counted by lower-cased email (identity=email) or exact name and email (identity=raw); bots ' +
    'count unless bots=exclude. The total counts distinct people over the whole range, so it is ' +
    'not the sum of the buckets. [CHAOSS: Contributors]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        active AS (SELECT s.t, a.person FROM scoped s ${JOIN_AUTHORS} ${humans})
        SELECT ${bucketOf(p.granularity)} AS t, count(DISTINCT person) AS contributors
        FROM active GROUP BY 1
        UNION ALL SELECT NULL, count(DISTINCT person) FROM active
        ORDER BY 1 NULLS LAST`),
    ];
  },
  shape([rows = []], p) {
    const buckets = rows.filter((row) => row.t !== null);
    const total = rows.find((row) => row.t === null);
    return {
      kind: 'timeseries',
      points: fillSeries(buckets, ['contributors'], p.granularity, p),
      total: { contributors: Number(total?.contributors ?? 0) },
    };
  },
});
