import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/collect/index.js';
import { loadConfig } from '../../src/config/index.js';
import { decodePath } from '../../src/core/index.js';
import { languageOf } from '../../src/metrics/languages.js';
import type {
  HeatmapResult,
  MetricResult,
  TableResult,
  TimeseriesResult,
} from '../../src/metrics/index.js';
import type { Store } from '../../src/store/index.js';
import { git, gitBytes, initRepo, tempDir } from '../support/git.js';
import { countBy, readHistory, utcBucket, type HistoryCommit } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

let f: MetricFixture;
let tiny: { dir: string; remove: () => void };
beforeAll(async () => {
  f = await metricFixture();
  tiny = buildTinyRepo();
  await collectInto(f.store, tiny.dir, 'tiny');
});
afterAll(async () => {
  await f.close();
  tiny.remove();
});

/** Collects a repository into the store the way the fixture does. */
async function collectInto(store: Store, dir: string, name: string): Promise<void> {
  const home = tempDir('metre-home-');
  try {
    const config = loadConfig({ HOME: home.path, PATH: process.env.PATH }, { home: home.path });
    await collect(
      { location: dir, name },
      { store, git: config.git, collect: { ...config.collect, allowLocal: true }, cwd: home.path },
    );
  } finally {
    home.remove();
  }
}

/** Sunday 2024-01-07 23:30 at -0800, i.e. Monday 2024-01-08 07:30 UTC. */
const SUNDAY_LATE = Date.UTC(2024, 0, 8, 7, 30) / 1000;
/** Monday 2024-01-15 00:15 at +0530, i.e. Sunday 2024-01-14 18:45 UTC. */
const MONDAY_EARLY = Date.UTC(2024, 0, 14, 18, 45) / 1000;
/** Weekly commit counts from the week of Monday 2024-03-04 on: a burst in the fifth week. */
const WEEKLY = [1, 1, 1, 1, 5, 0, 2];
const FIRST_WEEK = Date.UTC(2024, 2, 4, 12) / 1000;

/**
 * A small repository whose answers are known by construction: two commits across midnight in
 * their authors' time zones, weeks of known commit counts, files of well-known names, two tags.
 */
function buildTinyRepo() {
  const tmp = tempDir('metre-tiny-');
  const dir = initRepo(join(tmp.path, 'tiny'));
  const commit = (message: string, at: number, tz: string) => {
    const date = `@${at} ${tz}`;
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '--allow-empty', '-m', message], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
  };
  const files: Record<string, string> = {
    Makefile: 'all:\n\ttrue\n',
    Dockerfile: 'FROM scratch\n',
    'CMakeLists.txt': 'project(x)\n',
    '.gitignore': 'node_modules\n',
    'src/a.TS': 'export const a = 1;\n',
    'src/b.ts': 'export const b = 2;\n',
    'src/no-extension': 'plain\n',
    'src/c.unknownext': 'what\n',
    'docs/read.me.md': '# read me\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  commit('Sunday night in California', SUNDAY_LATE, '-0800');
  git(dir, ['tag', 'v1.0']);
  commit('Monday morning in India', MONDAY_EARLY, '+0530');
  WEEKLY.forEach((count, week) => {
    for (let i = 0; i < count; i++)
      commit(`week ${week} #${i}`, FIRST_WEEK + week * 7 * 86400 + i * 60, '+0000');
  });
  git(dir, ['tag', '-a', '-m', 'release', 'release_2'], {
    GIT_COMMITTER_DATE: `@${FIRST_WEEK + 60 * 86400} +0200`,
  });
  return { dir, remove: tmp.remove };
}

async function metric(
  id: string,
  params: Record<string, unknown> = {},
  repositories: readonly string[] = [f.repo],
): Promise<MetricResult> {
  return (await f.engine.get({ metric: id, repositories, params })).result;
}

