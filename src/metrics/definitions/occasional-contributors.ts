import { z } from 'zod';
import { defineMetric } from '../metric.js';
import { bots, identity, orderedRange, positive, range } from '../params.js';
import { authors, scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';

const params = orderedRange(
  z.strictObject({ ...range, threshold: positive.default(5), identity, bots }),
);

/** People with fewer than N commits in the range [CHAOSS Occasional Contributors]. */
export const occasionalContributors = defineMetric({
  id: 'occasional-contributors',
  version: 1,
  title: 'Occasional contributors',
  definition:
    'The number of people who authored at least one but fewer than `threshold` commits ' +
    '(default 5) in the range (author date), over the commits reachable from the default ' +
    'branch, merges included. The detail gives the threshold, the number of people with a ' +
    'commit in the range, the share of them who are occasional, the commits occasional ' +
    'contributors made and their share of all commits (shares are 0 when nobody committed). ' +
    'People are resolved through .mailmap, explicit merges and lower-cased email ' +
    '(identity=person), or by lower-cased email (identity=email) or exact name and email ' +
    '(identity=raw); bots count unless bots=exclude. [CHAOSS: Occasional Contributors]',
  kind: 'scalar',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { refs: 'default', merges: 'include', date: 'author', ...p } as const;
    const humans = p.bots === 'exclude' ? 'WHERE a.is_bot = 0' : '';
    const threshold = b.bind(p.threshold);
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)}, ${authors(b, context, p.identity)},
        per_person AS (SELECT a.person, sum(a.commits) AS commits
          FROM authors a ${humans} GROUP BY a.person)
        SELECT CAST(count(*) AS BIGINT) AS contributors,
          CAST(coalesce(sum(commits), 0) AS BIGINT) AS commits,
          CAST(coalesce(sum(CASE WHEN commits < ${threshold} THEN 1 ELSE 0 END), 0) AS BIGINT)
            AS occasional,
          CAST(coalesce(sum(CASE WHEN commits < ${threshold} THEN commits ELSE 0 END), 0)
            AS BIGINT) AS occasional_commits
        FROM per_person`),
    ];
  },
  shape([rows = []], p) {
    const row = rows[0] ?? {};
    const contributors = Number(row.contributors ?? 0);
    const commits = Number(row.commits ?? 0);
    const occasional = Number(row.occasional ?? 0);
    const occasionalCommits = Number(row.occasional_commits ?? 0);
    return {
      kind: 'scalar',
      value: occasional,
      detail: {
        threshold: p.threshold,
        contributors,
        share: contributors === 0 ? 0 : occasional / contributors,
        commits,
        occasionalCommits,
        commitShare: commits === 0 ? 0 : occasionalCommits / commits,
      },
    };
  },
});
