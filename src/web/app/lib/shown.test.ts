import { describe, expect, it } from 'vitest';
import type { TimePoint } from '../api/types.js';
import { toCsv } from './download.js';
import { toSeconds } from './format.js';
import { chartData, joinSeries, shownOf, visiblePoints } from './shown.js';

const points = (field: string, values: readonly number[]): TimePoint[] =>
  values.map((v, i) => ({ t: `2024-0${i + 1}-01`, [field]: v }));

describe('what a panel shows', () => {
  it('keeps the points of the zoomed range only', () => {
    const all = points('commits', [1, 2, 3, 4]);
    expect(visiblePoints(all, null)).toHaveLength(4);
    const zoom = [toSeconds('2024-02-01'), toSeconds('2024-03-01')] as const;
    expect(visiblePoints(all, zoom).map((p) => p.t)).toEqual(['2024-02-01', '2024-03-01']);
  });

  it('joins series on their buckets, a column each, missing buckets as null', () => {
    const shown = joinSeries([
      { column: 'active', points: points('contributors', [3, 4, 5]), field: 'contributors' },
      { column: 'new', points: points('newContributors', [1, 0]), field: 'newContributors' },
    ]);
    expect(shown.columns).toEqual(['t', 'active', 'new']);
    expect(shown.rows).toEqual([
      { t: '2024-01-01', active: 3, new: 1 },
      { t: '2024-02-01', active: 4, new: 0 },
      { t: '2024-03-01', active: 5, new: null },
    ]);
    const data = chartData(shown);
    expect(data.x).toEqual(['2024-01-01', '2024-02-01', '2024-03-01'].map(toSeconds));
    expect(data.values).toEqual([
      [3, 4, 5],
      [1, 0, null],
    ]);
  });

  it('downloads as RFC 4180 CSV, the layout of the API’s format=csv', () => {
    const shown = shownOf({ kind: 'timeseries', points: points('commits', [1, 2]), total: {} });
    expect(toCsv(shown)).toBe('t,commits\n2024-01-01,1\n2024-02-01,2\n');
    const table = shownOf({
      kind: 'table',
      columns: ['name', 'commits'],
      rows: [
        { name: 'Ada, "the first"', commits: 3 },
        { name: null, commits: 0 },
      ],
    });
    expect(toCsv(table)).toBe('name,commits\n"Ada, ""the first""",3\n,0\n');
  });
});