async function heatmap(params: Record<string, unknown>, repositories?: readonly string[]) {
  const result = await metric('activity-dates-times', params, repositories);
  if (result.kind !== 'heatmap') throw new Error('not a heatmap');
  return result as HeatmapResult;
}

async function series(
  id: string,
  params: Record<string, unknown>,
  repositories?: readonly string[],
) {
  const result = await metric(id, params, repositories);
  if (result.kind !== 'timeseries') throw new Error('not a time series');
  return result as TimeseriesResult;
}

async function table(
  id: string,
  params: Record<string, unknown>,
  repositories?: readonly string[],
) {
  const result = await metric(id, params, repositories);
  if (result.kind !== 'table') throw new Error('not a table');
  return result as TableResult;
}

/** The weekday (Monday=1…Sunday=7) and hour of a time in seconds, on a clock `tz` minutes ahead. */
function cellOf(seconds: number, tz: number): string {
  const d = new Date((seconds + tz * 60) * 1000);
  return `${((d.getUTCDay() + 6) % 7) + 1}/${d.getUTCHours()}`;
}

/** The non-empty cells of a heatmap as weekday/hour → commits. */
const nonEmpty = (result: HeatmapResult) =>
  new Map(
    result.cells.filter((c) => c.value !== 0).map((c) => [`${c.weekday}/${c.hour}`, c.value]),
  );

describe('activity-dates-times', () => {
  it('places a Sunday 23:30 -0800 commit on Sunday 23h locally and Monday 7h in UTC', async () => {
    const local = await heatmap({}, ['tiny']);
    const utc = await heatmap({ timezone: 'utc' }, ['tiny']);
    const cell = (r: HeatmapResult, weekday: number, hour: number) =>
      r.cells.find((c) => c.weekday === weekday && c.hour === hour)?.value;
    const range = { from: '2024-01-01', to: '2024-02-01' };
    expect(nonEmpty(await heatmap(range, ['tiny']))).toEqual(
      new Map([
        ['7/23', 1],
        ['1/0', 1],
      ]),
    );
    expect(nonEmpty(await heatmap({ ...range, timezone: 'utc' }, ['tiny']))).toEqual(
      new Map([
        ['1/7', 1],
        ['7/18', 1],
      ]),
    );
    expect(cell(local, 7, 23)).toBe(1);
    expect(cell(utc, 1, 7)).toBe(1);
    expect(cell(utc, 7, 23)).toBe(0);
  });

  it('gives all 168 cells, Monday 0h first', async () => {
    const result = await heatmap({});
    expect(result.cells).toHaveLength(168);
    expect(result.cells[0]).toMatchObject({ weekday: 1, hour: 0 });
    expect(result.cells.at(-1)).toMatchObject({ weekday: 7, hour: 23 });
    expect(new Set(result.cells.map((c) => `${c.weekday}/${c.hour}`)).size).toBe(168);
  });

  it('equals the grid computed from git log (%at shifted by the %ai offset, or UTC)', async () => {
    const local = await heatmap({});
    expect(nonEmpty(local)).toEqual(countBy(f.history, (c) => cellOf(c.authorTime, c.authorTz)));
    const utc = await heatmap({ timezone: 'utc' });
    expect(nonEmpty(utc)).toEqual(countBy(f.history, (c) => cellOf(c.authorTime, 0)));
    expect(nonEmpty(utc)).not.toEqual(nonEmpty(local));
  });

  it('follows merges, refs and the range', async () => {
    const [from, to] = ['2016-01-01', '2017-01-01'];
    const result = await heatmap({ merges: 'exclude', refs: 'all', from, to });
    const inRange = (c: HistoryCommit) =>
      c.authorTime >= Date.parse(from) / 1000 && c.authorTime < Date.parse(to) / 1000;
    const commits = f.historyAll.filter((c) => !c.isMerge && inRange(c));
    expect(nonEmpty(result)).toEqual(countBy(commits, (c) => cellOf(c.authorTime, c.authorTz)));
  });
});

