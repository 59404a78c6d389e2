import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/collect/index.js';
import { loadConfig } from '../../src/config/index.js';
import {
  DEFAULT_BOT_PATTERNS,
  MetricsEngine,
  parseParams,
  registry,
  type MetricResult,
} from '../../src/metrics/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { git, initRepo, tempDir } from '../support/git.js';

/**
 * Tiny repositories whose answers are known by construction: METRICS.md's worked example of the
 * contributor absence factor, and the exact boundaries of inactive contributors.
 */

const tmp = tempDir('metre-people-examples-');
const config = loadConfig({ HOME: tmp.path, PATH: process.env.PATH }, { home: tmp.path });
let store: Store;
let engine: MetricsEngine;

/** One commit: who (`Name <email>`) and when (an ISO instant). */
type Commit = readonly [who: string, at: string];

/** A repository with these commits on main, in order, collected under `name`. */
async function repo(name: string, commits: readonly Commit[]): Promise<void> {
  const dir = initRepo(join(tmp.path, name));
  for (const [i, [who, at]] of commits.entries()) {
    const [, author = '', email = ''] = /^(.*) <(.*)>$/.exec(who) ?? [];
    writeFileSync(join(dir, 'file.txt'), `line ${i}\n`);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', `commit ${i}`], {
      GIT_AUTHOR_NAME: author,
      GIT_AUTHOR_EMAIL: email,
      GIT_AUTHOR_DATE: at,
      GIT_COMMITTER_DATE: at,
    });
  }
  await collect(
    { location: dir, name },
    { store, git: config.git, collect: { ...config.collect, allowLocal: true }, cwd: tmp.path },
  );
}

/** `n` commits by `who`, a day apart from `start`. */
const times = (who: string, n: number, start: string): Commit[] =>
  Array.from({ length: n }, (_, i) => [
    who,
    new Date(Date.parse(start) + i * 86_400_000).toISOString(),
  ]);

const A = 'Ann <ann@a.example>';
const B = 'Bob <bob@b.example>';
const C = 'Cat <cat@gmail.com>';
const D = 'Dan <dan@gmail.com>';

