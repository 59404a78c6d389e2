import { z } from 'zod';
import { fillSeries, isoDay, toDate } from '../buckets.js';
import { defineMetric } from '../metric.js';
import { granularity, orderedRange, range } from '../params.js';
import { compareText } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';
import { bucketOf } from '../sql-parts.js';

const params = orderedRange(
  z.strictObject({
    granularity,
    ...range,
    pattern: z.string().min(1).optional(),
  }),
);

/** A tag-name glob as a LIKE pattern (escape `\`): `*` any run of characters, `?` one. */
export function tagLike(glob: string): string {
  return glob.replace(/[\\%_*?]/g, (c) => (c === '*' ? '%' : c === '?' ? '_' : `\\${c}`));
}

/** Tags per bucket [CHAOSS Release Frequency]. */
export const releaseFrequency = defineMetric({
  id: 'release-frequency',
  version: 1,
  title: 'Release frequency',
  definition:
    'The number of tags per bucket, each placed by its creation date as git for-each-ref gives ' +
    'it (creatordate: the tagger date of an annotated tag, else the committer date of the commit ' +
    'it points to), in UTC buckets (default month). Every tag counts as a release unless pattern ' +
    'is given: a glob on the tag name where * matches any run of characters (/ included) and ? ' +
    'one character (e.g. v*). In a group, a tag of the same name on the same commit counts once. ' +
    'detail.releases lists each tag in the range (name, date, sha), oldest first; tags whose date ' +
    'is unknown are left out and counted in detail.tagsWithoutDate. [CHAOSS: Release Frequency]',
  kind: 'timeseries',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const where = [`repo_id IN (SELECT unnest(${b.bindTexts(context.repoIds)}))`, `kind = 'tag'`];
    if (p.pattern !== undefined) where.push(`name LIKE ${b.bind(tagLike(p.pattern))} ESCAPE '\\'`);
    const inRange: string[] = [];
    if (p.from !== undefined) inRange.push(`created >= ${b.bind(new Date(p.from))}::TIMESTAMPTZ`);
    if (p.to !== undefined) inRange.push(`created < ${b.bind(new Date(p.to))}::TIMESTAMPTZ`);
    return [
      b.build(`WITH tags AS (SELECT name, sha, min(created_at) AS created FROM refs
          WHERE ${where.join(' AND ')} GROUP BY name, sha)
        SELECT name, sha, created, ${bucketOf(p.granularity, 'created')} AS t FROM tags
        ${inRange.length > 0 ? `WHERE created IS NULL OR (${inRange.join(' AND ')})` : ''}
        ORDER BY created`),
    ];
  },
  shape([rows = []], p) {
    // Oldest first, tags made at the same time by name in code-point order (not in SQL, where
    // text order follows the database's collation).
    const dated = rows
      .filter((row) => row.created !== null && row.created !== undefined)
      .map((row) => ({ row, at: toDate(row.created).getTime(), name: String(row.name) }))
      .sort((x, y) => x.at - y.at || compareText(x.name, y.name));
    const perBucket = new Map<string, number>();
    for (const { row } of dated) {
      const t = isoDay(toDate(row.t));
      perBucket.set(t, (perBucket.get(t) ?? 0) + 1);
    }
    const buckets = [...perBucket].map(([t, releases]) => ({ t, releases }));
    return {
      kind: 'timeseries',
      points: fillSeries(buckets, ['releases'], p.granularity, p),
      total: { releases: dated.length },
      detail: {
        releases: dated.map(({ row, at, name }) => ({
          name,
          date: new Date(at).toISOString(),
          sha: String(row.sha),
        })),
        tagsWithoutDate: rows.length - dated.length,
      },
    };
  },
});
