import { z } from 'zod';
import { fillSeries, isoDay, toDate } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { bots, granularity, identity, orderedRange, range } from '../params.js';
import { authors, scopedCommits, smallest } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';
import { compare } from './top-contributors.js';

const params = orderedRange(z.strictObject({ granularity, ...range, identity, bots }));

/** People whose first commit ever falls in the bucket [CHAOSS New Contributors]. */
export const newContributors = defineMetric({
  id: 'new-contributors',
  version: 1,
  title: 'New contributors',
  definition:
    'The number of people whose first commit ever falls in each bucket: a person’s first ' +
    'commit is their earliest author date (UTC buckets) over the whole history reachable from ' +
    'the default branch, merges included, whatever the range; the range only chooses which ' +
    'buckets are shown. People are resolved through .mailmap, explicit merges and lower-cased ' +
    'email (identity=person), or by lower-cased email (identity=email) or exact name and email ' +
    '(identity=raw); bots count unless bots=exclude. The total is the number of new people in ' +
    'the range; detail.people names them, with the instant of their first commit. ' +
    '[CHAOSS: New Contributors]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    // The whole history: a first commit is the first ever, not the first in the range.
    const scope = { refs: 'default', merges: 'include', date: 'author' } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    const window = [];
    if (p.from !== undefined) window.push(`f.first_at >= ${b.bind(new Date(p.from))}::TIMESTAMPTZ`);
    if (p.to !== undefined) window.push(`f.first_at < ${b.bind(new Date(p.to))}::TIMESTAMPTZ`);
    const where = window.length > 0 ? `WHERE ${window.join(' AND ')}` : '';
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        firsts AS (SELECT a.person, min(a.first_at) AS first_at
          FROM authors a ${humans} GROUP BY a.person)
        SELECT 'person' AS row_kind, f.person, n.name, f.first_at AS first_at,
            ${bucketOf(p.granularity, 'f.first_at')} AS t
          FROM firsts f JOIN person_names n ON n.person = f.person ${where}
        UNION ALL SELECT 'span', NULL, NULL, min(first_at), max(last_at) FROM authors`),
    ];
  },
  shape([rows = []], p) {
    // A person's names used equally often each come as a row: the smallest is kept.
    const names = new Map<string, string[]>();
    for (const row of rows) {
      if (row.row_kind !== 'person') continue;
      const person = String(row.person);
      names.set(person, [...(names.get(person) ?? []), String(row.name)]);
    }
    const firsts = new Map(
      rows.filter((row) => row.row_kind === 'person').map((row) => [String(row.person), row]),
    );
    const people = [...firsts]
      .map(([person, row]) => ({
        t: isoDay(toDate(row.t)),
        person,
        name: smallest(names.get(person) ?? []) ?? '',
        firstCommit: toDate(row.first_at).toISOString(),
      }))
      .sort((x, y) => compare(x.firstCommit, y.firstCommit) || compare(x.person, y.person));
    const counts = new Map<string, number>();
    for (const person of people) counts.set(person.t, (counts.get(person.t) ?? 0) + 1);
    const span = spanOf(rows, p);
    return {
      kind: 'timeseries',
      points: fillSeries(
        [...counts].map(([t, n]) => ({ t, newContributors: n })),
        ['newContributors'],
        p.granularity,
        span,
      ),
      total: { newContributors: people.length },
      detail: { people },
    };
  },
});

/**
 * The range to show: the requested bounds, else those of the history in scope (from the `span`
 * row, whose `first_at` and `t` are the first and last commit dates).
 */
export function spanOf(
  rows: readonly Readonly<Record<string, unknown>>[],
  range: { from?: string | undefined; to?: string | undefined },
): { from?: string; to?: string } {
  const span = rows.find((row) => row.row_kind === 'span');
  const first = span?.first_at ?? null;
  const last = span?.t ?? null;
  const from = range.from ?? (first === null ? undefined : toDate(first).toISOString());
  const to =
    range.to ?? (last === null ? undefined : new Date(toDate(last).getTime() + 1).toISOString());
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}
