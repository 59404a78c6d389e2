import { z } from 'zod';
import type { QueryRow } from '../../store/index.js';
import { defineMetric } from '../metric.js';
import { bots, identity, merges, orderedRange, positive, range, refs } from '../params.js';
import { authors, compareText, scopedCommits, smallest } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';

const params = orderedRange(
  z.strictObject({
    ...range,
    by: z.enum(['commits', 'lines']).default('commits'),
    limit: positive.default(10),
    identity,
    bots,
    merges,
    refs,
  }),
);

const COLUMNS = [
  'rank',
  'person',
  'name',
  'email',
  'commits',
  'added',
  'deleted',
  'lines',
  'share',
];

/** People ranked by commits or lines, with their share of the total. */
export const topContributors = defineMetric({
  id: 'top-contributors',
  version: 1,
  title: 'Top contributors',
  definition:
    'People ranked by the number of commits they authored in the range (author date, UTC), or ' +
    'by lines changed (added plus deleted, from git log --numstat; merges count 0 lines) with ' +
    'by=lines, over the commits reachable from the default branch (every branch and tag with ' +
    'refs=all), merges included unless merges=exclude. Share is the person’s commits (or lines) ' +
    'divided by those of everyone counted. Equal counts are ordered by name, then by person. ' +
    'People are resolved through .mailmap, explicit merges and lower-cased email ' +
    '(identity=person), or by lower-cased email (identity=email) or exact name and email ' +
    '(identity=raw); name and email are those the person signs with most often. Bots count ' +
    'unless bots=exclude. The first `limit` people (default 10) are listed.',
  kind: 'table',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    const value = p.by === 'lines' ? 'added + deleted' : 'commits';
    // `authors` has each alias's sums already: no second pass over the commits. A person's
    // names and emails used equally often all come back: the shape keeps the smallest.
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        per_email AS (SELECT a.person, a.person_email, sum(a.commits) AS commits,
            sum(a.added) AS added, sum(a.deleted) AS deleted
          FROM authors a ${humans} GROUP BY a.person, a.person_email),
        per_person AS (SELECT person, CAST(sum(commits) AS BIGINT) AS commits,
            CAST(sum(added) AS BIGINT) AS added, CAST(sum(deleted) AS BIGINT) AS deleted
          FROM per_email GROUP BY person),
        emails AS (SELECT person, person_email AS email FROM (SELECT person, person_email,
            rank() OVER (PARTITION BY person ORDER BY commits DESC) AS k FROM per_email) x
          WHERE k = 1),
        ranked AS (SELECT pp.*, rank() OVER (ORDER BY ${value} DESC) AS place,
            CAST(sum(commits) OVER () AS BIGINT) AS all_commits,
            CAST(sum(added + deleted) OVER () AS BIGINT) AS all_lines,
            CAST(count(*) OVER () AS BIGINT) AS people
          FROM per_person pp)
        SELECT r.person, n.name, e.email, r.commits, r.added, r.deleted, r.all_commits,
          r.all_lines, r.people
        FROM ranked r JOIN person_names n ON n.person = r.person
          JOIN emails e ON e.person = r.person
        WHERE r.place <= ${b.bind(p.limit)}`),
    ];
  },
  shape([rows = []], p) {
    // Ties are broken here, by code point, so every backend lists the same people.
    const byPerson = new Map<string, { names: string[]; emails: string[]; row: QueryRow }>();
    for (const row of rows) {
      const person = String(row.person);
      const entry = byPerson.get(person) ?? { names: [], emails: [], row };
      entry.names.push(String(row.name));
      entry.emails.push(String(row.email));
      byPerson.set(person, entry);
    }
    const people = [...byPerson]
      .map(([person, { names, emails, row }]) => ({
        person,
        name: smallest(names) ?? '',
        email: smallest(emails) ?? '',
        commits: Number(row.commits),
        added: Number(row.added),
        deleted: Number(row.deleted),
      }))
      .map((row) => ({ ...row, lines: row.added + row.deleted }))
      .sort(
        (x, y) =>
          (p.by === 'lines' ? y.lines - x.lines : y.commits - x.commits) ||
          compare(x.name, y.name) ||
          compare(x.person, y.person),
      )
      .slice(0, p.limit);
    const first = rows[0];
    const totalCommits = Number(first?.all_commits ?? 0);
    const totalLines = Number(first?.all_lines ?? 0);
    const total = p.by === 'lines' ? totalLines : totalCommits;
    return {
      kind: 'table',
      columns: COLUMNS,
      rows: people.map((row, i) => ({
        rank: i + 1,
        ...row,
        share: total === 0 ? 0 : (p.by === 'lines' ? row.lines : row.commits) / total,
      })),
      detail: { by: p.by, totalCommits, totalLines, contributors: Number(first?.people ?? 0) },
    };
  },
});

/** Code-point order, the same whatever the backend's collation. */
export const compare = compareText;
