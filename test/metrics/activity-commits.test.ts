import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBy, utcBucket } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

let f: MetricFixture;
beforeAll(async () => {
  f = await metricFixture();
});
afterAll(async () => {
  await f.close();
});

/** The points of a series as a map bucket → field, zero buckets dropped. */
function nonZero(points: readonly Record<string, unknown>[], field: string): Map<string, number> {
  return new Map(
    points.filter((p) => Number(p[field]) !== 0).map((p) => [String(p.t), Number(p[field])]),
  );
}

describe('commits', () => {
  for (const granularity of ['day', 'week', 'month', 'quarter', 'year'] as const) {
    it(`counts the default branch's commits per ${granularity} as git log does`, async () => {
      const { result } = await f.engine.get({
        metric: 'commits',
        repositories: [f.repo],
        params: { granularity },
      });
      const expected = countBy(f.history, (c) => utcBucket(c.authorTime, granularity));
      if (result.kind !== 'timeseries') throw new Error('not a time series');
      expect(nonZero(result.points, 'commits')).toEqual(expected);
      expect(result.total.commits).toBe(f.history.length);
    });
  }

  it('fills empty buckets with zeros, one point per bucket', async () => {
    const { result } = await f.engine.get({
      metric: 'commits',
      repositories: [f.repo],
      params: { granularity: 'day' },
    });
    if (result.kind !== 'timeseries') throw new Error('not a time series');
    const days = result.points.map((p) => Date.parse(p.t));
    const steps = days.slice(1).map((d, i) => d - (days[i] ?? 0));
    expect(new Set(steps)).toEqual(new Set([86_400_000]));
    expect(result.points.some((p) => p.commits === 0)).toBe(true);
  });

  it('excludes merges, switches to the committer date, takes every ref and a range', async () => {
    const from = '2016-01-01';
    const to = '2017-01-01';
    const { result } = await f.engine.get({
      metric: 'commits',
      repositories: [f.repo],
      params: { merges: 'exclude', date: 'committer', refs: 'all', from, to },
    });
    const inRange = (t: number) => t >= Date.parse(from) / 1000 && t < Date.parse(to) / 1000;
    const expected = f.historyAll.filter((c) => !c.isMerge && inRange(c.committerTime));
    expect(f.historyAll.length).toBeGreaterThan(f.history.length);
    if (result.kind !== 'timeseries') throw new Error('not a time series');
    expect(result.total.commits).toBe(expected.length);
    expect(nonZero(result.points, 'commits')).toEqual(
      countBy(expected, (c) => utcBucket(c.committerTime, 'month')),
    );
    expect(result.points[0]?.t).toBe('2016-01-01');
    expect(result.points.at(-1)?.t).toBe('2016-12-01');
  });
});
