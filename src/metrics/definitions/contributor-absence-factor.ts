import { z } from 'zod';
import { fillSeries, toDate } from '../buckets.js';
import { defineMetric, type MetricResult } from '../metric.js';
import type { QueryRow } from '../../store/index.js';
import { GRANULARITIES, identity, orderedRange, range, share, type Granularity } from '../params.js';
import { JOIN_AUTHORS, authors, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';
import { compare } from './top-contributors.js';

/** Bots are left out of the factors unless asked for: a bot is nobody's absence. */
export const botsExcluded = z.enum(['include', 'exclude']).default('exclude');

const params = orderedRange(
  z.strictObject({
    ...range,
    threshold: share.default(0.5),
    identity,
    bots: botsExcluded,
    granularity: z.enum(GRANULARITIES).optional(),
  }),
);

/** Shares are compared in millionths, as integers: no rounding error at the boundary. */
const SCALE = 1_000_000;

/**
 * The factor of each group of `contrib` (t, key, name, commits; t null for the whole range): the
 * smallest number of keys whose commits, largest first, add up to more than the threshold share
 * of the group's commits. Rows: `factor` rows (t, factor, total) and, for the whole range,
 * `member` rows (key, name, commits, total) for every key ranked within the factor (ties
 * included: the shape breaks them).
 */
export function factorSelect(b: SqlBuilder, threshold: number): string {
  const limit = b.bind(Math.round(threshold * SCALE));
  return `ranked AS (SELECT t, key, name, commits,
        CAST(sum(commits) OVER (PARTITION BY t ORDER BY commits DESC
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS cum,
        CAST(sum(commits) OVER (PARTITION BY t) AS BIGINT) AS total,
        rank() OVER (PARTITION BY t ORDER BY commits DESC) AS place
      FROM contrib),
    factors AS (SELECT t, CAST(1 + sum(CASE WHEN cum * ${SCALE} <= ${limit} * total THEN 1
        ELSE 0 END) AS BIGINT) AS factor, max(total) AS total
      FROM ranked GROUP BY t)
    SELECT 'factor' AS row_kind, t, factor, total, NULL AS key, NULL AS name, NULL AS commits
      FROM factors
    UNION ALL SELECT 'member', NULL, NULL, r.total, r.key, r.name, r.commits
      FROM ranked r JOIN factors f ON f.t IS NULL AND r.t IS NULL AND r.place <= f.factor`;
}

/** `contrib` from per-bucket counts `per_bucket` (t, key, name, commits): adds the whole range. */
export function contribCte(granularity: Granularity | undefined): string {
  if (granularity === undefined) return 'contrib AS (SELECT * FROM per_bucket)';
  return `contrib AS (SELECT * FROM per_bucket UNION ALL SELECT NULL, key, min(name),
      sum(commits) FROM per_bucket GROUP BY key)`;
}

/** The result of `factorSelect`'s rows: a series when bucketed, else one value with who counts. */
export function shapeFactor(
  rows: readonly QueryRow[],
  p: { threshold: number; granularity?: Granularity | undefined; from?: string; to?: string },
  members: 'people' | 'organizations',
): MetricResult {
  const factors = rows.filter((row) => row.row_kind === 'factor');
  const whole = factors.find((row) => row.t === null);
  const factor = whole === undefined ? null : Number(whole.factor);
  const totalCommits = Number(whole?.total ?? 0);
  if (p.granularity !== undefined) {
    const buckets = factors.filter((row) => row.t !== null).map((row) => ({ ...row, t: toDate(row.t) }));
    return {
      kind: 'timeseries',
      points: fillSeries(buckets, ['factor'], p.granularity, p),
      total: { factor: factor ?? 0 },
      detail: { threshold: p.threshold, totalCommits },
    };
  }
  const ranked = rows
    .filter((row) => row.row_kind === 'member')
    .map((row) => ({ key: String(row.key), name: String(row.name), commits: Number(row.commits) }))
    .sort((x, y) => y.commits - x.commits || compare(x.name, y.name) || compare(x.key, y.key))
    .slice(0, factor ?? 0);
  const list =
    members === 'people'
      ? ranked.map((m) => ({
          person: m.key,
          name: m.name,
          commits: m.commits,
          share: m.commits / totalCommits,
        }))
      : ranked.map((m) => ({
          organization: m.key,
          commits: m.commits,
          share: m.commits / totalCommits,
        }));
  return {
    kind: 'scalar',
    value: factor,
    detail: { threshold: p.threshold, totalCommits, [members]: list },
  };
}

/** The bus factor [CHAOSS Contributor Absence Factor]. */
export const contributorAbsenceFactor = defineMetric({
  id: 'contributor-absence-factor',
  version: 1,
  title: 'Contributor absence factor',
  definition:
    'The smallest number of people whose commits, taken from the most to the fewest, add up to ' +
    'more than the threshold share (default 0.5, strictly between 0 and 1, compared exactly to ' +
    'six decimals) of all commits in the range (author date), over the commits reachable from ' +
    'the default branch, merges included. Commits A 6, B 3, C 1 give 1 at 0.5; A 5, B 4, C 1 ' +
    'give 2, since exactly half is not more than half. Bots are left out unless bots=include. ' +
    'People are resolved through .mailmap, explicit merges and lower-cased email ' +
    '(identity=person), or by lower-cased email (identity=email) or exact name and email ' +
    '(identity=raw). One value with the people counted (ties ordered by name), or with a ' +
    'granularity a series of the factor per UTC bucket (0 for a bucket without commits) whose ' +
    'total is the factor over the whole range. No value when the range has no commits. ' +
    '[CHAOSS: Contributor Absence Factor]',
  kind: 'scalar',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    const bucket = p.granularity === undefined ? 'NULL' : bucketOf(p.granularity, 's.t');
    const perAlias =
      p.granularity === undefined
        ? `per_alias AS (SELECT CAST(NULL AS TIMESTAMPTZ) AS t, s.repo_id, s.author_name,
            s.author_email, count(*) AS commits FROM scoped s
            GROUP BY s.repo_id, s.author_name, s.author_email)`
        : `per_alias AS (SELECT ${bucket} AS t, s.repo_id, s.author_name, s.author_email,
            count(*) AS commits FROM scoped s
            GROUP BY ${bucket}, s.repo_id, s.author_name, s.author_email)`;
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        ${perAlias},
        per_bucket AS (SELECT s.t, a.person AS key, min(a.person_name) AS name,
            CAST(sum(s.commits) AS BIGINT) AS commits
          FROM per_alias s ${JOIN_AUTHORS} ${humans} GROUP BY s.t, a.person),
        ${contribCte(p.granularity)},
        ${factorSelect(b, p.threshold)}`),
    ];
  },
  shape([rows = []], p) {
    return shapeFactor(rows, p, 'people');
  },
});
