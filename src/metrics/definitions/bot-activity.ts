import { z } from 'zod';
import { fillSeries } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { granularity, orderedRange, range } from '../params.js';
import { JOIN_AUTHORS, authors, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';

/** `a,b , c` to `['a', 'b', 'c']`. */
const splitPatterns = (text: string): string[] =>
  text
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');

/** Comma-separated SQL LIKE patterns, normalised (trimmed, no empty ones). */
const patterns = z
  .string()
  .transform((text) => splitPatterns(text).join(','))
  .refine((text) => text !== '', 'expected one or more comma-separated LIKE patterns');

const params = orderedRange(
  z.strictObject({ granularity, ...range, patterns: patterns.optional() }),
);

/** Commits by bots and by humans [CHAOSS Bot Activity]. */
export const botActivity = defineMetric({
  id: 'bot-activity',
  version: 1,
  title: 'Bot activity',
  definition:
    'The commits authored by bots and by humans per bucket (author date, UTC), and the bots’ ' +
    'share of them (0 when the bucket has none), over the commits reachable from the default ' +
    'branch, merges included. A person (resolved through .mailmap, explicit merges and ' +
    'lower-cased email) is a bot when one of their names or emails, raw or after .mailmap, ' +
    'lower-cased, matches one of the configured bot patterns (SQL LIKE), or of `patterns` ' +
    '(comma-separated LIKE patterns) when given. The total is the same over the whole range. ' +
    '[CHAOSS: Bot Activity]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const override = p.patterns === undefined ? undefined : splitPatterns(p.patterns);
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)},
        ${authors(b, context, 'person', override)},
        per_alias AS (SELECT ${bucketOf(p.granularity, 's.t')} AS t, s.repo_id, s.author_name,
            s.author_email, count(*) AS commits
          FROM scoped s GROUP BY ${bucketOf(p.granularity, 's.t')}, s.repo_id, s.author_name,
            s.author_email)
        SELECT s.t, CAST(sum(CASE WHEN a.is_bot = 1 THEN s.commits ELSE 0 END) AS BIGINT) AS bots,
          CAST(sum(CASE WHEN a.is_bot = 1 THEN 0 ELSE s.commits END) AS BIGINT) AS humans
        FROM per_alias s ${JOIN_AUTHORS} GROUP BY s.t ORDER BY 1`),
    ];
  },
  shape([rows = []], p) {
    const points = fillSeries(rows, ['bots', 'humans'], p.granularity, p).map((point) => {
      const [bots, humans] = [Number(point.bots), Number(point.humans)];
      return { t: point.t, bots, humans, botShare: ratio(bots, humans) };
    });
    const bots = points.reduce((sum, point) => sum + point.bots, 0);
    const humans = points.reduce((sum, point) => sum + point.humans, 0);
    return {
      kind: 'timeseries',
      points,
      total: { bots, humans, botShare: ratio(bots, humans) },
    };
  },
});

const ratio = (bots: number, humans: number): number =>
  bots + humans === 0 ? 0 : bots / (bots + humans);
