import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Commit } from '../../src/core/index.js';
import {
  DEFAULT_BOT_PATTERNS,
  MetricsEngine,
  registry,
  type MetricContext,
} from '../../src/metrics/index.js';
import { extensionOf, languageOf, OTHER } from '../../src/metrics/languages.js';
import { globToLike, globToRegex, pathCondition } from '../../src/metrics/path-filter.js';
import { SqlBuilder } from '../../src/metrics/sql-builder.js';
import { openStore, type Repository, type Store } from '../../src/store/index.js';
import { tempDir } from '../support/git.js';

const ACTIVITY = [
  'lines-changed',
  'files-changed',
  'activity-dates-times',
  'burstiness',
  'commit-size',
  'hotspots',
  'release-frequency',
  'language-distribution',
];

let tmp: { path: string; remove: () => void };
let store: Store;
let repo: Repository;
let engine: MetricsEngine;
beforeAll(async () => {
  tmp = tempDir('metre-activity-');
  store = await openStore(`duckdb:${join(tmp.path, 'metre.duckdb')}`);
  repo = await store.saveRepository({ name: 'empty', source: tmp.path });
  engine = new MetricsEngine({
    store,
    people: { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] },
  });
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

const context = (): MetricContext => ({
  repoIds: [repo.id],
  sql: store.sql,
  people: { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] },
});

describe('the activity metrics', () => {
  it('are registered after commits, in the order of METRICS.md', () => {
    const ids = registry.map((m) => m.id);
    const at = ids.indexOf('commits');
    expect(ids.slice(at + 1, at + 1 + ACTIVITY.length)).toEqual(ACTIVITY);
  });

  it('compile to SQL that binds every user value instead of splicing it', () => {
    const values = {
      path: "src/it's%_*.ts",
      pattern: "v'1_%*",
      from: '2019-03-04',
      to: '2021-05-06',
    };
    for (const id of ACTIVITY) {
      const metric = registry.find((m) => m.id === id)!;
      const shape = metric.params as unknown as { safeParse: (v: unknown) => { success: boolean } };
      const raw: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(values)) {
        if (shape.safeParse({ ...raw, [key]: value }).success) raw[key] = value;
      }
      const params = metric.params.parse(raw);
      for (const query of metric.compile(params, context())) {
        expect(query.sql).not.toMatch(/it's|v'1|2019|2021|\.ts/);
        expect(query.sql.match(/\$\d+/g)?.length ?? 0).toBeGreaterThan(0);
        const highest = Math.max(
          ...(query.sql.match(/\$\d+/g) ?? []).map((m) => Number(m.slice(1))),
        );
        expect(highest).toBe(query.params.length);
      }
    }
  });

  it('reject unknown and invalid parameters', async () => {
    const bad: [string, Record<string, unknown>][] = [
      ['lines-changed', { path: '' }],
      ['lines-changed', { nope: 1 }],
      ['activity-dates-times', { timezone: 'Europe/Paris' }],
      ['burstiness', { window: 0 }],
      ['burstiness', { k: -1 }],
      ['hotspots', { depth: 0 }],
      ['hotspots', { by: 'files' }],
      ['release-frequency', { pattern: '' }],
      ['language-distribution', { from: '2020-01-01' }],
    ];
    for (const [metric, params] of bad) {
      await expect(engine.get({ metric, repositories: ['empty'], params })).rejects.toThrow(
        /parameter/i,
      );
    }
  });

  it('answer an empty repository with zeros, all cells and all buckets', async () => {
    const get = async (metric: string, params: Record<string, unknown> = {}) =>
      (await engine.get({ metric, repositories: ['empty'], params })).result;
    expect(await get('lines-changed')).toEqual({
      kind: 'timeseries',
      points: [],
      total: { added: 0, deleted: 0, changed: 0 },
      detail: { commitsWithoutLines: 0 },
    });
    const heatmap = await get('activity-dates-times');
    expect(heatmap.kind === 'heatmap' && heatmap.cells.every((c) => c.value === 0)).toBe(true);
    expect(heatmap.kind === 'heatmap' && heatmap.cells.length).toBe(168);
    const sizes = await get('commit-size');
    expect(sizes.kind === 'table' && sizes.rows.map((r) => [r.commits, r.share])).toEqual(
      Array.from({ length: 8 }, () => [0, 0]),
    );
    expect(await get('hotspots')).toMatchObject({ kind: 'table', rows: [] });
    expect(await get('language-distribution')).toMatchObject({ kind: 'table', rows: [] });
    expect(await get('release-frequency', { from: '2020-01-01', to: '2020-04-01' })).toMatchObject({
      points: [
        { t: '2020-01-01', releases: 0 },
        { t: '2020-02-01', releases: 0 },
        { t: '2020-03-01', releases: 0 },
      ],
      total: { releases: 0 },
    });
    expect(await get('burstiness', { from: '2020-01-06', to: '2020-01-20' })).toMatchObject({
      points: [
        { t: '2020-01-06', commits: 0, burst: 0 },
        { t: '2020-01-13', commits: 0, burst: 0 },
      ],
      total: { commits: 0, bursts: 0 },
    });
  });

  it('count the commits whose lines are not collected yet, and leave them out', async () => {
    const at = Date.UTC(2020, 0, 15) / 1000;
    const commit: Commit = {
      sha: 'a'.repeat(40),
      parents: [],
      author: { name: 'Ada', email: 'ada@example.org', time: at, tzOffset: 0 },
      committer: { name: 'Ada', email: 'ada@example.org', time: at, tzOffset: 0 },
      subject: 'no files pass yet',
      message: 'no files pass yet\n',
    };
    await store.writeCommits(repo.id, [commit], { include: [commit.sha], exclude: [], done: 1 });
    const get = async (metric: string) =>
      (await engine.get({ metric, repositories: ['empty'], params: { refs: 'all' } })).result;
    expect(await get('lines-changed')).toMatchObject({
      total: { added: 0, deleted: 0, changed: 0 },
      detail: { commitsWithoutLines: 1 },
    });
    expect(await get('files-changed')).toMatchObject({
      total: { files: 0 },
      detail: { commitsWithoutFiles: 1 },
    });
    const sizes = await get('commit-size');
    expect(sizes.detail).toEqual({ commits: 0, commitsWithoutLines: 1 });
  });
});

