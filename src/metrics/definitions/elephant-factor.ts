import { z } from 'zod';
import { defineMetric } from '../metric.js';
import { GRANULARITIES, orderedRange, range, share } from '../params.js';
import { authors, organizations, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';
import {
  botsExcluded,
  contribCte,
  factorSelect,
  shapeFactor,
} from './contributor-absence-factor.js';

const params = orderedRange(
  z.strictObject({
    ...range,
    threshold: share.default(0.5),
    bots: botsExcluded,
    granularity: z.enum(GRANULARITIES).optional(),
  }),
);

/** The contributor absence factor over organisations [CHAOSS Elephant Factor]. */
export const elephantFactor = defineMetric({
  id: 'elephant-factor',
  version: 1,
  title: 'Elephant factor',
  definition:
    'The smallest number of organisations whose commits, taken from the most to the fewest, add ' +
    'up to more than the threshold share (default 0.5, strictly between 0 and 1, compared ' +
    'exactly to six decimals) of all commits in the range (author date), over the commits ' +
    'reachable from the default branch, merges included. A commit’s organisation is its ' +
    'author’s in the affiliation map at the commit’s date when one is configured and holds ' +
    'that date, else the domain of the author’s email after .mailmap, public mail providers ' +
    'counting as "independent" (one organisation). Bots are left out unless bots=include. One ' +
    'value with the organisations counted, or with a granularity a series per UTC bucket (0 ' +
    'for a bucket without commits) whose total is the factor over the whole range. No value ' +
    'when the range has no commits. [CHAOSS: Elephant Factor]',
  kind: 'scalar',
  kindWithGranularity: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE o.is_bot = 0' : '';
    const bucket = p.granularity === undefined ? undefined : bucketOf(p.granularity, 'o.t');
    const perBucket =
      bucket === undefined
        ? `per_bucket AS (SELECT CAST(NULL AS TIMESTAMPTZ) AS t, o.organization AS who,
            CAST(count(*) AS BIGINT) AS commits FROM orgs o ${humans} GROUP BY o.organization)`
        : `per_bucket AS (SELECT ${bucket} AS t, o.organization AS who,
            CAST(count(*) AS BIGINT) AS commits FROM orgs o ${humans}
            GROUP BY ${bucket}, o.organization)`;
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, 'person')},
        ${organizations(b, context)},
        ${perBucket},
        ${contribCte(p.granularity)},
        ${factorSelect(b, p.threshold)}`),
    ];
  },
  shape([rows = []], p) {
    return shapeFactor(rows, p, 'organizations');
  },
});
