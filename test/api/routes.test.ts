import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/metrics/index.js';
import { openQueue } from '../../src/queue/index.js';
import { openStore } from '../../src/store/index.js';
import { gitTruth } from '../support/git.js';
import { addCommits, buildScriptedRepo } from '../support/repos.js';
import { checkResponse, templateOf, type SeenResponse } from './openapi-check.js';
import { apiFixture, send, type ApiFixture } from './support.js';

/**
 * Every route of the API through `app.request`, in-process, on a real DuckDB store with real git
 * repositories collected by real jobs; every response seen is then checked against the OpenAPI
 * document the API serves.
 */

let f: ApiFixture;
const seen: SeenResponse[] = [];

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  app = f.app,
): Promise<Answer> {
  const res = await send(app, method, path, body, headers);
  const text = await res.text();
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
  const json = contentType.includes('json') && text !== '' ? JSON.parse(text) : undefined;
  seen.push({ method, path, status: res.status, contentType, body: json ?? text });
  return { status: res.status, headers: res.headers, text, json };
}

async function finished(id: string) {
  for (let i = 0; i < 600; i++) {
    const job = await call('GET', `/api/jobs/${id}`);
    if (job.json.state === 'completed' || job.json.state === 'failed') return job.json;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`job ${id} never finished`);
}

/** A metric's answer once it is fresh: a stale one is recomputed in the background. */
async function fresh(path: string) {
  for (let i = 0; i < 20; i++) {
    const res = await call('GET', path);
    if (res.status === 200 && res.json.stale === false) return res;
    await f.engine.idle();
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`${path} never fresh`);
}

let secondDir: string;

beforeAll(async () => {
  f = await apiFixture();
  secondDir = join(f.dir, 'second');
  buildScriptedRepo(secondDir);
  addCommits(secondDir, 3, 'more');
});
afterAll(() => f.close());

describe('health', () => {
  it('says the process is up and the store and queue are reachable', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call('GET', '/readyz')).toMatchObject({
      status: 200,
      json: { status: 'ready', checks: { store: 'ok', queue: 'ok' } },
    });
  });
});

