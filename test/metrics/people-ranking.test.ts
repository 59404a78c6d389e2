import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOT_PATTERNS, type MetricResult } from '../../src/metrics/index.js';
import { git } from '../support/git.js';
import { botKeys, countBy, utcBucket, type HistoryCommit } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

let f: MetricFixture;
beforeAll(async () => {
  f = await metricFixture();
});
afterAll(async () => {
  await f.close();
});

type Key = (c: HistoryCommit) => string;
const byPerson: Key = (c) => c.mappedEmail.toLowerCase();
const byEmail: Key = (c) => c.authorEmail.toLowerCase();

const botPeople = (key: Key, patterns: readonly string[] = DEFAULT_BOT_PATTERNS) =>
  botKeys(f.history, key, patterns);

const humansOnly = (commits: readonly HistoryCommit[]) => {
  const bots = botPeople(byPerson);
  return commits.filter((c) => !bots.has(byPerson(c)));
};

const inRange = (from: string, to: string) => (c: HistoryCommit) =>
  c.authorTime >= Date.parse(from) / 1000 && c.authorTime < Date.parse(to) / 1000;

async function get(metric: string, params: Record<string, unknown> = {}): Promise<MetricResult> {
  return (await f.engine.get({ metric, repositories: [f.repo], params })).result;
}

/** The name each person signs with most often (git's %aN), ties to the smallest. */
function namesOf(commits: readonly HistoryCommit[], key: Key, name: (c: HistoryCommit) => string) {
  const counts = new Map<string, Map<string, number>>();
  for (const c of commits) {
    const names = counts.get(key(c)) ?? new Map<string, number>();
    names.set(name(c), (names.get(name(c)) ?? 0) + 1);
    counts.set(key(c), names);
  }
  return new Map(
    [...counts].map(([person, names]) => [
      person,
      [...names].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '',
    ]),
  );
}

describe('top-contributors', () => {
  async function table(params: Record<string, unknown>) {
    const result = await get('top-contributors', params);
    if (result.kind !== 'table') throw new Error('not a table');
    return result;
  }

  it('counts each person’s commits and lines as git log does (%aE, numstat)', async () => {
    const result = await table({ limit: 1000 });
    const commits = countBy(f.history, byPerson);
    expect(new Map(result.rows.map((r) => [r.person, r.commits]))).toEqual(commits);
    const added = new Map<string, number>();
    const deleted = new Map<string, number>();
    for (const c of f.history) {
      added.set(byPerson(c), (added.get(byPerson(c)) ?? 0) + c.added);
      deleted.set(byPerson(c), (deleted.get(byPerson(c)) ?? 0) + c.deleted);
    }
    expect(new Map(result.rows.map((r) => [r.person, r.added]))).toEqual(added);
    expect(new Map(result.rows.map((r) => [r.person, r.deleted]))).toEqual(deleted);
    for (const row of result.rows) {
      expect(row.lines).toBe(Number(row.added) + Number(row.deleted));
      expect(row.share).toBeCloseTo(Number(row.commits) / f.history.length, 12);
    }
    expect(result.detail?.totalCommits).toBe(f.history.length);
    expect(result.columns).toEqual([
      'rank',
      'person',
      'name',
      'email',
      'commits',
      'added',
      'deleted',
      'lines',
      'share',
    ]);
  });

  it('agrees with git shortlog -sne for people with one name and email', async () => {
    const result = await table({ limit: 1000 });
    const lines = git(f.dir, ['shortlog', '-sne', 'HEAD'])
      .split('\n')
      .map((line) => /^\s*(\d+)\t(.*) <(.*)>$/.exec(line))
      .filter((m) => m !== null);
    const perEmail = countBy(lines, (m) => (m[3] ?? '').toLowerCase());
    const single = lines.filter((m) => perEmail.get((m[3] ?? '').toLowerCase()) === 1);
    expect(single.length).toBeGreaterThan(3);
    for (const [, count, name, email] of single) {
      const row = result.rows.find((r) => r.person === email?.toLowerCase());
      expect(row).toMatchObject({ commits: Number(count), name, email: email?.toLowerCase() });
    }
  });

  it('ranks by commits, ties by name, and keeps the first `limit` (10 by default)', async () => {
    const result = await table({});
    const names = namesOf(f.history, byPerson, (c) => c.mappedName);
    const want = [...countBy(f.history, byPerson)]
      .map(([person, commits]) => ({ person, commits, name: names.get(person) ?? '' }))
      .sort((a, b) => b.commits - a.commits || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, 10);
    expect(result.rows.map((r) => [r.rank, r.person, r.name, r.commits])).toEqual(
      want.map((w, i) => [i + 1, w.person, w.name, w.commits]),
    );
  });

  it('ranks by lines with by=lines, shares of all lines', async () => {
    const result = await table({ by: 'lines', limit: 5 });
    const lines = new Map<string, number>();
    for (const c of f.history) {
      lines.set(byPerson(c), (lines.get(byPerson(c)) ?? 0) + c.added + c.deleted);
    }
    const total = [...lines.values()].reduce((a, b) => a + b, 0);
    const top = [...lines.values()].sort((a, b) => b - a).slice(0, 5);
    expect(result.rows.map((r) => r.lines)).toEqual(top);
    for (const row of result.rows) {
      expect(row.lines).toBe(lines.get(String(row.person)));
      expect(row.share).toBeCloseTo(Number(row.lines) / total, 12);
    }
  });

  it('follows identity, bots, merges and the range', async () => {
    const byMail = await table({ identity: 'email', limit: 1000 });
    expect(new Map(byMail.rows.map((r) => [r.person, r.commits]))).toEqual(
      countBy(f.history, byEmail),
    );
    const humans = await table({ bots: 'exclude', limit: 1000 });
    expect(new Map(humans.rows.map((r) => [r.person, r.commits]))).toEqual(
      countBy(humansOnly(f.history), byPerson),
    );
    const noMerges = await table({ merges: 'exclude', limit: 1000 });
    expect(new Map(noMerges.rows.map((r) => [r.person, r.commits]))).toEqual(
      countBy(
        f.history.filter((c) => !c.isMerge),
        byPerson,
      ),
    );
    const from = utcBucket(f.history[Math.floor(f.history.length / 2)]?.authorTime ?? 0, 'year');
    const to = `${Number(from.slice(0, 4)) + 1}-01-01`;
    const ranged = await table({ from, to, limit: 1000 });
    expect(new Map(ranged.rows.map((r) => [r.person, r.commits]))).toEqual(
      countBy(f.history.filter(inRange(from, to)), byPerson),
    );
    const all = await table({ refs: 'all', limit: 1000 });
    expect(new Map(all.rows.map((r) => [r.person, r.commits]))).toEqual(
      countBy(f.historyAll, byPerson),
    );
  });
});

