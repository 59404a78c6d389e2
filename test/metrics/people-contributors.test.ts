import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcBucket, type HistoryCommit } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

let f: MetricFixture;
beforeAll(async () => {
  f = await metricFixture();
});
afterAll(async () => {
  await f.close();
});

const isBot = (c: HistoryCommit) => /\[bot\]$/.test(c.authorName) || /bot/.test(c.authorEmail);

/** Distinct people per bucket and over everything, people told apart by `key`. */
function expected(commits: readonly HistoryCommit[], key: (c: HistoryCommit) => string) {
  const buckets = new Map<string, Set<string>>();
  for (const c of commits) {
    const bucket = utcBucket(c.authorTime, 'month');
    buckets.set(bucket, (buckets.get(bucket) ?? new Set()).add(key(c)));
  }
  return {
    points: new Map([...buckets].map(([t, people]) => [t, people.size])),
    total: new Set(commits.map(key)).size,
  };
}

async function contributors(params: Record<string, string>) {
  const { result } = await f.engine.get({ metric: 'contributors', repositories: [f.repo], params });
  if (result.kind !== 'timeseries') throw new Error('not a time series');
  const points = result.points.filter((p) => p.contributors !== 0);
  return { points: new Map(points.map((p) => [p.t, p.contributors])), total: result.total };
}

describe('contributors', () => {
  it('resolves people through .mailmap as git does (%aE), lower-cased', async () => {
    const got = await contributors({});
    const want = expected(f.history, (c) => c.mappedEmail.toLowerCase());
    expect(got.points).toEqual(want.points);
    expect(got.total.contributors).toBe(want.total);
  });

  it('counts raw emails with identity=email and exact pairs with identity=raw', async () => {
    const byEmail = await contributors({ identity: 'email' });
    expect(byEmail.total.contributors).toBe(
      expected(f.history, (c) => c.authorEmail.toLowerCase()).total,
    );
    const raw = await contributors({ identity: 'raw' });
    expect(raw.total.contributors).toBe(
      expected(f.history, (c) => `${c.authorName} <${c.authorEmail}>`).total,
    );
    expect(raw.total.contributors).toBeGreaterThan(byEmail.total.contributors ?? 0);
  });

  it('drops bots with bots=exclude', async () => {
    const all = await contributors({});
    const humans = await contributors({ bots: 'exclude' });
    const want = expected(
      f.history.filter((c) => !isBot(c)),
      (c) => c.mappedEmail.toLowerCase(),
    );
    expect(humans.total.contributors).toBe(want.total);
    expect(humans.total.contributors).toBeLessThan(all.total.contributors ?? 0);
  });

  it('follows explicit merges made in metre', async () => {
    const before = await contributors({ identity: 'person' });
    const emails = [...new Set(f.history.map((c) => c.mappedEmail.toLowerCase()))].slice(0, 3);
    await f.store.linkIdentities(emails, emails[0] ?? '');
    const after = await contributors({ identity: 'person' });
    expect(after.total.contributors).toBe((before.total.contributors ?? 0) - 2);
    await f.store.unlinkIdentities(emails);
    expect((await contributors({})).total.contributors).toBe(before.total.contributors);
  });
});
