import { z } from 'zod';
import { fillSeries, toDate } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { bots, granularity, orderedRange, range } from '../params.js';
import { authors, organizations, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';
import { compare } from './top-contributors.js';

const params = orderedRange(z.strictObject({ granularity, ...range, bots }));

const COLUMNS = ['organization', 'commits', 'people', 'commitShare', 'peopleShare'];

/** Commits and people per organisation [CHAOSS Organizational Diversity]. */
export const organizationalDiversity = defineMetric({
  id: 'organizational-diversity',
  version: 1,
  title: 'Organizational diversity',
  definition:
    'For each organisation, the commits its people authored in the range (author date) and the ' +
    'number of distinct people who authored them, with their shares of all commits and of all ' +
    'people, over the commits reachable from the default branch, merges included; ordered by ' +
    'commits, then by name. A commit’s organisation is its author’s in the affiliation map at ' +
    'the commit’s date when one is configured and holds that date, else the domain of the ' +
    'author’s email after .mailmap, public mail providers counting as "independent". A person ' +
    'who moved counts in each organisation they committed for, so people shares may add up to ' +
    'more than 1. People are resolved through .mailmap, explicit merges and lower-cased email; ' +
    'bots count unless bots=exclude. detail.perBucket gives the number of distinct ' +
    'organisations with a commit in each UTC bucket. [CHAOSS: Organizational Diversity]',
  kind: 'table',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE o.is_bot = 0' : '';
    const bucket = bucketOf(p.granularity, 'o.t');
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, 'person')},
        ${organizations(b, context)},
        cells AS (SELECT ${bucket} AS t, o.organization, o.person, count(*) AS commits
          FROM orgs o ${humans} GROUP BY ${bucket}, o.organization, o.person)
        SELECT 'organization' AS row_kind, NULL AS t, organization,
            CAST(sum(commits) AS BIGINT) AS commits, CAST(count(DISTINCT person) AS BIGINT) AS n
          FROM cells GROUP BY organization
        UNION ALL SELECT 'bucket', t, NULL, NULL, CAST(count(DISTINCT organization) AS BIGINT)
          FROM cells GROUP BY t
        UNION ALL SELECT 'total', NULL, NULL, CAST(coalesce(sum(commits), 0) AS BIGINT),
            CAST(count(DISTINCT person) AS BIGINT) FROM cells`),
    ];
  },
  shape([rows = []], p) {
    const total = rows.find((row) => row.row_kind === 'total');
    const commits = Number(total?.commits ?? 0);
    const people = Number(total?.n ?? 0);
    const organizations = rows
      .filter((row) => row.row_kind === 'organization')
      .map((row) => ({
        organization: String(row.organization),
        commits: Number(row.commits),
        people: Number(row.n),
      }))
      .sort((x, y) => y.commits - x.commits || compare(x.organization, y.organization))
      .map((row) => ({
        ...row,
        commitShare: commits === 0 ? 0 : row.commits / commits,
        peopleShare: people === 0 ? 0 : row.people / people,
      }));
    const buckets = rows
      .filter((row) => row.row_kind === 'bucket')
      .map((row) => ({ t: toDate(row.t), organizations: row.n }));
    return {
      kind: 'table',
      columns: COLUMNS,
      rows: organizations,
      detail: {
        totalCommits: commits,
        totalPeople: people,
        perBucket: fillSeries(buckets, ['organizations'], p.granularity, p),
      },
    };
  },
});