describe('occasional-contributors', () => {
  for (const threshold of [undefined, 20, 1000]) {
    it(`counts people with fewer than ${threshold ?? 5} commits`, async () => {
      const result = await get('occasional-contributors', threshold ? { threshold } : {});
      const n = threshold ?? 5;
      const counts = countBy(f.history, byPerson);
      const occasional = [...counts.values()].filter((c) => c < n);
      if (result.kind !== 'scalar') throw new Error('not a scalar');
      expect(result.value).toBe(occasional.length);
      const commits = occasional.reduce((a, b) => a + b, 0);
      expect(result.detail).toEqual({
        threshold: n,
        contributors: counts.size,
        share: occasional.length / counts.size,
        commits: f.history.length,
        occasionalCommits: commits,
        commitShare: commits / f.history.length,
      });
    });
  }

  it('follows the range, identity and bots', async () => {
    const from = utcBucket(f.history[Math.floor(f.history.length / 3)]?.authorTime ?? 0, 'month');
    const to = `${Number(from.slice(0, 4)) + 1}${from.slice(4)}`;
    for (const [params, commits, key] of [
      [{ from, to }, f.history.filter(inRange(from, to)), byPerson],
      [{ identity: 'email', threshold: 30 }, f.history, byEmail],
      [{ bots: 'exclude', threshold: 30 }, humansOnly(f.history), byPerson],
    ] as const) {
      const result = await get('occasional-contributors', params);
      const n = 'threshold' in params ? params.threshold : 5;
      const counts = countBy(commits, key);
      if (result.kind !== 'scalar') throw new Error('not a scalar');
      expect(result.value).toBe([...counts.values()].filter((c) => c < n).length);
      expect(result.detail?.contributors).toBe(counts.size);
    }
  });

  it('rejects a threshold that is not a positive integer', async () => {
    await expect(get('occasional-contributors', { threshold: 0 })).rejects.toThrow(/threshold/);
    await expect(get('occasional-contributors', { threshold: 2.5 })).rejects.toThrow(/threshold/);
  });
});

/** The smallest number of keys whose counts, largest first, exceed `threshold` of the total. */
function factorOf(counts: Iterable<number>, threshold: number): number {
  const sorted = [...counts].sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (const [i, n] of sorted.entries()) {
    sum += n;
    if (sum > threshold * total) return i + 1;
  }
  return 0;
}