/** The next bucket start (`YYYY-MM-DD`) after `day`. */
function nextBucket(day: string, granularity: 'week' | 'month'): string {
  const d = new Date(`${day}T00:00:00Z`);
  const next =
    granularity === 'week'
      ? d.getTime() + 7 * 86_400_000
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return new Date(next).toISOString().slice(0, 10);
}

/** Burstiness computed here: counts per bucket from git log, rolling population statistics. */
function expectedBursts(
  history: readonly HistoryCommit[],
  granularity: 'week' | 'month',
  window: number,
  k: number,
) {
  const counts = countBy(history, (c) => utcBucket(c.authorTime, granularity));
  const days = [...counts.keys()].sort();
  const series: { t: string; commits: number }[] = [];
  for (let t = days[0]!; t <= days.at(-1)!; t = nextBucket(t, granularity)) {
    series.push({ t, commits: counts.get(t) ?? 0 });
  }
  return series.map(({ t, commits }, i) => {
    const previous = series.slice(Math.max(0, i - window), i).map((p) => p.commits);
    const n = previous.length;
    const mean = n === 0 ? 0 : previous.reduce((s, x) => s + x, 0) / n;
    const sd = n === 0 ? 0 : Math.sqrt(previous.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    const threshold = mean + k * sd;
    return { t, commits, mean, threshold, burst: n === window && commits > threshold ? 1 : 0 };
  });
}

function expectSeries(got: TimeseriesResult['points'], want: ReturnType<typeof expectedBursts>) {
  expect(got.map((p) => [p.t, p.commits, p.burst])).toEqual(
    want.map((p) => [p.t, p.commits, p.burst]),
  );
  got.forEach((p, i) => {
    expect(p.mean).toBeCloseTo(want[i]!.mean, 9);
    expect(p.threshold).toBeCloseTo(want[i]!.threshold, 9);
  });
}

describe('burstiness', () => {
  it('flags a week above the mean plus k population deviations of the weeks before it', async () => {
    const result = await series('burstiness', { window: 4, from: '2024-03-01' }, ['tiny']);
    expect(result.points.map((p) => [p.t, p.commits, p.burst])).toEqual([
      ['2024-02-26', 0, 0],
      ['2024-03-04', 1, 1], // after four empty weeks: mean 0, deviation 0
      ['2024-03-11', 1, 0],
      ['2024-03-18', 1, 0],
      ['2024-03-25', 1, 0],
      ['2024-04-01', 5, 1], // the four weeks before: mean 1, deviation 0
      ['2024-04-08', 0, 0], // 1, 1, 1, 5 before: mean 2, population deviation √3
      ['2024-04-15', 2, 0], // 1, 1, 5, 0 before: mean 1.75, threshold 1.75 + 2 × √3.6875
    ]);
    expect(result.points[6]?.mean).toBe(2);
    expect(result.points[6]?.threshold).toBeCloseTo(2 + 2 * Math.sqrt(3), 9);
    expect(result.points[7]?.threshold).toBeCloseTo(1.75 + 2 * Math.sqrt(3.6875), 9);
    expect(result.total).toEqual({ commits: 11, bursts: 2 });
  });

  it('equals the rolling statistics computed from git log, for each granularity, window and k', async () => {
    const cases = [
      { granularity: 'week', window: 12, k: 2 },
      { granularity: 'month', window: 3, k: 1 },
      { granularity: 'week', window: 6, k: 0.5 },
    ] as const;
    for (const c of cases) {
      const result = await series('burstiness', c);
      const want = expectedBursts(f.history, c.granularity, c.window, c.k);
      expectSeries(result.points, want);
      expect(result.total.bursts).toBe(want.filter((p) => p.burst === 1).length);
      expect(result.total.bursts).toBeGreaterThan(0);
      expect(result.total.commits).toBe(f.history.length);
    }
  });

  it('defaults to weeks, a window of 12 and k = 2', async () => {
    const result = await series('burstiness', {});
    expectSeries(result.points, expectedBursts(f.history, 'week', 12, 2));
  });

  it('keeps each bucket’s values in a range: the windows look back before from', async () => {
    const [from, to] = ['2016-02-01', '2016-08-01'];
    const result = await series('burstiness', { granularity: 'month', window: 6, from, to });
    const want = expectedBursts(f.history, 'month', 6, 2).filter((p) => p.t >= from && p.t < to);
    expectSeries(result.points, want);
    expect(result.points).toHaveLength(6);
  });
});

describe('release-frequency', () => {
  /** Tags from git for-each-ref: name, creatordate and the commit they point to. */
  function tags(dir: string) {
    const format = '%(refname:short)%00%(creatordate:unix)%00%(objectname)%00%(*objectname)';
    return git(dir, ['for-each-ref', 'refs/tags', `--format=${format}`])
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [name = '', date = '', object = '', peeled = ''] = line.split('\0');
        return { name, date: Number(date), sha: peeled === '' ? object : peeled };
      })
      .sort((a, b) => a.date - b.date || (a.name < b.name ? -1 : 1));
  }

  it('counts tags per bucket by creatordate, with their names, dates and commits', async () => {
    const truth = tags(f.dir);
    expect(truth.length).toBeGreaterThan(3);
    for (const granularity of ['month', 'quarter', 'year'] as const) {
      const result = await series('release-frequency', { granularity });
      const want = countBy(truth, (tag) => utcBucket(tag.date, granularity));
      expect(
        new Map(result.points.filter((p) => p.releases !== 0).map((p) => [p.t, p.releases])),
      ).toEqual(want);
      expect(result.total.releases).toBe(truth.length);
      expect(result.detail?.releases).toEqual(
        truth.map((tag) => ({
          name: tag.name,
          date: new Date(tag.date * 1000).toISOString(),
          sha: tag.sha,
        })),
      );
    }
  });

  it('uses the tagger date of annotated tags and keeps only names matching pattern', async () => {
    const truth = tags(tiny.dir);
    const result = await series('release-frequency', {}, ['tiny']);
    expect(result.detail?.releases).toEqual(
      truth.map((tag) => ({
        name: tag.name,
        date: new Date(tag.date * 1000).toISOString(),
        sha: tag.sha,
      })),
    );
    const annotated = truth.find((tag) => tag.name === 'release_2');
    expect(annotated?.date).toBe(FIRST_WEEK + 60 * 86400);
    const underscore = await series('release-frequency', { pattern: 'release_*' }, ['tiny']);
    expect(underscore.total.releases).toBe(1);
    expect(
      (await series('release-frequency', { pattern: 'release?2' }, ['tiny'])).total.releases,
    ).toBe(1);
    expect(
      (await series('release-frequency', { pattern: 'release%' }, ['tiny'])).total.releases,
    ).toBe(0);
  });

  it('follows the range and a pattern on the fixture', async () => {
    const [from, to] = ['2016-01-01', '2017-06-01'];
    const result = await series('release-frequency', {
      from,
      to,
      pattern: 'v0.*',
      granularity: 'quarter',
    });
    const want = tags(f.dir).filter(
      (tag) =>
        tag.name.startsWith('v0.') &&
        tag.date >= Date.parse(from) / 1000 &&
        tag.date < Date.parse(to) / 1000,
    );
    expect(result.total.releases).toBe(want.length);
    expect(
      new Map(result.points.filter((p) => p.releases !== 0).map((p) => [p.t, p.releases])),
    ).toEqual(countBy(want, (tag) => utcBucket(tag.date, 'quarter')));
    expect(result.points.map((p) => p.t)).toEqual([
      '2016-01-01',
      '2016-04-01',
      '2016-07-01',
      '2016-10-01',
      '2017-01-01',
      '2017-04-01',
    ]);
  });
});