describe('repositories', () => {
  let id: string;

  it('adds a repository, queues its first collection and collects it for real', async () => {
    const created = await call('POST', '/api/repositories', {
      url: f.repoDir,
      name: 'scripted',
      schedule: 'daily',
    });
    expect(created.status).toBe(201);
    id = created.json.repository.id;
    expect(created.headers.get('location')).toBe(`/api/repositories/${id}`);
    expect(created.json.repository).toMatchObject({ name: 'scripted', schedule: 'daily' });
    expect(created.json.job).toMatchObject({ name: 'collect', data: { repositoryId: id } });
    expect(await finished(created.json.job.id)).toMatchObject({ state: 'completed' });

    const truth = gitTruth(f.repoDir);
    const got = await call('GET', `/api/repositories/${id}`);
    expect(got.json).toMatchObject({
      id,
      status: 'up-to-date',
      commits: truth.commitsDefault,
      commitsAllRefs: truth.commitsAll,
      mergeCommits: truth.merges,
      head: truth.head,
      collection: null,
    });
    expect(got.json.lastCollectedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await call('GET', '/api/repositories/scripted')).json.id).toBe(id);
  });

  it('answers a repeated add of the same URL with the same repository', async () => {
    const again = await call('POST', '/api/repositories', { url: f.repoDir, name: 'scripted' });
    expect(again.status).toBe(200);
    expect(again.json.repository.id).toBe(id);
    await finished(again.json.job.id);
  });

  it('refuses a name taken by another URL', async () => {
    const taken = await call('POST', '/api/repositories', { url: secondDir, name: 'scripted' });
    expect(taken).toMatchObject({ status: 409, json: { code: 'METRE_REPO_NAME_TAKEN' } });
  });

  it('pages the list by name', async () => {
    const created = await call('POST', '/api/repositories', { url: secondDir });
    expect(created.status).toBe(201);
    expect(created.json.repository.name).toBe('second');
    await finished(created.json.job.id);
    const page = await call('GET', '/api/repositories?limit=1&offset=1');
    expect(page.json).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.json.items.map((r: { name: string }) => r.name)).toEqual(['second']);
    const all = await call('GET', '/api/repositories');
    expect(all.json.items.map((r: { name: string }) => r.name)).toEqual(['scripted', 'second']);
  });

  it('changes the schedule and the name, refusing a taken name', async () => {
    const schedule = await call('PATCH', '/api/repositories/second', { schedule: '0 3 * * 1' });
    expect(schedule).toMatchObject({
      status: 200,
      json: { name: 'second', schedule: '0 3 * * 1' },
    });
    const clash = await call('PATCH', '/api/repositories/second', { name: 'scripted' });
    expect(clash).toMatchObject({ status: 409, json: { code: 'METRE_REPO_NAME_TAKEN' } });
    const bad = await call('PATCH', '/api/repositories/second', { schedule: 'every tuesday' });
    expect(bad).toMatchObject({ status: 400, json: { code: 'METRE_SCHEDULE_INVALID' } });
    const renamed = await call('PATCH', '/api/repositories/second', { name: 'renamed' });
    expect(renamed).toMatchObject({
      status: 200,
      json: { name: 'renamed', schedule: '0 3 * * 1' },
    });
    expect((await call('GET', '/api/repositories/renamed')).status).toBe(200);
    expect((await call('GET', '/api/repositories/second')).json.code).toBe('METRE_REPO_NOT_FOUND');
  });

  it('collects now on request, answering 202 with the job', async () => {
    const res = await call('POST', '/api/repositories/renamed/collect');
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/jobs/${res.json.job.id}`);
    expect(res.json.poll).toBe(`/api/jobs/${res.json.job.id}`);
    expect(await finished(res.json.job.id)).toMatchObject({ state: 'completed' });
    expect((await call('POST', '/api/repositories/nope/collect')).status).toBe(404);
  });
});

describe('metrics', () => {
  const weekly = '/api/metrics/commits?repo=scripted&granularity=week';

  it('lists the catalogue with definitions and parameter schemas', async () => {
    const res = await call('GET', '/api/metrics');
    expect(res.json.items.map((m: { id: string }) => m.id)).toEqual(registry.map((m) => m.id));
    const commits = res.json.items.find((m: { id: string }) => m.id === 'commits');
    expect(commits.params.properties.granularity.enum).toContain('week');
    expect(commits.definition.length).toBeGreaterThan(40);
  });

  it('answers a result with the truth, an ETag and 304 on If-None-Match', async () => {
    const first = await call('GET', weekly);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ metric: 'commits', repositories: ['scripted'] });
    expect(first.json.params.granularity).toBe('week');
    expect(first.json.result.total.commits).toBe(gitTruth(f.repoDir).commitsDefault);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await call('GET', weekly);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.text).toBe(first.text);
    const cached = await call('GET', weekly, undefined, { 'if-none-match': etag ?? '' });
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    expect(cached.headers.get('etag')).toBe(etag);
    const other = await call('GET', weekly, undefined, { 'if-none-match': '"nope"' });
    expect(other.status).toBe(200);
  });

  it('answers CSV for format=csv and for Accept: text/csv, with its own ETag', async () => {
    const csv = await call('GET', `${weekly}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('t,commits');
    const json = await call('GET', weekly);
    expect(lines.length - 1).toBe(json.json.result.points.length);
    expect(csv.headers.get('etag')).not.toBe(json.headers.get('etag'));
    const accepted = await call('GET', weekly, undefined, { accept: 'text/csv' });
    expect(accepted.text).toBe(csv.text);
    const etag = csv.headers.get('etag') ?? '';
    expect(
      (await call('GET', `${weekly}&format=csv`, undefined, { 'if-none-match': etag })).status,
    ).toBe(304);
  });

  it('answers a group of repositories', async () => {
    const res = await call('GET', '/api/metrics/commits?repo=renamed&repo=scripted&refs=all');
    expect(res.status).toBe(200);
    expect([...res.json.repositories].sort()).toEqual(['renamed', 'scripted']);
  });

  it('answers 202 with the job when the computation outlasts the wait, then 200 from the cache', async () => {
    const impatient = f.appWith({ computeWaitMs: 0 });
    const path = '/api/metrics/contributors?repo=scripted&granularity=quarter';
    const pending = await call('GET', path, undefined, {}, impatient);
    expect(pending.status).toBe(202);
    expect(pending.json.job).toMatchObject({ name: 'compute', data: { metric: 'contributors' } });
    expect(pending.headers.get('location')).toBe(pending.json.poll);
    expect(await finished(pending.json.job.id)).toMatchObject({ state: 'completed' });
    const done = await call('GET', path, undefined, {}, impatient);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ metric: 'contributors', cached: true, stale: false });
  });

  it('shares one compute job between concurrent misses', async () => {
    const impatient = f.appWith({ computeWaitMs: 0 });
    const path = '/api/metrics/commit-size?repo=scripted&merges=exclude';
    const answers = await Promise.all(
      [1, 2, 3].map(() => call('GET', path, undefined, {}, impatient)),
    );
    const ids = new Set(answers.map((a) => a.json.job?.id));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(ids.size).toBe(1);
    await finished([...ids][0] as string);
  });

  it('serves a stale result flagged stale after new data arrives, then the fresh one', async () => {
    const before = await call('GET', weekly);
    addCommits(f.repoDir, 2, 'later');
    const collectRun = await call('POST', '/api/repositories/scripted/collect');
    await finished(collectRun.json.job.id);
    const weeklyJobs = async () =>
      (await f.queue.listJobs())
        .filter((job) => job.name === 'compute' && JSON.stringify(job.data).includes('"week"'))
        .map((job) => job.id);
    const jobsBefore = await weeklyJobs();
    const stale = await call('GET', weekly);
    expect(stale.status).toBe(200);
    expect(stale.json).toMatchObject({ stale: true });
    expect(stale.json.result.total.commits).toBe(before.json.result.total.commits);
    expect(stale.headers.get('etag')).not.toBe(before.headers.get('etag'));
    // The refresh is a compute job for the workers, not a computation in the API.
    const refreshes = (await weeklyJobs()).filter((id) => !jobsBefore.includes(id));
    expect(refreshes).toHaveLength(1);
    await finished(refreshes[0]!);
    const fresh = await call('GET', weekly);
    expect(fresh.json).toMatchObject({ stale: false });
    expect(fresh.json.result.total.commits).toBe(gitTruth(f.repoDir).commitsDefault);
  });

  it('serves a hit from memory, re-reading the data version only after METRE_API_REVALIDATE_MS', async () => {
    const path = '/api/metrics/contributors?repo=scripted&granularity=year';
    const first = await fresh(path);
    // A change the API does not see (another process): memory answers until it revalidates.
    await f.store.linkIdentities(['bob@example.org'], 'ada@example.org');
    const remembered = await call('GET', path);
    expect(remembered.headers.get('etag')).toBe(first.headers.get('etag'));
    f.advance(1_001);
    const revalidated = await call('GET', path);
    expect(revalidated.json.stale).toBe(true);
    await f.store.unlinkIdentities(['bob@example.org']);
    await fresh(path); // its refresh job done
  });

  it('refuses an unknown metric, parameter or repository with the valid choices', async () => {
    const unknown = await call('GET', '/api/metrics/nope?repo=scripted');
    expect(unknown).toMatchObject({ status: 404, json: { code: 'METRE_METRIC_UNKNOWN' } });
    expect(unknown.json.detail).toContain('commits');
    const param = await call('GET', '/api/metrics/commits?repo=scripted&bogus=1');
    expect(param).toMatchObject({ status: 400, json: { code: 'METRE_PARAM_INVALID' } });
    expect(param.json.detail).toContain('granularity');
    const repo = await call('GET', '/api/metrics/commits?repo=missing');
    expect(repo).toMatchObject({ status: 404, json: { code: 'METRE_REPO_NOT_FOUND' } });
    const none = await call('GET', '/api/metrics/commits');
    expect(none).toMatchObject({ status: 400, json: { code: 'METRE_REQUEST_INVALID' } });
  });
});