describe('contributor-absence-factor', () => {
  // Thresholds exact in binary, so the truth's own floating point cannot err.
  for (const threshold of [0.5, 0.25, 0.75, 0.125]) {
    it(`is the bus factor at ${threshold}, bots left out`, async () => {
      const result = await get('contributor-absence-factor', { threshold });
      const counts = countBy(humansOnly(f.history), byPerson);
      if (result.kind !== 'scalar') throw new Error('not a scalar');
      const factor = factorOf(counts.values(), threshold);
      expect(factor).toBeGreaterThan(0);
      expect(result.value).toBe(factor);
      const total = humansOnly(f.history).length;
      const names = namesOf(humansOnly(f.history), byPerson, (c) => c.mappedName);
      const want = [...counts]
        .map(([person, commits]) => ({ person, name: names.get(person) ?? '', commits }))
        .sort((a, b) => b.commits - a.commits || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .slice(0, factor)
        .map((p) => ({ ...p, share: p.commits / total }));
      expect(result.detail).toEqual({ threshold, totalCommits: total, people: want });
    });
  }

  it('counts bots with bots=include and people by email with identity=email', async () => {
    const withBots = await get('contributor-absence-factor', { bots: 'include', threshold: 0.75 });
    expect(withBots.kind === 'scalar' && withBots.value).toBe(
      factorOf(countBy(f.history, byPerson).values(), 0.75),
    );
    const byMail = await get('contributor-absence-factor', { identity: 'email', threshold: 0.75 });
    const bots = botPeople(byEmail);
    const humans = f.history.filter((c) => !bots.has(byEmail(c)));
    expect(byMail.kind === 'scalar' && byMail.value).toBe(
      factorOf(countBy(humans, byEmail).values(), 0.75),
    );
  });

  it('is a series per bucket with a granularity, the total over the range', async () => {
    const result = await get('contributor-absence-factor', { granularity: 'quarter' });
    if (result.kind !== 'timeseries') throw new Error('not a time series');
    const humans = humansOnly(f.history);
    const perBucket = new Map<string, HistoryCommit[]>();
    for (const c of humans) {
      const t = utcBucket(c.authorTime, 'quarter');
      perBucket.set(t, [...(perBucket.get(t) ?? []), c]);
    }
    const got = new Map(result.points.filter((p) => p.factor !== 0).map((p) => [p.t, p.factor]));
    expect(got).toEqual(
      new Map([...perBucket].map(([t, cs]) => [t, factorOf(countBy(cs, byPerson).values(), 0.5)])),
    );
    expect(result.total.factor).toBe(factorOf(countBy(humans, byPerson).values(), 0.5));
  });

  it('has no value for a range without commits and rejects thresholds outside (0, 1)', async () => {
    const empty = await get('contributor-absence-factor', { from: '1990-01-01', to: '1991-01-01' });
    expect(empty).toMatchObject({ kind: 'scalar', value: null });
    await expect(get('contributor-absence-factor', { threshold: 1 })).rejects.toThrow(/threshold/);
    await expect(get('contributor-absence-factor', { threshold: 0 })).rejects.toThrow(/threshold/);
  });
});

describe('bot-activity', () => {
  function truth(bots: Set<string>, granularity: 'month' | 'year' = 'month') {
    const rows = new Map<string, { bots: number; humans: number }>();
    for (const c of f.history) {
      const t = utcBucket(c.authorTime, granularity);
      const row = rows.get(t) ?? { bots: 0, humans: 0 };
      if (bots.has(byPerson(c))) row.bots++;
      else row.humans++;
      rows.set(t, row);
    }
    return rows;
  }

  for (const [label, params, patterns] of [
    ['the configured patterns', {}, DEFAULT_BOT_PATTERNS],
    ['patterns given', { patterns: ' %renovate% , ada%' }, ['%renovate%', 'ada%']],
  ] as const) {
    it(`splits commits between bots and humans by ${label}`, async () => {
      const result = await get('bot-activity', params);
      if (result.kind !== 'timeseries') throw new Error('not a time series');
      const bots = botPeople(byPerson, patterns);
      const want = truth(bots);
      const nonEmpty = result.points.filter((p) => Number(p.bots) + Number(p.humans) > 0);
      expect(new Map(nonEmpty.map((p) => [p.t, { bots: p.bots, humans: p.humans }]))).toEqual(want);
      for (const p of result.points) {
        const all = Number(p.bots) + Number(p.humans);
        expect(p.botShare).toBe(all === 0 ? 0 : Number(p.bots) / all);
      }
      const botCommits = f.history.filter((c) => bots.has(byPerson(c))).length;
      expect(botCommits).toBeGreaterThan(0);
      expect(result.total).toEqual({
        bots: botCommits,
        humans: f.history.length - botCommits,
        botShare: botCommits / f.history.length,
      });
    });
  }

  it('rejects empty patterns', async () => {
    await expect(get('bot-activity', { patterns: ' , ' })).rejects.toThrow(/patterns/);
  });
});
