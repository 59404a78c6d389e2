/**
 * The embedded shape of the same roles: `metre serve` (what `npm start` runs) and `metre add` on
 * the DuckDB store and the in-process queue, no service needed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/metrics/index.js';
import { openStore } from '../../src/store/index.js';
import { expectStoreMatchesGit } from '../../src/store/testing/collect-contract.js';
import { gitTruth, tempDir } from '../support/git.js';
import { runMetre } from '../support/metre-process.js';
import { buildScriptedRepo } from '../support/repos.js';
import { RoleProcess, cachedDefaultMetrics } from './support.js';

let ws: { path: string; remove: () => void };
let repo: string;

beforeAll(() => {
  ws = tempDir('metre-embedded-');
  repo = buildScriptedRepo(join(ws.path, 'project'));
});
afterAll(() => ws.remove());

describe('metre serve (npm start)', () => {
  it('is what npm start runs', () => {
    const pkg = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    );
    expect(pkg.scripts.start).toBe('node bin/metre.js serve');
  });

  it('collects the demo repository, caches its default metrics, and stops on SIGTERM', async () => {
    const home = join(ws.path, 'serve-home');
    const serve = new RoleProcess(['serve'], {
      METRE_HOME: home,
      METRE_DEMO_REPO: repo,
      METRE_SHUTDOWN_TIMEOUT_MS: '2000',
      METRE_API_PORT: '0',
    });
    try {
      await serve.waitForLog((l) => l.msg === 'collected' && l.repository === 'project');
      await serve.waitForLog(
        () => serve.lines.filter((l) => l.msg === 'computed').length === registry.length,
      );
    } finally {
      const { code, ms } = await serve.stop();
      expect(code).toBe(0);
      expect(ms).toBeLessThan(8_000);
    }
    const store = await openStore(`duckdb:${join(home, 'metre.duckdb')}`);
    try {
      await expectStoreMatchesGit(store, repo, 'project');
      const id = (await store.findRepository('project'))!.id;
      expect(await cachedDefaultMetrics(store, id)).toEqual(registry.map((m) => m.id));
      expect((await store.findRepository('project'))?.schedule).toBe('daily');
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('metre add on the embedded store', () => {
  const env = () => ({ METRE_HOME: join(ws.path, 'add-home') });

  it('registers, collects in this process and computes the default metrics before returning', async () => {
    const added = runMetre(
      ['add', repo, '--name', 'proj', '--schedule', '0 4 * * *', '--format', 'json'],
      env(),
    );
    expect(added.code).toBe(0);
    const out = JSON.parse(added.stdout) as {
      repository: { schedule: string };
      collected: { commits: number; precompute: number; failed: unknown[] };
    };
    expect(out.collected.failed).toEqual([]);
    expect(out.repository.schedule).toBe('0 4 * * *');
    expect(out.collected).toMatchObject({
      commits: gitTruth(repo).commitsAll,
      precompute: registry.length,
    });
    const store = await openStore(`duckdb:${join(ws.path, 'add-home', 'metre.duckdb')}`);
    try {
      await expectStoreMatchesGit(store, repo, 'proj');
      const id = (await store.findRepository('proj'))!.id;
      expect(await cachedDefaultMetrics(store, id)).toHaveLength(registry.length);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('fails at once on a repository that cannot exist, recording why on it', () => {
    const gone = join(ws.path, 'gone');
    buildScriptedRepo(gone);
    rmSync(gone, { recursive: true, force: true });
    const started = Date.now();
    const added = runMetre(['add', gone], env());
    expect(Date.now() - started).toBeLessThan(30_000); // no retry waits
    expect(added.code).toBe(3);
    expect(added.stderr.trim().split('\n').at(-1)).toMatch(/^metre: error METRE_REPO_NOT_FOUND: /);
    const repos = JSON.parse(runMetre(['repos', '--format', 'json'], env()).stdout) as Record<
      string,
      unknown
    >[];
    expect(repos.find((r) => r.name === 'gone')).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/^METRE_REPO_NOT_FOUND: /),
    });
  });

  it('refuses an invalid schedule before registering anything', () => {
    const added = runMetre(['add', repo, '--name', 'never', '--schedule', 'fortnightly'], env());
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/^metre: error METRE_SCHEDULE_INVALID: /m);
    const repos = JSON.parse(runMetre(['repos', '--format', 'json'], env()).stdout) as Record<
      string,
      unknown
    >[];
    expect(repos.some((r) => r.name === 'never')).toBe(false);
  });

  it('lists no jobs without a shared queue, and says where they are', () => {
    const jobs = runMetre(['jobs', '--format', 'json'], env());
    expect(jobs.code).toBe(0);
    expect(JSON.parse(jobs.stdout)).toEqual([]);
    expect(jobs.stderr).toMatch(/in-process queue lives inside `metre serve`/);
  });
});