describe('jobs', () => {
  it('reports a finished job and refuses an unknown one', async () => {
    const res = await call('POST', '/api/repositories/scripted/collect');
    const job = await finished(res.json.job.id);
    expect(job).toMatchObject({ name: 'collect', state: 'completed', error: null });
    expect(job.finishedAt).toMatch(/^\d{4}-/);
    const missing = await call('GET', '/api/jobs/no-such-job');
    expect(missing).toMatchObject({ status: 404, json: { code: 'METRE_JOB_NOT_FOUND' } });
  });
});

describe('identities', () => {
  const people = '/api/metrics/contributors?repo=scripted&identity=person&granularity=year';

  it('merges emails into one person, seen by metrics at once, and splits them again', async () => {
    expect((await call('GET', '/api/identities')).json).toEqual({ items: [] });
    const before = (await fresh(people)).json.result.total.contributors as number;
    expect(before).toBe(4);
    const merged = await call('POST', '/api/identities/merge', {
      emails: ['Bob@Example.org', 'chen@example.in'],
      as: 'ada@example.org',
    });
    expect(merged).toMatchObject({
      status: 200,
      json: { person: 'ada@example.org', emails: ['bob@example.org', 'chen@example.in'] },
    });
    const links = (await call('GET', '/api/identities')).json.items;
    expect(links).toEqual(
      expect.arrayContaining([
        { email: 'bob@example.org', person: 'ada@example.org' },
        { email: 'chen@example.in', person: 'ada@example.org' },
      ]),
    );
    const stale = await call('GET', people);
    expect(stale.json).toMatchObject({ stale: true, result: { total: { contributors: before } } });
    expect((await fresh(people)).json.result.total.contributors).toBe(before - 2);
    const split = await call('POST', '/api/identities/split', { emails: ['bob@example.org'] });
    expect(split).toMatchObject({ status: 200, json: { emails: ['bob@example.org'] } });
    expect((await fresh(people)).json.result.total.contributors).toBe(before - 1);
    await call('POST', '/api/identities/split', { emails: ['chen@example.in'] });
    expect((await fresh(people)).json.result.total.contributors).toBe(before);
  });
});

