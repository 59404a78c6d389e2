import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitTruth, tempDir } from '../support/git.js';
import { runMetre, startMetre } from '../support/metre-process.js';
import { buildScriptedRepo } from '../support/repos.js';

/** `metre api` as its own process, over real HTTP on loopback: what boot/ wires and listens. */

const tmp = tempDir('metre-api-process-');
afterAll(() => tmp.remove());

async function serving(
  child: ReturnType<typeof startMetre>,
): Promise<{ url: string; log: () => string }> {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  for (let i = 0; i < 600; i++) {
    const match = /metre: serving (http:\/\/\S+)/.exec(text);
    if (match?.[1]) return { url: match[1], log: () => text };
    if (child.exitCode !== null) throw new Error(`metre api exited: ${text}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`metre api never listened: ${text}`);
}

describe('metre api', () => {
  it('serves the API on loopback, runs what it queues (in-process queue) and stops on SIGTERM', async () => {
    const repo = buildScriptedRepo(join(tmp.path, 'repo'));
    const store = `duckdb:${join(tmp.path, 'metre.duckdb')}`;
    const child = startMetre(['api', '--port', '0', '--store', store], {
      METRE_HOME: join(tmp.path, 'home'),
      METRE_ALLOW_LOCAL: '1',
      METRE_LOG_LEVEL: 'info',
    });
    try {
      const { url, log } = await serving(child);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const health = await fetch(`${url}healthz`);
      expect(health.status).toBe(200);
      const id = health.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const created = await fetch(`${url}api/repositories`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: repo, name: 'scripted' }),
      });
      expect(created.status).toBe(201);
      const { job } = (await created.json()) as { job: { id: string } };
      let state = '';
      for (let i = 0; i < 300 && state !== 'completed' && state !== 'failed'; i++) {
        await new Promise((done) => setTimeout(done, 100));
        state = ((await (await fetch(`${url}api/jobs/${job.id}`)).json()) as { state: string })
          .state;
      }
      expect(state).toBe('completed');
      let metric = await fetch(`${url}api/metrics/commits?repo=scripted&granularity=year`);
      for (let i = 0; i < 100 && metric.status === 202; i++) {
        await new Promise((done) => setTimeout(done, 100));
        metric = await fetch(`${url}api/metrics/commits?repo=scripted&granularity=year`);
      }
      expect(metric.status).toBe(200);
      const body = (await metric.json()) as { result: { total: { commits: number } } };
      expect(body.result.total.commits).toBe(gitTruth(repo).commitsDefault);

      // A cached answer's line is a line like the others: the first request reads the store
      // again (over a second later), the one right after it comes from the cached-metric front.
      const metricUrl = `${url}api/metrics/commits?repo=scripted&granularity=year`;
      expect((await fetch(metricUrl)).status).toBe(200);
      const again = await fetch(metricUrl);
      expect(again.status).toBe(200);

      // One log line per request, with its id (the request log is flushed at least every second).
      await new Promise((done) => setTimeout(done, 1500));
      const lineOf = (reqId: string | null) =>
        JSON.parse(
          log()
            .split('\n')
            .find((l) => l.includes(`"reqId":"${reqId}"`)) ?? '{}',
        ) as unknown;
      const request = { level: 30, role: 'api', pid: child.pid, method: 'GET', status: 200 };
      expect(lineOf(id)).toMatchObject({ ...request, path: '/healthz', msg: 'request' });
      expect(lineOf(again.headers.get('x-request-id'))).toMatchObject({
        ...request,
        path: '/api/metrics/commits',
        msg: 'request',
      });
    } finally {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    }
  });

  it('is part of metre serve (npm start), beside the workers and the scheduler', async () => {
    const repo = buildScriptedRepo(join(tmp.path, 'demo'));
    const child = startMetre(['serve', '--store', `duckdb:${join(tmp.path, 'serve.duckdb')}`], {
      METRE_HOME: join(tmp.path, 'serve-home'),
      METRE_DEMO_REPO: repo,
      METRE_API_PORT: '0',
    });
    try {
      const { url } = await serving(child);
      let items: { name: string; status: string }[] = [];
      for (let i = 0; i < 300 && items[0]?.status !== 'up-to-date'; i++) {
        await new Promise((done) => setTimeout(done, 100));
        items = ((await (await fetch(`${url}api/repositories`)).json()) as { items: typeof items })
          .items;
      }
      expect(items).toMatchObject([{ name: 'demo', status: 'up-to-date' }]);
      expect((await fetch(`${url}readyz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    }
  });

  it('refuses a bad port, and a port in use, with a coded error', async () => {
    const bad = runMetre(['api', '--port', 'http'], { METRE_HOME: join(tmp.path, 'bad') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('METRE_USAGE');
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = String((taken.address() as { port: number }).port);
    try {
      const store = `duckdb:${join(tmp.path, 'taken.duckdb')}`;
      const busy = runMetre(['api', '--port', port, '--store', store], {
        METRE_HOME: join(tmp.path, 'taken'),
      });
      expect(busy.code).not.toBe(0);
      expect(busy.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
    } finally {
      taken.close();
    }
  });
});
