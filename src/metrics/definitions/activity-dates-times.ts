import { z } from 'zod';
import { defineMetric, type HeatmapCell } from '../metric.js';
import { merges, orderedRange, range, refs } from '../params.js';
import { scopedCommits } from '../scope.js';
import { SqlBuilder } from '../sql-builder.js';

const timezone = z.enum(['local', 'utc']).default('local');

const params = orderedRange(z.strictObject({ ...range, timezone, merges, refs }));

/** Commits per weekday × hour [CHAOSS Activity Dates and Times]. */
export const activityDatesTimes = defineMetric({
  id: 'activity-dates-times',
  version: 1,
  title: 'Activity dates and times',
  definition:
    'The number of commits per ISO weekday (Monday=1 … Sunday=7) and hour of the day (0–23) of ' +
    'their author date, read on the author’s own clock (the time zone offset recorded in the ' +
    'commit, timezone=local, the default) or in UTC (timezone=utc), over the commits reachable ' +
    'from the default branch (every ref with refs=all), merges included unless merges=exclude; ' +
    'a commit reachable from several repositories of a group counts once. The range applies to ' +
    'the author date as an instant. All 168 cells are given, Monday 0h first. ' +
    '[CHAOSS: Activity Dates and Times]',
  kind: 'heatmap',
  params,
  compile(p, context) {
    const b = new SqlBuilder();
    const scope = { ...p, date: 'author' } as const;
    const clock =
      p.timezone === 'local' ? context.sql.addMinutes('author_time', 'author_tz') : 'author_time';
    return [
      b.build(`WITH ${scopedCommits(b, context, scope)},
        clock AS (SELECT ${clock} AS c FROM scoped)
        SELECT ${context.sql.isoWeekday('c')} AS weekday, CAST(extract(hour FROM c) AS INTEGER) AS hour,
          CAST(count(*) AS BIGINT) AS commits
        FROM clock GROUP BY 1, 2 ORDER BY 1, 2`),
    ];
  },
  shape([rows = []], p) {
    const counts = new Map(
      rows.map((row) => [`${Number(row.weekday)}/${Number(row.hour)}`, Number(row.commits)]),
    );
    const cells: HeatmapCell[] = [];
    for (let weekday = 1; weekday <= 7; weekday++) {
      for (let hour = 0; hour < 24; hour++) {
        cells.push({ weekday, hour, value: counts.get(`${weekday}/${hour}`) ?? 0 });
      }
    }
    const commits = cells.reduce((sum, cell) => sum + cell.value, 0);
    return { kind: 'heatmap', cells, detail: { timezone: p.timezone, commits } };
  },
});