describe('affiliations', () => {
  it('replaces and reads the map, and metrics use it', async () => {
    expect((await call('GET', '/api/affiliations')).json).toEqual({ items: [] });
    const put = await call('PUT', '/api/affiliations', {
      items: [
        { email: 'Ada@Example.org', organization: 'Analytical Engines', from: '2020-01-01' },
        { email: 'bob@example.org', organization: 'Initech', to: '2030-01-01T00:00:00Z' },
      ],
    });
    expect(put.status).toBe(200);
    const expected = [
      {
        email: 'ada@example.org',
        organization: 'Analytical Engines',
        from: '2020-01-01T00:00:00.000Z',
        to: null,
      },
      {
        email: 'bob@example.org',
        organization: 'Initech',
        from: null,
        to: '2030-01-01T00:00:00.000Z',
      },
    ];
    expect(put.json.items).toEqual(expected);
    expect((await call('GET', '/api/affiliations')).json.items).toEqual(expected);
    const diversity = await fresh('/api/metrics/organizational-diversity?repo=scripted');
    expect(diversity.text).toContain('Analytical Engines');
    expect(diversity.text).toContain('Initech');
    await call('PUT', '/api/affiliations', { items: [] });
    expect((await call('GET', '/api/affiliations')).json.items).toEqual([]);
  });
});