beforeAll(async () => {
  store = await openStore(`duckdb:${join(tmp.path, 'metre.duckdb')}`);
  engine = new MetricsEngine({
    store,
    people: { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] },
  });
  await repo('six-three-one', [
    ...times(A, 6, '2024-01-01T10:00:00Z'),
    ...times(B, 3, '2024-02-01T10:00:00Z'),
    ...times(C, 1, '2024-03-01T10:00:00Z'),
  ]);
  await repo('five-four-one', [
    ...times(A, 5, '2024-01-01T10:00:00Z'),
    ...times(B, 4, '2024-02-01T10:00:00Z'),
    ...times(C, 1, '2024-03-01T10:00:00Z'),
  ]);
  await repo('ties', [
    ...times(C, 3, '2024-01-01T10:00:00Z'),
    ...times(B, 3, '2024-02-01T10:00:00Z'),
    ...times(A, 3, '2024-03-01T10:00:00Z'),
    ...times(D, 1, '2024-04-01T10:00:00Z'),
  ]);
  // Ann commits at midnight on 10 January, then at midnight on 20 January; Bob keeps going.
  await repo('boundaries', [
    [A, '2024-01-10T00:00:00Z'],
    [A, '2024-01-20T00:00:00Z'],
    ...times(B, 30, '2024-01-01T12:00:00Z'),
  ]);
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

async function get(metric: string, repo: string, params: Record<string, unknown> = {}) {
  return (await engine.get({ metric, repositories: [repo], params })).result;
}

const value = (result: MetricResult) => (result.kind === 'scalar' ? result.value : undefined);

describe('contributor-absence-factor: METRICS.md worked example', () => {
  it('A 6, B 3, C 1: A alone has 0.6 > 0.5, so the factor is 1', async () => {
    const result = await get('contributor-absence-factor', 'six-three-one');
    expect(result).toEqual({
      kind: 'scalar',
      value: 1,
      detail: {
        threshold: 0.5,
        totalCommits: 10,
        people: [{ person: 'ann@a.example', name: 'Ann', commits: 6, share: 0.6 }],
      },
    });
  });

  it('A 5, B 4, C 1: A alone has exactly 0.5, not more than half, so the factor is 2', async () => {
    const result = await get('contributor-absence-factor', 'five-four-one');
    expect(value(result)).toBe(2);
    expect(result.detail?.people).toEqual([
      { person: 'ann@a.example', name: 'Ann', commits: 5, share: 0.5 },
      { person: 'bob@b.example', name: 'Bob', commits: 4, share: 0.4 },
    ]);
  });

  it('compares shares exactly at every boundary', async () => {
    // A 5, B 4, C 1: cumulative shares 0.5, 0.9, 1.
    for (const [threshold, factor] of [
      [0.4, 1],
      [0.499999, 1],
      [0.5, 2],
      [0.6, 2],
      [0.899999, 2],
      [0.9, 3],
      [0.3, 1],
      [0.7, 2],
      [0.999999, 3],
    ] as const) {
      expect([
        threshold,
        value(await get('contributor-absence-factor', 'five-four-one', { threshold })),
      ]).toEqual([threshold, factor]);
    }
  });

  it('takes people with equal commits one at a time, ties listed by name', async () => {
    // Cat 3, Bob 3, Ann 3, Dan 1: 3 of 10, then 6, 9 and 10.
    for (const [threshold, factor] of [
      [0.2, 1],
      [0.3, 2],
      [0.5, 2],
      [0.6, 3],
      [0.89, 3],
      [0.9, 4],
    ] as const) {
      expect([
        threshold,
        value(await get('contributor-absence-factor', 'ties', { threshold })),
      ]).toEqual([threshold, factor]);
    }
    const result = await get('contributor-absence-factor', 'ties');
    expect(result.detail?.people).toEqual([
      { person: 'ann@a.example', name: 'Ann', commits: 3, share: 0.3 },
      { person: 'bob@b.example', name: 'Bob', commits: 3, share: 0.3 },
    ]);
    // Organisations: independent (Cat and Dan, gmail) 4, a.example 3, b.example 3.
    const elephant = await get('elephant-factor', 'ties', { threshold: 0.5 });
    expect(elephant.detail?.organizations).toEqual([
      { organization: 'independent', commits: 4, share: 0.4 },
      { organization: 'a.example', commits: 3, share: 0.3 },
    ]);
  });

  it('per bucket with a granularity', async () => {
    const result = await get('contributor-absence-factor', 'six-three-one', {
      granularity: 'month',
    });
    expect(result).toMatchObject({
      kind: 'timeseries',
      points: [
        { t: '2024-01-01', factor: 1 },
        { t: '2024-02-01', factor: 1 },
        { t: '2024-03-01', factor: 1 },
      ],
      total: { factor: 1 },
    });
  });

  it('the elephant factor counts organisations the same way', async () => {
    // a.example 5, b.example 4, independent (gmail) 1.
    const result = await get('elephant-factor', 'five-four-one');
    expect(result).toEqual({
      kind: 'scalar',
      value: 2,
      detail: {
        threshold: 0.5,
        totalCommits: 10,
        organizations: [
          { organization: 'a.example', commits: 5, share: 0.5 },
          { organization: 'b.example', commits: 4, share: 0.4 },
        ],
      },
    });
    expect(value(await get('elephant-factor', 'six-three-one'))).toBe(1);
  });
});

describe('inactive-contributors: boundaries', () => {
  it('counts a person inactive once their last commit is older than E - interval', async () => {
    const result = await get('inactive-contributors', 'boundaries', {
      granularity: 'day',
      interval: 5,
    });
    if (result.kind !== 'timeseries') throw new Error('not a time series');
    const inactive = new Map(result.points.map((p) => [p.t, p.inactive]));
    // Bucket 14 Jan ends at 15 Jan 00:00; minus 5 days is 10 Jan 00:00, Ann's last commit: not
    // earlier, so still active. Bucket 15 Jan ends at 16 Jan: 11 Jan > 10 Jan, inactive.
    expect(inactive.get('2024-01-14')).toBe(0);
    expect(inactive.get('2024-01-15')).toBe(1);
    // Bucket 19 Jan ends at 20 Jan 00:00: her 20 Jan commit is not before it, so still inactive;
    // bucket 20 Jan ends at 21 Jan and holds that commit.
    expect(inactive.get('2024-01-19')).toBe(1);
    expect(inactive.get('2024-01-20')).toBe(0);
    // 20 Jan + 5 days: bucket 25 Jan ends at 26 Jan 00:00, minus 5 days = 21 Jan > 20 Jan.
    expect(inactive.get('2024-01-24')).toBe(0);
    expect(inactive.get('2024-01-25')).toBe(1);
    expect(result.total.inactive).toBe(1);
    // Bob's commits are a day apart: never inactive for 5 days.
    expect(Math.max(...result.points.map((p) => Number(p.inactive)))).toBe(1);
  });

  it('counts nobody before their first commit', async () => {
    const result = await get('inactive-contributors', 'boundaries', {
      granularity: 'day',
      interval: 1,
      from: '2024-01-01',
      to: '2024-01-12',
    });
    if (result.kind !== 'timeseries') throw new Error('not a time series');
    // Bob commits daily at noon. Ann: last commit 10 Jan 00:00; bucket 10 Jan ends 11 Jan, minus
    // a day is 10 Jan 00:00, not earlier: active. Bucket 11 Jan: inactive.
    expect(result.points.map((p) => p.inactive)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});

describe('people metrics compile to parameterised SQL', () => {
  const ids = [
    'top-contributors',
    'new-contributors',
    'inactive-contributors',
    'occasional-contributors',
    'contributor-absence-factor',
    'elephant-factor',
    'organizational-diversity',
    'bot-activity',
  ];
  const context = () => ({
    repoIds: ['repo-evil-id'],
    sql: store.sql,
    people: {
      botPatterns: ["%evil'bot%"],
      affiliations: [
        {
          email: "o'evil@x.example",
          organization: "Evil'Org",
          from: '2020-01-01T00:00:00.000Z',
          to: null,
        },
      ],
    },
  });
  const raw: Record<string, Record<string, unknown>> = {
    'top-contributors': { from: '2021-02-03', to: '2022-03-04', limit: 7 },
    'new-contributors': { from: '2021-02-03', granularity: 'week' },
    'inactive-contributors': { to: '2022-03-04', interval: 77 },
    'occasional-contributors': { threshold: 9 },
    'contributor-absence-factor': { threshold: 0.37, granularity: 'quarter' },
    'elephant-factor': { threshold: 0.37 },
    'organizational-diversity': { from: '2021-02-03' },
    'bot-activity': { patterns: "%evil'pattern%" },
  };
  for (const id of ids) {
    it(`${id}: no user value in the SQL text, every one bound`, () => {
      const metric = registry.find((m) => m.id === id);
      if (metric === undefined) throw new Error(`${id} is not registered`);
      const queries = metric.compile(parseParams(metric, raw[id] ?? {}), context());
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        for (const text of ['evil', '2021', '2022', '0.37', "'77"]) {
          expect(query.sql).not.toContain(text);
        }
        const placeholders = [...query.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
        expect(Math.max(...placeholders)).toBe(query.params.length);
      }
      const bound = JSON.stringify(queries.map((q) => q.params));
      expect(bound).toContain('repo-evil-id');
    });
  }

  it('are registered after contributors, in METRICS.md order', () => {
    const order = registry.map((m) => m.id);
    const at = order.indexOf('contributors');
    expect(order.slice(at + 1, at + 1 + ids.length)).toEqual(ids);
  });
});
