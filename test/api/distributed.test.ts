import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, type Api } from '../../src/api/index.js';
import { loadConfig, loadTestServices } from '../../src/config/index.js';
import { DEFAULT_BOT_PATTERNS, MetricsEngine } from '../../src/metrics/index.js';
import { openQueue, type Queue } from '../../src/queue/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { silentLogger, startWorker } from '../../src/worker/index.js';
import { gitTruth, tempDir } from '../support/git.js';
import { buildScriptedRepo } from '../support/repos.js';
import { API_DEFAULTS } from './support.js';

/**
 * The distributed shape: the API node and a worker share nothing but PostgreSQL and Redis. The API
 * answers an uncached metric with 202 and the job; the worker (its own store connection, queue
 * connection and engine) computes it; the same request then answers 200 from the cache.
 */

const services = loadTestServices(process.env);
const people = { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] };

if (services.postgresUrl === undefined || services.redisUrl === undefined) {
  describe('API, distributed', () => {
    const reason = 'set METRE_TEST_POSTGRES_URL and METRE_TEST_REDIS_URL';
    if (services.requireServices) it(`needs both: ${reason}`, () => expect.fail(reason));
    else it.skip(`is skipped: ${reason} to run it`, () => undefined);
  });
} else {
  describeDistributed(services.postgresUrl, services.redisUrl);
}

function describeDistributed(postgresUrl: string, redisUrl: string): void {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const schema = `metre_test_api_${id}`;
  const prefix = `metre-test-api-${id}`;
  const storeUrl = (() => {
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    return url.toString();
  })();
  const tmp = tempDir('metre-api-dist-');
  const repoDir = join(tmp.path, 'repo');
  const config = loadConfig({ HOME: tmp.path, PATH: process.env.PATH }, { home: tmp.path });
  const opened: { close(): Promise<void> }[] = [];
  let api: Api;
  let worker: { store: Store; queue: Queue };

  beforeAll(async () => {
    buildScriptedRepo(repoDir);
    // The API node.
    const store = await openStore(storeUrl);
    const queue = await openQueue(redisUrl, { prefix });
    opened.push(queue, store);
    api = buildApi({
      config: API_DEFAULTS,
      allowLocal: true,
      computeWaitMs: 0,
      store,
      queue,
      engine: new MetricsEngine({ store, people }),
      logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
      webDir: join(tmp.path, 'web'),
      cwd: tmp.path,
      version: 'test',
    });
    // The worker: its own connections and engine.
    worker = { store: await openStore(storeUrl), queue: await openQueue(redisUrl, { prefix }) };
    opened.unshift(worker.queue, worker.store);
    const engine = new MetricsEngine({ store: worker.store, people });
    const deps = {
      store: worker.store,
      git: config.git,
      collect: { ...config.collect, allowLocal: true },
      cwd: tmp.path,
    };
    startWorker(
      { ...deps, queue: worker.queue, engine, log: silentLogger },
      { queues: ['collect', 'metrics'], concurrency: 1 },
    );
  });

  afterAll(async () => {
    for (const part of opened) await part.close();
    const client = new pg.Client(postgresUrl);
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    tmp.remove();
  });

  async function json(path: string, init?: RequestInit) {
    const res = await api.request(path, init);
    return { status: res.status, headers: res.headers, body: (await res.json()) as never };
  }

  async function finished(jobId: string): Promise<{ state: string }> {
    for (let i = 0; i < 600; i++) {
      const { body } = await json(`/api/jobs/${jobId}`);
      const job = body as { state: string };
      if (job.state === 'completed' || job.state === 'failed') return job;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`job ${jobId} never finished`);
  }

  describe('API, distributed (bullmq on Redis, PostgreSQL, a separate worker)', () => {
    it('collects through the worker, answers 202 for an uncached metric, then 200 once computed', async () => {
      const created = await json('/api/repositories', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: repoDir, name: 'scripted' }),
      });
      expect(created.status).toBe(201);
      const collectJob = (created.body as { job: { id: string } }).job;
      expect(await finished(collectJob.id)).toMatchObject({ state: 'completed' });

      const path = '/api/metrics/commits?repo=scripted&granularity=week';
      const pending = await json(path);
      expect(pending.status).toBe(202);
      const job = (pending.body as { job: { id: string; name: string } }).job;
      expect(job.name).toBe('compute');
      expect(pending.headers.get('location')).toBe(`/api/jobs/${job.id}`);
      // A second miss while it runs joins the same job.
      const again = await json(path);
      if (again.status === 202) expect((again.body as { job: { id: string } }).job.id).toBe(job.id);
      expect(await finished(job.id)).toMatchObject({ state: 'completed' });

      const done = await json(path);
      expect(done.status).toBe(200);
      const body = done.body as {
        cached: boolean;
        stale: boolean;
        result: { total: { commits: number } };
      };
      expect(body).toMatchObject({ cached: true, stale: false });
      expect(body.result.total.commits).toBe(gitTruth(repoDir).commitsDefault);
      expect(done.headers.get('etag')).toMatch(/^"/);
    });
  });
}