describe('deleting', () => {
  it('removes a repository and everything stored of it', async () => {
    expect((await call('DELETE', '/api/repositories/renamed')).status).toBe(204);
    expect((await call('GET', '/api/repositories/renamed')).status).toBe(404);
    expect((await call('DELETE', '/api/repositories/renamed')).status).toBe(404);
    const list = await call('GET', '/api/repositories');
    expect(list.json.total).toBe(1);
    const group = await call('GET', '/api/metrics/commits?repo=renamed');
    expect(group.json.code).toBe('METRE_REPO_NOT_FOUND');
  });
});

describe('observability', () => {
  it('exposes Prometheus metrics: latencies, jobs, collection lag, cache outcomes', async () => {
    const res = await call('GET', '/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = res.text;
    expect(text).toMatch(
      /metre_http_request_duration_seconds_count\{method="GET",route="\/api\/metrics\/:metricId",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/metre_jobs\{state="completed"\} [1-9]/);
    expect(text).toMatch(/metre_collection_lag_seconds\{repository="scripted"\} \d/);
    expect(text).toMatch(/metre_metric_cache_requests_total\{outcome="hit"\} [1-9]/);
    expect(text).toMatch(/metre_metric_cache_requests_total\{outcome="miss"\} [1-9]/);
    expect(text).toMatch(/metre_metric_cache_requests_total\{outcome="stale"\} [1-9]/);
  });

  it('returns a request id in a header and logs one line per request with it', async () => {
    const given = await call('GET', '/healthz', undefined, { 'x-request-id': 'trace-42' });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    const odd = await call('GET', '/healthz', undefined, {
      'x-request-id': '<script>alert(1)</script>',
    });
    const made = odd.headers.get('x-request-id') ?? '';
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    const lines = f.logs.filter((l) => l.reqId === 'trace-42' || l.reqId === made);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
    expect(f.logs.length).toBeGreaterThanOrEqual(seen.length);
  });

  it('answers an unknown API path with a 404 problem', async () => {
    const res = await call('GET', '/api/nothing/here');
    expect(res).toMatchObject({ status: 404, json: { code: 'METRE_NOT_FOUND', status: 404 } });
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.json.requestId).toBe(res.headers.get('x-request-id'));
  });
});

describe('documentation', () => {
  it('serves a local documentation page with no inline script, under the CSP', async () => {
    const page = await call('GET', '/api/docs');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<script src="/api/docs.js" defer></script>');
    expect(page.text).not.toMatch(/<script>|<style>|https?:\/\//);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = await send(f.app, 'GET', '/api/docs.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain("fetch('/api/openapi.json')");
  });
});

describe('the web dashboard files', () => {
  it('says how to build the dashboard when its folder is missing', async () => {
    const res = await send(f.app, 'GET', '/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npm run build');
  });

  it('serves the built files with a strict CSP, the index for client routes, nothing outside', async () => {
    const web = join(f.dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app-1.js"></script>',
    );
    writeFileSync(join(web, 'assets', 'app-1.js'), 'console.log(1)');
    writeFileSync(join(f.dir, 'secret.txt'), 'root:x:0:0');
    const app = f.appWith({ webDir: web });
    const index = await send(app, 'GET', '/');
    expect(index.headers.get('content-security-policy')).toMatch(
      /default-src 'self'.*script-src 'self'/,
    );
    expect(await index.text()).toContain('app-1.js');
    const asset = await send(app, 'GET', '/assets/app-1.js');
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await send(app, 'GET', '/repositories/scripted')).text()).toContain('app-1.js');
    for (const path of [
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
    ]) {
      const res = await send(app, 'GET', path);
      expect(await res.text()).not.toContain('root:x');
    }
    expect((await send(app, 'GET', '/missing.js')).status).toBe(404);
  });
});

