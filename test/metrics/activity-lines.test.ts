import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePath } from '../../src/core/index.js';
import type { MetricResult, TableResult, TimeseriesResult } from '../../src/metrics/index.js';
import { gitBytes } from '../support/git.js';
import { utcBucket, type HistoryCommit } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

/** One file of one commit, from `git log --numstat -M` read here (binary files: 0 lines). */
interface FileLines {
  readonly path: string;
  readonly added: number;
  readonly deleted: number;
}

/** Per commit, its files with their lines, as git prints them. */
function readNumstat(dir: string, revs: readonly string[]): Map<string, FileLines[]> {
  const output = gitBytes(dir, ['log', '-z', '--numstat', '-M', '--format=@%H', ...revs, '--']);
  const files = new Map<string, FileLines[]>();
  let current: FileLines[] = [];
  const tokens = output.toString('latin1').split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const token = (tokens[i] ?? '').replace(/^\n/, '');
    if (token.startsWith('@')) {
      current = [];
      files.set(token.slice(1), current);
      continue;
    }
    const match = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!match) continue;
    let path = match[3] ?? '';
    if (path === '') {
      path = tokens[i + 2] ?? ''; // a rename: old path, then new path
      i += 2;
    }
    current.push({
      path: decodePath(Buffer.from(path, 'latin1')),
      added: match[1] === '-' ? 0 : Number(match[1]),
      deleted: match[2] === '-' ? 0 : Number(match[2]),
    });
  }
  return files;
}

let f: MetricFixture;
let numstat: Map<string, FileLines[]>;
beforeAll(async () => {
  f = await metricFixture();
  numstat = readNumstat(f.dir, ['--all']);
});
afterAll(async () => {
  await f.close();
});

async function metric(id: string, params: Record<string, unknown> = {}): Promise<MetricResult> {
  return (await f.engine.get({ metric: id, repositories: [f.repo], params })).result;
}

async function series(id: string, params: Record<string, unknown> = {}) {
  const result = await metric(id, params);
  if (result.kind !== 'timeseries') throw new Error('not a time series');
  return result as TimeseriesResult;
}

async function table(id: string, params: Record<string, unknown> = {}) {
  const result = await metric(id, params);
  if (result.kind !== 'table') throw new Error('not a table');
  return result as TableResult;
}

/** The points of a series as bucket → the fields, buckets where every field is 0 dropped. */
function nonZero(points: TimeseriesResult['points'], fields: readonly string[]) {
  return new Map(
    points
      .filter((p) => fields.some((field) => Number(p[field]) !== 0))
      .map((p) => [p.t, Object.fromEntries(fields.map((field) => [field, Number(p[field])]))]),
  );
}

const fileLines = (c: HistoryCommit) => (c.isMerge ? [] : (numstat.get(c.sha) ?? []));

/** Expected lines per bucket from git's numstat, counting only the files `keep` accepts. */
function expectedLines(
  commits: readonly HistoryCommit[],
  bucketOf: (c: HistoryCommit) => string,
  keep: (path: string) => boolean = () => true,
) {
  const buckets = new Map<string, { added: number; deleted: number; changed: number }>();
  for (const c of commits) {
    const files = fileLines(c).filter((file) => keep(file.path));
    const added = files.reduce((s, file) => s + file.added, 0);
    const deleted = files.reduce((s, file) => s + file.deleted, 0);
    if (added + deleted === 0) continue;
    const sum = buckets.get(bucketOf(c)) ?? { added: 0, deleted: 0, changed: 0 };
    buckets.set(bucketOf(c), {
      added: sum.added + added,
      deleted: sum.deleted + deleted,
      changed: sum.changed + added + deleted,
    });
  }
  return buckets;
}

const inRange = (t: number, from: string, to: string) =>
  t >= Date.parse(from) / 1000 && t < Date.parse(to) / 1000;

