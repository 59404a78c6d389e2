import { z } from 'zod';
import { fillSeries, toDate } from '../buckets.js';
import { defineMetric, type MetricResult } from '../metric.js';
import type { QueryRow } from '../../store/index.js';
import {
  GRANULARITIES,
  identity,
  orderedRange,
  range,
  share,
  type Granularity,
} from '../params.js';
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
 * What the factor of each group of `contrib` (t, who, commits; t null for the whole range) is
 * made of: the smallest number of keys whose commits, largest first, add up to more than the
 * threshold share of the group's commits. Keys with equal commits are taken together, so the
 * window sorts a few distinct counts rather than every key. Rows:
 *
 * - `factor` (t, total, commits, sum_before, keys_before): the run of keys with `commits` commits
 *   each during which the sum passes the threshold, `sum_before` the commits and `keys_before` the
 *   keys of larger runs; the shape finds how many keys of the run are needed.
 * - `member` (who, name, commits, total), for the whole range: every key with at least the
 *   commits of that run (ties included: the shape breaks them). `names` is a query of (who,
 *   name), possibly several names for a key (a row each: the shape keeps the smallest); without
 *   it, a key is its own name.
 */
export function factorSelect(b: SqlBuilder, threshold: number, names?: string): string {
  const limit = b.bind(Math.round(threshold * SCALE));
  return `runs AS (SELECT t, commits, CAST(count(*) AS BIGINT) AS n FROM contrib
      GROUP BY t, commits),
    cumulated AS (SELECT t, commits, n,
        CAST(sum(commits * n) OVER (PARTITION BY t ORDER BY commits DESC
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS upto,
        CAST(sum(n) OVER (PARTITION BY t ORDER BY commits DESC
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS keys_upto,
        CAST(sum(commits * n) OVER (PARTITION BY t) AS BIGINT) AS total
      FROM runs),
    crossing AS (SELECT t, commits, total, upto - commits * n AS sum_before,
        keys_upto - n AS keys_before FROM cumulated WHERE upto * ${SCALE} > ${limit} * total
        AND (upto - commits * n) * ${SCALE} <= ${limit} * total)
    SELECT 'factor' AS row_kind, t, total, commits, sum_before, keys_before, NULL AS who,
        NULL AS name FROM crossing
    UNION ALL SELECT 'member', NULL, x.total, c.commits, NULL, NULL, c.who,
        ${names === undefined ? 'c.who' : 'n.name'}
      FROM contrib c JOIN crossing x ON x.t IS NULL AND c.t IS NULL AND c.commits >= x.commits
      ${names === undefined ? '' : `LEFT JOIN (${names}) n ON n.who = c.who`}`;
}

/**
 * The factor from a `factor` row: the keys of the larger runs, plus the fewest keys j of the
 * crossing run with (sum_before + j × commits) / total > threshold, in exact integers.
 */
function factorOf(row: QueryRow, threshold: number): number {
  const big = (value: unknown) => BigInt(Number(value));
  const scale = BigInt(SCALE);
  const room = big(Math.round(threshold * SCALE)) * big(row.total) - big(row.sum_before) * scale;
  return Number(row.keys_before) + Number(room / (big(row.commits) * scale)) + 1;
}

/** `contrib` from per-bucket counts `per_bucket` (t, who, commits): adds the whole range. */
export function contribCte(granularity: Granularity | undefined): string {
  if (granularity === undefined) return 'contrib AS (SELECT * FROM per_bucket)';
  return `contrib AS (SELECT * FROM per_bucket
      UNION ALL SELECT NULL, who, CAST(sum(commits) AS BIGINT) FROM per_bucket GROUP BY who)`;
}

/** The result of `factorSelect`'s rows: a series when bucketed, else one value with who counts. */
export function shapeFactor(
  rows: readonly QueryRow[],
  p: { threshold: number; granularity?: Granularity | undefined; from?: string; to?: string },
  members: 'people' | 'organizations',
): MetricResult {
  const factors = rows.filter((row) => row.row_kind === 'factor');
  const whole = factors.find((row) => row.t === null);
  const factor = whole === undefined ? null : factorOf(whole, p.threshold);
  const totalCommits = Number(whole?.total ?? 0);
  if (p.granularity !== undefined) {
    const buckets = factors
      .filter((row) => row.t !== null)
      .map((row) => ({ t: toDate(row.t), factor: factorOf(row, p.threshold) }));
    return {
      kind: 'timeseries',
      points: fillSeries(buckets, ['factor'], p.granularity, p),
      total: { factor: factor ?? 0 },
      detail: { threshold: p.threshold, totalCommits },
    };
  }
  // A key named several ways (a person's names used equally often) comes once per name: the
  // smallest is kept.
  const byKey = new Map<string, { key: string; name: string; commits: number }>();
  for (const row of rows) {
    if (row.row_kind !== 'member') continue;
    const member = { key: String(row.who), name: String(row.name), commits: Number(row.commits) };
    const seen = byKey.get(member.key);
    if (seen === undefined || compare(member.name, seen.name) < 0) byKey.set(member.key, member);
  }
  const ranked = [...byKey.values()]
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

/** Each person's names used most often (ties: each one; the shape keeps the smallest). */
const NAMES = 'SELECT person AS who, name FROM person_names';

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
  kindWithGranularity: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    // Without buckets, `authors` has each alias's commits already.
    const perAlias =
      p.granularity === undefined
        ? `per_alias AS (SELECT CAST(NULL AS TIMESTAMPTZ) AS t, repo_id, author_name,
            author_email, commits FROM authors)`
        : `per_alias AS (SELECT ${bucketOf(p.granularity, 's.t')} AS t, s.repo_id, s.author_name,
            s.author_email, count(*) AS commits FROM scoped s
            GROUP BY ${bucketOf(p.granularity, 's.t')}, s.repo_id, s.author_name, s.author_email)`;
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        ${perAlias},
        per_bucket AS (SELECT s.t, a.person AS who, CAST(sum(s.commits) AS BIGINT) AS commits
          FROM per_alias s ${JOIN_AUTHORS} ${humans} GROUP BY s.t, a.person),
        ${contribCte(p.granularity)},
        ${factorSelect(b, p.threshold, NAMES)}`),
    ];
  },
  shape([rows = []], p) {
    return shapeFactor(rows, p, 'people');
  },
});
