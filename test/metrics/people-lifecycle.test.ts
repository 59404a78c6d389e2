import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOT_PATTERNS } from '../../src/metrics/index.js';
import { botKeys, utcBucket, type HistoryCommit } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

let f: MetricFixture;
beforeAll(async () => {
  f = await metricFixture();
});
afterAll(async () => {
  await f.close();
});

type Granularity = 'day' | 'week' | 'month' | 'quarter' | 'year';
type Key = (c: HistoryCommit) => string;

const byPerson: Key = (c) => c.mappedEmail.toLowerCase();
const byEmail: Key = (c) => c.authorEmail.toLowerCase();

const botPeople = (key: Key): Set<string> => botKeys(f.history, key, DEFAULT_BOT_PATTERNS);

/** The bucket starts from the one holding `first` to the one holding `last` (seconds). */
function buckets(first: number, last: number, granularity: Granularity): string[] {
  const out: string[] = [];
  const end = utcBucket(last, granularity);
  let t = utcBucket(first, granularity);
  for (;;) {
    out.push(t);
    if (t === end) return out;
    t = nextBucket(t, granularity);
  }
}

function nextBucket(t: string, granularity: Granularity): string {
  const d = new Date(`${t}T00:00:00Z`);
  if (granularity === 'day') d.setUTCDate(d.getUTCDate() + 1);
  if (granularity === 'week') d.setUTCDate(d.getUTCDate() + 7);
  if (granularity === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  if (granularity === 'quarter') d.setUTCMonth(d.getUTCMonth() + 3);
  if (granularity === 'year') d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

const seconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

async function series(metric: string, params: Record<string, unknown>) {
  const { result } = await f.engine.get({ metric, repositories: [f.repo], params });
  if (result.kind !== 'timeseries') throw new Error('not a time series');
  return result;
}

/** The first commit (seconds) and its name, per person, over the whole default branch. */
function firstCommits(key: Key, skip = new Set<string>()) {
  const firsts = new Map<string, HistoryCommit>();
  for (const c of f.history) {
    if (skip.has(key(c))) continue;
    const seen = firsts.get(key(c));
    if (seen === undefined || c.authorTime < seen.authorTime) firsts.set(key(c), c);
  }
  return firsts;
}

describe('new-contributors', () => {
  for (const granularity of ['month', 'week', 'year'] as const) {
    it(`counts people by the ${granularity} of their first commit (git log, %aE)`, async () => {
      const result = await series('new-contributors', { granularity });
      const firsts = firstCommits(byPerson);
      const want = new Map<string, number>();
      for (const c of firsts.values()) {
        const t = utcBucket(c.authorTime, granularity);
        want.set(t, (want.get(t) ?? 0) + 1);
      }
      const times = f.history.map((c) => c.authorTime);
      const all = buckets(Math.min(...times), Math.max(...times), granularity);
      expect(result.points.map((p) => p.t)).toEqual(all);
      expect(result.points.map((p) => p.newContributors)).toEqual(all.map((t) => want.get(t) ?? 0));
      expect(result.total.newContributors).toBe(firsts.size);
    });
  }

  it('names each newcomer with the instant of their first commit', async () => {
    const result = await series('new-contributors', {});
    const people = result.detail?.people as { t: string; person: string; firstCommit: string }[];
    const firsts = firstCommits(byPerson);
    expect(people).toHaveLength(firsts.size);
    for (const person of people) {
      const c = firsts.get(person.person);
      expect(c).toBeDefined();
      expect(person.firstCommit).toBe(new Date((c?.authorTime ?? 0) * 1000).toISOString());
      expect(person.t).toBe(utcBucket(c?.authorTime ?? 0, 'month'));
    }
  });

  it('looks at the whole history, not only the range', async () => {
    const times = f.history.map((c) => c.authorTime).sort((a, b) => a - b);
    const middle = times[Math.floor(times.length / 2)] ?? 0;
    const from = `${utcBucket(middle, 'month')}`;
    const to = nextBucket(nextBucket(nextBucket(from, 'month'), 'month'), 'month');
    const result = await series('new-contributors', { from, to });
    const firsts = [...firstCommits(byPerson).values()].filter(
      (c) => c.authorTime >= seconds(from) && c.authorTime < seconds(to),
    );
    // A person active before the range is not new in it.
    const activeInRange = new Set(
      f.history
        .filter((c) => c.authorTime >= seconds(from) && c.authorTime < seconds(to))
        .map(byPerson),
    );
    expect(activeInRange.size).toBeGreaterThan(firsts.length);
    expect(result.points.map((p) => p.t)).toEqual([
      from,
      nextBucket(from, 'month'),
      nextBucket(nextBucket(from, 'month'), 'month'),
    ]);
    expect(result.total.newContributors).toBe(firsts.length);
  });

  it('tells people apart by raw email, and leaves bots out', async () => {
    const byMail = await series('new-contributors', { identity: 'email' });
    expect(byMail.total.newContributors).toBe(firstCommits(byEmail).size);
    const humans = await series('new-contributors', { bots: 'exclude' });
    const bots = botPeople(byPerson);
    expect(bots.size).toBeGreaterThan(0);
    expect(humans.total.newContributors).toBe(firstCommits(byPerson, bots).size);
  });
});

/**
 * Brute force: at each bucket end E, the people with a commit before E whose last commit before
 * E is earlier than E minus the interval.
 */
function inactiveTruth(
  granularity: Granularity,
  interval: number,
  key: Key,
  skip = new Set<string>(),
) {
  const times = f.history.map((c) => c.authorTime);
  const all = buckets(Math.min(...times), Math.max(...times), granularity);
  const byKey = new Map<string, number[]>();
  for (const c of f.history) {
    if (skip.has(key(c))) continue;
    byKey.set(key(c), [...(byKey.get(key(c)) ?? []), c.authorTime]);
  }
  return all.map((t) => {
    const end = seconds(nextBucket(t, granularity));
    let inactive = 0;
    for (const commits of byKey.values()) {
      const before = commits.filter((c) => c < end);
      if (before.length > 0 && Math.max(...before) < end - interval * 86_400) inactive++;
    }
    return { t, inactive };
  });
}

describe('inactive-contributors', () => {
  for (const [granularity, interval] of [
    ['month', 180],
    ['week', 30],
    ['quarter', 90],
    ['day', 7],
  ] as const) {
    it(`counts people quiet for ${interval} days at each ${granularity}'s end`, async () => {
      const result = await series('inactive-contributors', { granularity, interval });
      const want = inactiveTruth(granularity, interval, byPerson);
      expect(result.points).toEqual(want);
      expect(want.some((p) => p.inactive > 0)).toBe(true);
      expect(result.total.inactive).toBe(want.at(-1)?.inactive);
    });
  }

  it('shows only the buckets of the range, counting history before it', async () => {
    const times = f.history.map((c) => c.authorTime).sort((a, b) => a - b);
    const from = utcBucket(times[Math.floor(times.length / 2)] ?? 0, 'month');
    const to = nextBucket(nextBucket(from, 'month'), 'month');
    const result = await series('inactive-contributors', { from, to });
    const want = inactiveTruth('month', 180, byPerson).filter((p) => p.t >= from && p.t < to);
    expect(result.points).toEqual(want);
    expect(want[0]?.inactive).toBeGreaterThan(0);
  });

  it('tells people apart by raw email, and leaves bots out', async () => {
    const byMail = await series('inactive-contributors', { identity: 'email', interval: 60 });
    expect(byMail.points).toEqual(inactiveTruth('month', 60, byEmail));
    const humans = await series('inactive-contributors', { bots: 'exclude', interval: 60 });
    expect(humans.points).toEqual(inactiveTruth('month', 60, byPerson, botPeople(byPerson)));
  });
});