/** The most frequently touched top-level directory: a path filter with something in it. */
function busiestDirectory(): string {
  const counts = new Map<string, number>();
  for (const c of f.history) {
    for (const path of c.paths) {
      if (path.includes('/'))
        counts.set(path.split('/')[0]!, (counts.get(path.split('/')[0]!) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('lines-changed', () => {
  it('sums added and deleted lines per bucket as git log --numstat does', async () => {
    for (const granularity of ['week', 'month', 'year'] as const) {
      const result = await series('lines-changed', { granularity });
      const want = expectedLines(f.history, (c) => utcBucket(c.authorTime, granularity));
      expect(nonZero(result.points, ['added', 'deleted', 'changed'])).toEqual(want);
      const added = f.history.reduce((s, c) => s + c.added, 0);
      const deleted = f.history.reduce((s, c) => s + c.deleted, 0);
      expect(result.total).toEqual({ added, deleted, changed: added + deleted });
      expect(result.detail).toEqual({ commitsWithoutLines: 0 });
    }
  });

  it('follows date, merges, refs and the range; merges count no lines', async () => {
    const [from, to] = ['2016-01-01', '2017-01-01'];
    const params = { date: 'committer', refs: 'all', from, to };
    const commits = f.historyAll.filter((c) => inRange(c.committerTime, from, to));
    const want = expectedLines(commits, (c) => utcBucket(c.committerTime, 'month'));
    const withMerges = await series('lines-changed', params);
    const withoutMerges = await series('lines-changed', { ...params, merges: 'exclude' });
    expect(nonZero(withMerges.points, ['added', 'deleted', 'changed'])).toEqual(want);
    expect(withoutMerges.points).toEqual(withMerges.points);
    expect(withMerges.points[0]?.t).toBe('2016-01-01');
    expect(withMerges.points.at(-1)?.t).toBe('2016-12-01');
  });

  it('counts only the files a path filter matches: a directory or a glob', async () => {
    const dir = busiestDirectory();
    const bucket = (c: HistoryCommit) => utcBucket(c.authorTime, 'month');
    const cases: [string, (path: string) => boolean][] = [
      [dir, (p) => p.startsWith(`${dir}/`)],
      [`${dir}/`, (p) => p.startsWith(`${dir}/`)],
      [`${dir}/*`, (p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/')],
      [`${dir}/**`, (p) => p.startsWith(`${dir}/`)],
      ['**/*.md', (p) => p.endsWith('.md')],
      ['*.md', (p) => p.endsWith('.md') && !p.includes('/')],
      [`${dir}/**/?*.txt`, (p) => p.startsWith(`${dir}/`) && /\/[^/]+\.txt$/.test(p)],
      [dir.slice(0, -1), () => false], // a prefix of a directory's name is not that directory
    ];
    for (const [path, keep] of cases) {
      const result = await series('lines-changed', { path });
      const want = expectedLines(f.history, bucket, keep);
      expect(nonZero(result.points, ['added', 'deleted', 'changed']), path).toEqual(want);
    }
    const some = await series('lines-changed', { path: dir });
    const all = await series('lines-changed', {});
    expect(some.total.changed).toBeGreaterThan(0);
    expect(some.total.changed).toBeLessThan(all.total.changed ?? 0);
  });

  it('treats % and _ in a path filter as ordinary characters', async () => {
    const none = await series('lines-changed', { path: '%' });
    expect(none.total.changed).toBe(0);
    const underscore = await series('lines-changed', { path: '_*' });
    expect(underscore.total.changed).toBe(
      expectedLines(
        f.history,
        () => 'x',
        (p) => p.startsWith('_') && !p.includes('/'),
      ).get('x')?.changed ?? 0,
    );
  });
});

describe('files-changed', () => {
  /** Distinct paths per bucket and overall from git's view. */
  function expectedFiles(
    commits: readonly HistoryCommit[],
    bucketOf: (c: HistoryCommit) => string,
    keep: (path: string) => boolean = () => true,
  ) {
    const buckets = new Map<string, Set<string>>();
    const all = new Set<string>();
    for (const c of commits) {
      for (const path of c.isMerge ? [] : [...c.paths].filter(keep)) {
        buckets.set(bucketOf(c), (buckets.get(bucketOf(c)) ?? new Set()).add(path));
        all.add(path);
      }
    }
    return {
      points: new Map([...buckets].map(([t, paths]) => [t, { files: paths.size }])),
      total: all.size,
    };
  }

  it('counts distinct paths per bucket and over the whole range', async () => {
    for (const granularity of ['day', 'month', 'quarter'] as const) {
      const result = await series('files-changed', { granularity });
      const want = expectedFiles(f.history, (c) => utcBucket(c.authorTime, granularity));
      expect(nonZero(result.points, ['files'])).toEqual(want.points);
      expect(result.total.files).toBe(want.total);
      expect(result.detail).toEqual({ commitsWithoutFiles: 0 });
    }
  });

  it('follows the range, refs, date and a path filter', async () => {
    const [from, to] = ['2015-06-01', '2016-06-01'];
    const dir = busiestDirectory();
    const result = await series('files-changed', {
      from,
      to,
      refs: 'all',
      date: 'committer',
      path: `${dir}/**`,
    });
    const commits = f.historyAll.filter((c) => inRange(c.committerTime, from, to));
    const want = expectedFiles(
      commits,
      (c) => utcBucket(c.committerTime, 'month'),
      (p) => p.startsWith(`${dir}/`),
    );
    expect(nonZero(result.points, ['files'])).toEqual(want.points);
    expect(result.total.files).toBe(want.total);
    expect(result.points).toHaveLength(12);
  });
});

describe('commit-size', () => {
  const EDGES = [0, 1, 10, 50, 100, 500, 1000, 5000];
  const bucketIndex = (n: number) => EDGES.filter((edge) => n >= edge).length - 1;

  function expectedSizes(commits: readonly HistoryCommit[]) {
    const counts = EDGES.map(() => 0);
    for (const c of commits) counts[bucketIndex(c.added + c.deleted)]! += 1;
    return counts;
  }

  it('puts each commit in its fixed bucket of lines changed; merges in the 0 bucket', async () => {
    const result = await table('commit-size');
    expect(result.columns).toEqual(['bucket', 'min', 'max', 'commits', 'share']);
    expect(result.rows.map((r) => r.bucket)).toEqual([
      '0',
      '1-9',
      '10-49',
      '50-99',
      '100-499',
      '500-999',
      '1000-4999',
      '5000+',
    ]);
    expect(result.rows.map((r) => [r.min, r.max])).toEqual(
      EDGES.map((edge, i) => [edge, i + 1 < EDGES.length ? EDGES[i + 1]! - 1 : null]),
    );
    const want = expectedSizes(f.history);
    expect(result.rows.map((r) => r.commits)).toEqual(want);
    expect(result.rows.map((r) => r.share)).toEqual(want.map((n) => n / f.history.length));
    expect(result.rows[0]?.commits).toBeGreaterThanOrEqual(
      f.history.filter((c) => c.isMerge).length,
    );
    expect(result.detail).toEqual({ commits: f.history.length, commitsWithoutLines: 0 });
  });

  it('drops merges with merges=exclude and follows the range, date and refs', async () => {
    const [from, to] = ['2016-01-01', '2017-07-01'];
    const result = await table('commit-size', {
      merges: 'exclude',
      from,
      to,
      date: 'committer',
      refs: 'all',
    });
    const commits = f.historyAll.filter((c) => !c.isMerge && inRange(c.committerTime, from, to));
    expect(result.rows.map((r) => r.commits)).toEqual(expectedSizes(commits));
  });
});

describe('hotspots', () => {
  interface Spot {
    commits: Set<string>;
    added: number;
    deleted: number;
  }

  /** Files and directories (first `depth` segments, else the parent) from git's numstat. */
  function expectedSpots(commits: readonly HistoryCommit[], depth: number) {
    const files = new Map<string, Spot>();
    const dirs = new Map<string, Spot>();
    const add = (map: Map<string, Spot>, key: string, sha: string, file: FileLines) => {
      const spot = map.get(key) ?? { commits: new Set(), added: 0, deleted: 0 };
      spot.commits.add(sha);
      spot.added += file.added;
      spot.deleted += file.deleted;
      map.set(key, spot);
    };
    for (const c of commits) {
      for (const file of fileLines(c)) {
        add(files, file.path, c.sha, file);
        const segments = file.path.split('/');
        if (segments.length > 1) {
          add(dirs, segments.slice(0, Math.min(depth, segments.length - 1)).join('/'), c.sha, file);
        }
      }
    }
    return { files, dirs };
  }

  function ranked(spots: Map<string, Spot>, by: 'commits' | 'lines', kind: string, limit: number) {
    const rows = [...spots].map(([path, s]) => ({
      kind,
      path,
      commits: s.commits.size,
      added: s.added,
      deleted: s.deleted,
      changed: s.added + s.deleted,
    }));
    const key = (r: (typeof rows)[number]) =>
      by === 'commits' ? [r.commits, r.changed] : [r.changed, r.commits];
    rows.sort((a, b) => {
      const [a1, a2] = key(a);
      const [b1, b2] = key(b);
      return b1! - a1! || b2! - a2! || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    });
    return rows.slice(0, limit).map((r, i) => ({ ...r, rank: i + 1 }));
  }

  it('ranks files and top-level directories by commits, as git log --numstat shows them', async () => {
    const result = await table('hotspots');
    expect(result.columns).toEqual([
      'kind',
      'path',
      'commits',
      'added',
      'deleted',
      'changed',
      'rank',
    ]);
    const want = expectedSpots(f.history, 1);
    expect(result.rows).toEqual([
      ...ranked(want.files, 'commits', 'file', 20),
      ...ranked(want.dirs, 'commits', 'directory', 20),
    ]);
    // A file's commits are those whose paths (git's view, new paths of renames) include it.
    const top = result.rows[0]!;
    expect(top.commits).toBe(
      f.history.filter((c) => !c.isMerge && c.paths.has(String(top.path))).length,
    );
  });

  it('ranks by lines with by=lines, deeper directories with depth, in a range', async () => {
    const [from, to] = ['2015-03-01', '2016-09-01'];
    const result = await table('hotspots', { by: 'lines', depth: 2, limit: 7, from, to });
    const commits = f.history.filter((c) => inRange(c.authorTime, from, to));
    const want = expectedSpots(commits, 2);
    expect(result.rows).toEqual([
      ...ranked(want.files, 'lines', 'file', 7),
      ...ranked(want.dirs, 'lines', 'directory', 7),
    ]);
    expect(
      result.rows.some((r) => String(r.path).split('/').length === 2 && r.kind === 'directory'),
    ).toBe(true);
  });
});