describe('a group of repositories', () => {
  it('adds the lines of both and counts a path once in files-changed', async () => {
    const both = [...f.history, ...readHistory(tiny.dir)];
    const lines = await series('lines-changed', { granularity: 'year' }, [f.repo, 'tiny']);
    const added = both.reduce((s, c) => s + c.added, 0);
    const deleted = both.reduce((s, c) => s + c.deleted, 0);
    expect(lines.total).toEqual({ added, deleted, changed: added + deleted });
    const files = await series('files-changed', { granularity: 'year' }, [f.repo, 'tiny']);
    const paths = new Set(both.filter((c) => !c.isMerge).flatMap((c) => [...c.paths]));
    expect(files.total.files).toBe(paths.size);
    const heat = await heatmap({}, [f.repo, 'tiny']);
    expect(heat.cells.reduce((s, c) => s + c.value, 0)).toBe(both.length);
  });
});

describe('language-distribution', () => {
  /** Files and bytes per language from git ls-tree -r -l on the default branch. */
  function languages(dir: string) {
    const output = gitBytes(dir, ['ls-tree', '-r', '-l', '-z', '--full-tree', 'main']);
    const sums = new Map<string, { files: number; bytes: number }>();
    for (const entry of output.toString('latin1').split('\0')) {
      const match = /^\d+ (\w+) [0-9a-f]+ +(\d+|-)\t(.*)$/s.exec(entry);
      if (!match || match[1] !== 'blob') continue;
      const path = decodePath(Buffer.from(match[3]!, 'latin1'));
      const language = languageOf(path.split('/').at(-1)!);
      const sum = sums.get(language) ?? { files: 0, bytes: 0 };
      sums.set(language, { files: sum.files + 1, bytes: sum.bytes + Number(match[2]) });
    }
    return sums;
  }

  const asMap = (result: TableResult) =>
    new Map(
      result.rows.map((r) => [
        String(r.language),
        { files: Number(r.files), bytes: Number(r.bytes) },
      ]),
    );

  it('counts files and bytes per language in the default branch’s tree, as git ls-tree does', async () => {
    const result = await table('language-distribution', {});
    expect(result.columns).toEqual(['language', 'files', 'bytes', 'fileShare', 'byteShare']);
    const want = languages(f.dir);
    expect(asMap(result)).toEqual(want);
    const files = [...want.values()].reduce((s, l) => s + l.files, 0);
    const bytes = [...want.values()].reduce((s, l) => s + l.bytes, 0);
    for (const row of result.rows) {
      expect(row.fileShare).toBeCloseTo(Number(row.files) / files, 12);
      expect(row.byteShare).toBeCloseTo(Number(row.bytes) / bytes, 12);
    }
    const byBytes = result.rows.map((r) => Number(r.bytes));
    expect(byBytes).toEqual([...byBytes].sort((a, b) => b - a));
    expect(want.size).toBeGreaterThan(5);
  });

  it('knows well-known file names, ignores case and leading dots, and puts the rest in Other', async () => {
    const result = await table('language-distribution', {}, ['tiny']);
    expect(asMap(result)).toEqual(languages(tiny.dir));
    const files = new Map(result.rows.map((r) => [r.language, r.files]));
    expect(files.get('Makefile')).toBe(1);
    expect(files.get('Dockerfile')).toBe(1);
    expect(files.get('CMake')).toBe(1);
    expect(files.get('TypeScript')).toBe(2);
    expect(files.get('Markdown')).toBe(1);
    expect(files.get('Other')).toBe(3); // .gitignore, no-extension, c.unknownext
  });

  it('sums over the repositories of a group', async () => {
    const result = await table('language-distribution', {}, [f.repo, 'tiny']);
    const want = languages(f.dir);
    for (const [language, sum] of languages(tiny.dir)) {
      const other = want.get(language) ?? { files: 0, bytes: 0 };
      want.set(language, { files: other.files + sum.files, bytes: other.bytes + sum.bytes });
    }
    expect(asMap(result)).toEqual(want);
  });
});