describe('the path filter', () => {
  const PATHS = [
    'src',
    'src/a.ts',
    'src/b.md',
    'src/x/a.ts',
    'src/x/y/a.ts',
    'srcx/a.ts',
    'a.ts',
    'lib/src/a.ts',
    'docs/100%_done.md',
    'docs/100x_done.md',
    'docs/read\nme.md',
    'docs/ünïcode.md',
  ];

  /** The paths the filter keeps, as the store evaluates it. */
  async function kept(pattern: string): Promise<string[]> {
    const b = new SqlBuilder();
    const paths = b.bindTexts(PATHS);
    const where = pathCondition(b, context(), 'p', pattern);
    const rows = await store.query(
      b.build(`SELECT p FROM (SELECT unnest(${paths}) AS p) x WHERE ${where} ORDER BY p`),
    );
    return rows.map((row) => String(row.p));
  }

  const sorted = (paths: string[]) => [...paths].sort();

  it('takes a plain path as that file or directory and everything under it', async () => {
    expect(await kept('src')).toEqual(
      sorted(['src', 'src/a.ts', 'src/b.md', 'src/x/a.ts', 'src/x/y/a.ts']),
    );
    expect(await kept('src/x')).toEqual(sorted(['src/x/a.ts', 'src/x/y/a.ts']));
    expect(await kept('src/a.ts')).toEqual(['src/a.ts']);
  });

  it('reads * within a segment, ? as one character, ** across segments', async () => {
    expect(await kept('src/*.ts')).toEqual(['src/a.ts']);
    expect(await kept('src/**/*.ts')).toEqual(sorted(['src/a.ts', 'src/x/a.ts', 'src/x/y/a.ts']));
    expect(await kept('**/a.ts')).toEqual(
      sorted(['a.ts', 'lib/src/a.ts', 'src/a.ts', 'src/x/a.ts', 'src/x/y/a.ts', 'srcx/a.ts']),
    );
    expect(await kept('src/**')).toEqual(
      sorted(['src/a.ts', 'src/b.md', 'src/x/a.ts', 'src/x/y/a.ts']),
    );
    expect(await kept('src/?.md')).toEqual(['src/b.md']);
    expect(await kept('*.ts')).toEqual(['a.ts']);
    expect(await kept('src*')).toEqual(['src']);
    expect(await kept('src**')).toEqual(
      sorted(['src', 'src/a.ts', 'src/b.md', 'src/x/a.ts', 'src/x/y/a.ts', 'srcx/a.ts']),
    );
    expect(await kept('docs/*.md')).toEqual(
      sorted(['docs/100%_done.md', 'docs/100x_done.md', 'docs/read\nme.md', 'docs/ünïcode.md']),
    );
    expect(await kept('docs/?n?code.md')).toEqual(['docs/ünïcode.md']);
  });

  it('matches %, _ and other punctuation literally', async () => {
    expect(await kept('docs/100%_done.md')).toEqual(['docs/100%_done.md']);
    expect(await kept('docs/100%_*')).toEqual(['docs/100%_done.md']);
    expect(await kept('docs/*.m?')).toHaveLength(4);
    expect(await kept('docs/(*|x).md')).toEqual([]);
    expect(await kept('src/[ab].ts')).toEqual([]);
  });

  it('translates to a LIKE pre-filter and a full-match expression', () => {
    expect(globToLike('src/**/*_x.ts')).toBe('src/%%\\_x.ts');
    expect(globToLike('**/a?')).toBe('%a_');
    expect(globToRegex('src/**/*.ts')).toBe('src\\/(([^/]|/)*/)?[^/]*\\.ts');
    expect(globToRegex('a/**')).toBe('a\\/([^/]|/)*');
    expect(globToRegex('ü?')).toBe('ü[^/]');
  });
});

describe('languages', () => {
  it('come from well-known names first, then extensions, else Other', () => {
    expect(languageOf('Makefile')).toBe('Makefile');
    expect(languageOf('GNUmakefile')).toBe('Makefile');
    expect(languageOf('Dockerfile')).toBe('Dockerfile');
    expect(languageOf('CMakeLists.txt')).toBe('CMake');
    expect(languageOf('notes.txt')).toBe('Text');
    expect(languageOf('index.TSX')).toBe('TypeScript');
    expect(languageOf('a.b.py')).toBe('Python');
    expect(languageOf('.gitignore')).toBe(OTHER);
    expect(languageOf('.eslintrc.json')).toBe('JSON');
    expect(languageOf('README')).toBe(OTHER);
    expect(languageOf('x.zzz')).toBe(OTHER);
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('trailing.')).toBe('');
  });
});