describe('failures of the store or the queue', () => {
  it('answers 503/500 problems without SQL, paths or stacks, and logs what failed', async () => {
    const broken = await openStore(`duckdb:${join(f.dir, 'broken.duckdb')}`);
    await broken.close();
    const app = f.appWith({ store: broken });
    const ready = await call('GET', '/readyz', undefined, {}, app);
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ code: 'METRE_STORE_UNAVAILABLE', checks: { queue: 'ok' } });
    expect(ready.json.checks.store).toMatch(/^failed/);
    const list = await call('GET', '/api/repositories', undefined, {}, app);
    expect(list.status).toBeGreaterThanOrEqual(500);
    expect(list.json.code).toMatch(/^METRE_/);
    expect(list.text).not.toMatch(/broken\.duckdb|SELECT|\.ts:\d+/);
    const line = f.logs.find((l) => l.reqId === list.headers.get('x-request-id'));
    expect(line).toMatchObject({ status: list.status, code: list.json.code });
    expect(String(line?.error)).not.toMatch(/SELECT/);
  });

  it('is not ready when the queue is closed', async () => {
    const queue = await openQueue('in-process');
    await queue.close();
    const ready = await call('GET', '/readyz', undefined, {}, f.appWith({ queue }));
    expect(ready).toMatchObject({ status: 503, json: { code: 'METRE_QUEUE_UNAVAILABLE' } });
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route the app answers', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    const routes = f.app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/*' && !/docs\.(js|css)$/.test(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(new Set(documented)).toEqual(new Set(routes));
    // The routes of the issue, exactly.
    expect(documented.sort()).toEqual(
      [
        'get /healthz',
        'get /readyz',
        'get /metrics',
        'get /api/openapi.json',
        'get /api/docs',
        'get /api/repositories',
        'post /api/repositories',
        'get /api/repositories/{id}',
        'patch /api/repositories/{id}',
        'delete /api/repositories/{id}',
        'post /api/repositories/{id}/collect',
        'get /api/metrics',
        'get /api/metrics/{metricId}',
        'get /api/jobs/{id}',
        'get /api/identities',
        'post /api/identities/merge',
        'post /api/identities/split',
        'get /api/affiliations',
        'put /api/affiliations',
      ].sort(),
    );
  });

  it('matches every response the tests saw, and each operation was seen answering', async () => {
    const doc = (await send(f.app, 'GET', '/api/openapi.json').then((r) => r.json())) as never;
    // Paths the tests made up to get a 404 are in no document.
    const real = seen.filter((s) => !s.path.startsWith('/api/nothing'));
    const problems = real.map((s) => checkResponse(doc, s)).filter((p) => p !== undefined);
    expect(problems).toEqual([]);
    const answered = new Set(
      seen
        .filter((s) => s.status < 300)
        .map((s) => `${s.method.toLowerCase()} ${templateOf(doc, s.path)}`),
    );
    const operations = Object.entries((doc as { paths: Record<string, object> }).paths).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(operations.filter((op) => !answered.has(op))).toEqual([]);
  });

  it('would catch a response that strays from its schema (the check is not vacuous)', async () => {
    const doc = (await send(f.app, 'GET', '/api/openapi.json').then((r) => r.json())) as never;
    const real = seen.find(
      (s) => s.method === 'GET' && s.path === '/api/repositories' && s.status === 200,
    );
    expect(real).toBeDefined();
    const body = real!.body as { items: Record<string, unknown>[] };
    const item = body.items[0]!;
    const strays = [
      { ...body, items: [{ ...item, commits: 'many' }] },
      { ...body, items: [{ ...item, secret: 'x' }] },
      { ...body, items: [{ ...item, status: 'sleeping' }] },
      { items: body.items },
    ];
    for (const stray of strays) expect(checkResponse(doc, { ...real!, body: stray })).toBeDefined();
    expect(checkResponse(doc, { ...real!, status: 418 })).toContain('not documented');
    expect(checkResponse(doc, real!)).toBeUndefined();
  });
});
