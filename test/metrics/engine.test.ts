import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/collect/index.js';
import { loadConfig } from '../../src/config/index.js';
import { isMetreError } from '../../src/errors/index.js';
import {
  DEFAULT_BOT_PATTERNS,
  MetricsEngine,
  registry,
  type AnyMetric,
} from '../../src/metrics/index.js';
import { openStore, type Query, type Store } from '../../src/store/index.js';
import { tempDir } from '../support/git.js';
import { addCommits, buildScriptedRepo } from '../support/repos.js';

const tmp = tempDir('metre-engine-');
const repoDir = join(tmp.path, 'repo');
const config = loadConfig({ HOME: tmp.path, PATH: process.env.PATH }, { home: tmp.path });
const people = { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] };
let store: Store;
/** Every query the engine sent to the store, in order. */
const queries: Query[] = [];

/** The real store, with its `query` calls recorded (every other call goes straight through). */
function recording(target: Store): Store {
  return new Proxy(target, {
    get(object, property) {
      if (property === 'query') {
        return (query: Query) => {
          queries.push(query);
          return object.query(query);
        };
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

const collectRepo = () =>
  collect(
    { location: repoDir, name: 'scripted' },
    { store, git: config.git, collect: { ...config.collect, allowLocal: true }, cwd: tmp.path },
  );

beforeAll(async () => {
  buildScriptedRepo(repoDir);
  store = recording(await openStore(`duckdb:${join(tmp.path, 'metre.duckdb')}`));
  await collectRepo();
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

const request = { metric: 'commits', repositories: ['scripted'], params: { granularity: 'day' } };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMetreError(error) ? `${error.code}: ${error.message}` : String(error);
}

describe('the results cache', () => {
  it('answers a second request from the cache without running the metric SQL', async () => {
    const engine = new MetricsEngine({ store, people });
    const first = await engine.get(request);
    expect(first).toMatchObject({ cached: false, stale: false, metric: 'commits', version: 1 });
    const sent = queries.length;
    expect(sent).toBeGreaterThan(0);
    const second = await engine.get({
      ...request,
      params: { granularity: 'day', merges: 'include' },
    });
    expect(queries.length).toBe(sent);
    expect(second).toMatchObject({ cached: true, stale: false });
    expect(second.result).toEqual(first.result);
    expect(second.computedAt).toBe(first.computedAt);
    expect(second.params).toEqual({
      date: 'author',
      granularity: 'day',
      merges: 'include',
      refs: 'default',
    });
  });

  it('a collection that adds commits makes the result stale; allowStale answers it flagged', async () => {
    const engine = new MetricsEngine({ store, people });
    const before = await engine.get(request);
    addCommits(repoDir, 3, 'later');
    await collectRepo();
    const stale = await engine.get(request, { allowStale: true });
    expect(stale).toMatchObject({ cached: true, stale: true, dataVersion: before.dataVersion });
    await engine.idle();
    const fresh = await engine.get(request);
    expect(fresh).toMatchObject({ cached: true, stale: false });
    expect(fresh.dataVersion).not.toBe(before.dataVersion);
    if (fresh.result.kind !== 'timeseries' || before.result.kind !== 'timeseries')
      throw new Error();
    expect(fresh.result.total.commits).toBe((before.result.total.commits ?? 0) + 3);
  });

  it('leaves a stale result as it is when told not to refresh it (an API node enqueues a job)', async () => {
    const engine = new MetricsEngine({ store, people });
    const before = await engine.get(request);
    addCommits(repoDir, 1, 'unrefreshed');
    await collectRepo();
    const options = { allowStale: true, refreshStale: false };
    expect(await engine.lookup(request, options)).toMatchObject({ stale: true });
    await engine.idle();
    const still = await engine.lookup(request, options);
    expect(still).toMatchObject({ stale: true, dataVersion: before.dataVersion });
  });

  it('recomputes at once without allowStale', async () => {
    const engine = new MetricsEngine({ store, people });
    await engine.get(request);
    addCommits(repoDir, 1, 'again');
    await collectRepo();
    const answer = await engine.get(request);
    expect(answer).toMatchObject({ cached: false, stale: false });
  });

  it('misses for a new metric version, other parameters or other people settings', async () => {
    const engine = new MetricsEngine({ store, people });
    await engine.get(request);
    const commits = registry.find((m) => m.id === 'commits') as AnyMetric;
    const bumped = new MetricsEngine({ store, people, metrics: [{ ...commits, version: 2 }] });
    expect((await bumped.get(request)).cached).toBe(false);
    expect((await bumped.get(request)).cached).toBe(true);
    expect((await engine.get({ ...request, params: { granularity: 'week' } })).cached).toBe(false);
    const otherBots = new MetricsEngine({ store, people: { ...people, botPatterns: ['x%'] } });
    expect((await otherBots.get(request)).cached).toBe(false);
  });

  it('an explicit identity merge makes people results stale', async () => {
    const engine = new MetricsEngine({ store, people });
    const people1 = { metric: 'contributors', repositories: ['scripted'] };
    const before = await engine.get(people1);
    await store.linkIdentities(['bob@example.org'], 'ada@example.org');
    const after = await engine.get(people1);
    expect(after.cached).toBe(false);
    if (after.result.kind !== 'timeseries' || before.result.kind !== 'timeseries')
      throw new Error();
    expect(after.result.total.contributors).toBe((before.result.total.contributors ?? 0) - 1);
    await store.unlinkIdentities(['bob@example.org']);
  });

  it('serves numbers as JSON numbers', async () => {
    const engine = new MetricsEngine({ store, people });
    const answer = JSON.parse(JSON.stringify(await engine.get(request))) as {
      result: { points: { commits: unknown }[] };
    };
    expect(answer.result.points.every((p) => typeof p.commits === 'number')).toBe(true);
  });
});

describe('requests the engine refuses, with one clear line', () => {
  const engine = () => new MetricsEngine({ store, people });

  it('an unknown metric lists the valid ones', async () => {
    expect(await codeOf(engine().get({ ...request, metric: 'comits' }))).toMatch(
      /^METRE_METRIC_UNKNOWN: Unknown metric "comits"; valid metrics: commits, .*contributors/,
    );
  });

  it('a bad value lists the valid choices', async () => {
    const message = await codeOf(engine().get({ ...request, params: { granularity: 'hour' } }));
    expect(message).toMatch(/^METRE_PARAM_INVALID: .*"granularity".*"day".*"week".*"month"/);
  });

  it('an unknown parameter lists the valid ones', async () => {
    const message = await codeOf(engine().get({ ...request, params: { granularty: 'day' } }));
    expect(message).toBe(
      'METRE_PARAM_INVALID: Unknown parameter granularty for metric commits; valid parameters: ' +
        'granularity, from, to, date, merges, refs',
    );
  });

  it('a bad date, a reversed range, an unknown repository', async () => {
    expect(await codeOf(engine().get({ ...request, params: { from: '2024-13-01' } }))).toMatch(
      /METRE_PARAM_INVALID: Invalid parameter "from"/,
    );
    const reversed = { from: '2024-02-01', to: '2024-01-01' };
    expect(await codeOf(engine().get({ ...request, params: reversed }))).toContain(
      'from must be before to',
    );
    expect(await codeOf(engine().get({ ...request, repositories: ['nope'] }))).toBe(
      'METRE_REPO_NOT_FOUND: No repository named "nope"',
    );
  });
});

describe('result shapes', () => {
  const find = (id: string): AnyMetric => {
    const metric = registry.find((m) => m.id === id);
    if (metric === undefined) throw new Error(`no metric ${id}`);
    return metric;
  };

  it('the factors declare one value, and a series with a granularity, and give them', async () => {
    const engine = new MetricsEngine({ store, people });
    for (const id of ['contributor-absence-factor', 'elephant-factor']) {
      expect(engine.describe().find((m) => m.id === id)).toMatchObject({
        kind: 'scalar',
        kindWithGranularity: 'timeseries',
      });
      const one = await engine.get({ metric: id, repositories: ['scripted'] });
      expect(one.result.kind).toBe('scalar');
      const params = { granularity: 'month' };
      const series = await engine.get({ metric: id, repositories: ['scripted'], params });
      expect(series.result.kind).toBe('timeseries');
    }
    const others = engine.describe().filter((m) => m.kindWithGranularity !== undefined);
    expect(others.map((m) => m.id).sort()).toEqual([
      'contributor-absence-factor',
      'elephant-factor',
    ]);
  });

  it('refuses a result of another shape than its metric declares', async () => {
    const lying: AnyMetric = { ...find('commits'), version: 999, kind: 'scalar' };
    const engine = new MetricsEngine({ store, people, metrics: [lying] });
    expect(await codeOf(engine.get(request))).toBe(
      'METRE_INTERNAL: Metric commits declares a scalar result for these parameters but gave a timeseries',
    );
  });
});
