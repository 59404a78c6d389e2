import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../src/metrics/index.js';
import { git, tempDir } from './support/git.js';
import { countBy, readHistory, utcBucket } from './support/history.js';
import { runMetre } from './support/metre-process.js';
import { buildScriptedRepo } from './support/repos.js';

let ws: { path: string; remove: () => void };
let repo: string;
let env: Record<string, string>;

beforeAll(() => {
  ws = tempDir();
  repo = buildScriptedRepo(join(ws.path, 'project'));
  env = { METRE_HOME: join(ws.path, 'home') };
  expect(runMetre(['collect', repo], env).code).toBe(0);
});
afterAll(() => ws.remove());

function expectOneLineError(result: ReturnType<typeof runMetre>, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(pattern);
}

describe('metre metric', () => {
  it('prints a metric as JSON equal to git’s own counts', () => {
    const result = runMetre(
      ['metric', 'commits', '--repo', 'project', '--granularity', 'week', '--format', 'json'],
      env,
    );
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout) as {
      metric: string;
      params: Record<string, unknown>;
      repositories: string[];
      cached: boolean;
      result: {
        kind: string;
        points: { t: string; commits: number }[];
        total: { commits: number };
      };
    };
    const history = readHistory(repo);
    expect(answer).toMatchObject({ metric: 'commits', repositories: ['project'], cached: false });
    expect(answer.params.granularity).toBe('week');
    expect(answer.result.total.commits).toBe(Number(git(repo, ['rev-list', '--count', 'HEAD'])));
    const nonZero = answer.result.points.filter((p) => p.commits > 0);
    expect(new Map(nonZero.map((p) => [p.t, p.commits]))).toEqual(
      countBy(history, (c) => utcBucket(c.authorTime, 'week')),
    );
  });

  it('prints CSV and a table, from the cache the second time', () => {
    const csv = runMetre(
      ['metric', 'contributors', '--repo', 'project', '--format', 'csv', '--identity=email'],
      env,
    );
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    expect(header).toBe('t,contributors');
    expect(rows.every((row) => /^\d{4}-\d{2}-01,\d+$/.test(row))).toBe(true);
    const table = runMetre(
      ['metric', 'contributors', '--repo', 'project', '--identity', 'email'],
      env,
    );
    expect(table.stdout).toMatch(/^contributors v1 · project · cached /);
    expect(table.stdout).toMatch(/\ntotal\s+\d+\n$/);
  });

  it('refuses an unknown metric, a bad value, a missing repo with one line', () => {
    expectOneLineError(
      runMetre(['metric', 'comits', '--repo', 'project'], env),
      /^metre: error METRE_METRIC_UNKNOWN: Unknown metric "comits"; valid metrics: commits, /,
    );
    expectOneLineError(
      runMetre(['metric', 'commits', '--repo', 'project', '--granularity', 'hour'], env),
      /^metre: error METRE_PARAM_INVALID: .*granularity.*"day"\|"week"\|"month"\|"quarter"\|"year"/,
    );
    expectOneLineError(
      runMetre(['metric', 'commits', '--granularity', 'week'], env),
      /^metre: error METRE_USAGE: metre metric needs --repo/,
    );
    expectOneLineError(
      runMetre(['metric', 'commits', '--repo', 'project', '--granularity'], env),
      /^metre: error METRE_USAGE: Parameter --granularity needs a value/,
    );
  });
});

describe('metre metrics', () => {
  it('lists every metric of the registry with its definition', () => {
    const text = runMetre(['metrics'], env);
    expect(text.code).toBe(0);
    for (const metric of registry)
      expect(text.stdout).toContain(`${metric.id} (v${metric.version}`);
    const json = JSON.parse(runMetre(['metrics', '--format', 'json'], env).stdout) as {
      id: string;
      definition: string;
      params: { properties: Record<string, unknown> };
    }[];
    expect(json.map((m) => m.id)).toEqual(registry.map((m) => m.id));
    expect(json.find((m) => m.id === 'commits')?.params.properties).toHaveProperty('granularity');
    // A scalar that becomes a time series with a granularity says so, in text and in JSON.
    expect(text.stdout).toContain(
      'elephant-factor (v1, scalar; timeseries with a granularity): Elephant factor',
    );
    expect(json.find((m) => m.id === 'elephant-factor')).toMatchObject({
      kind: 'scalar',
      kindWithGranularity: 'timeseries',
    });
  });
});

describe('metre identities', () => {
  const total = () => {
    const result = runMetre(
      ['metric', 'contributors', '--repo', 'project', '--format', 'json'],
      env,
    );
    return (JSON.parse(result.stdout) as { result: { total: { contributors: number } } }).result
      .total.contributors;
  };

  it('merges emails into one person for every people metric, lists and splits them', () => {
    const before = total();
    const merged = runMetre(
      ['identities', 'merge', 'Bob@Example.org', 'chen@example.in', '--as', 'ada@example.org'],
      env,
    );
    expect(merged.code).toBe(0);
    expect(total()).toBe(before - 2);
    const listed = JSON.parse(runMetre(['identities', '--format', 'json'], env).stdout) as unknown;
    expect(listed).toEqual([
      { email: 'bob@example.org', person: 'ada@example.org' },
      { email: 'chen@example.in', person: 'ada@example.org' },
    ]);
    expect(runMetre(['identities', 'split', 'bob@example.org', 'chen@example.in'], env).code).toBe(
      0,
    );
    expect(total()).toBe(before);
    expectOneLineError(
      runMetre(['identities', 'merge', 'only@example.org'], env),
      /^metre: error METRE_USAGE: merge needs two emails or more/,
    );
  });
});
