/**
 * The distributed shape as separate OS processes: one scheduler and two workers on PostgreSQL and
 * Redis, sharing nothing but them. Three generated repositories are registered with `metre add`
 * (which returns at once); they end with exactly git's data and the dashboard's default metrics
 * cached. A fourth, deleted before its collection, fails at once with its reason recorded.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import { registry } from '../../src/metrics/index.js';
import { expectStoreMatchesGit } from '../../src/store/testing/collect-contract.js';
import { gitTruth } from '../support/git.js';
import { runMetre } from '../support/metre-process.js';
import {
  RoleProcess,
  cachedDefaultMetrics,
  describeWithServices,
  distributedSpace,
  openShared,
  until,
} from './support.js';

describeWithServices('distributed topology: a scheduler and two workers', (urls) => {
  const { ws, schema, keys, env, roles } = distributedSpace('topology', urls);
  const repos = [
    { name: 'alpha', commits: 300, seed: 1 },
    { name: 'beta', commits: 500, seed: 2 },
    { name: 'gamma', commits: 800, seed: 3 },
  ].map((r) => ({ ...r, dir: join(ws.path, r.name) }));

  beforeAll(async () => {
    await Promise.all(repos.map((r) => makeRepo(r.dir, { commits: r.commits, seed: r.seed })));
  }, 120_000);

  it('collects every repository to git’s data and caches its default metrics', async () => {
    roles.push(new RoleProcess(['scheduler'], env));
    roles.push(new RoleProcess(['worker'], env), new RoleProcess(['worker'], env));
    for (const role of roles) await role.waitForLog((l) => / started$/.test(l.msg));

    for (const repo of repos) {
      const added = runMetre(['add', repo.dir, '--name', repo.name, '--schedule', 'weekly'], env);
      expect(added.stderr).toBe('');
      expect(added.stdout).toMatch(
        new RegExp(
          `^${repo.name}: registered \\(schedule weekly\\); collection job collect-\\S+ (waiting|active)\\n$`,
        ),
      );
    }
    const gone = join(ws.path, 'gone');
    mkdirSync(gone);
    const addedGone = runMetre(['add', gone, '--format', 'json'], env);
    expect(JSON.parse(addedGone.stdout)).toMatchObject({
      repository: { name: 'gone', schedule: 'daily' },
      job: { name: 'collect', state: expect.stringMatching(/waiting|active/) },
    });

    const shared = await openShared(schema.url, urls.redis, keys.prefix);
    try {
      const { store, queue } = shared;
      const status = async (name: string) => (await store.findRepository(name))?.status;
      const detail = () => roles.map((r) => r.stderr).join('\n');
      await until(
        async () => {
          const states = await Promise.all(repos.map((r) => status(r.name)));
          return states.every((s) => s === 'up-to-date') && (await status('gone')) === 'failed';
        },
        120_000,
        detail,
      );

      for (const repo of repos) await expectStoreMatchesGit(store, repo.dir, repo.name);
      const failed = await store.findRepository('gone');
      expect(failed?.lastError).toMatch(/^METRE_(REPO_NOT_FOUND|NOT_A_GIT_REPO): /);
      const failedJob = (await queue.listJobs(['failed'])).find((j) => j.name === 'collect');
      expect(failedJob).toMatchObject({ attempts: 1, data: { repositoryId: failed?.id } });

      // The default metrics are computed after each collection, by whichever worker is free.
      for (const repo of repos) {
        const id = (await store.findRepository(repo.name))!.id;
        await until(
          async () => (await cachedDefaultMetrics(store, id)).length === registry.length,
          60_000,
          detail,
        );
      }

      // Both workers took collections; each reported commits done of the total as it went.
      const collectors = new Set(
        roles.flatMap((role) => role.lines.filter((l) => l.msg === 'collecting').map((l) => l.pid)),
      );
      expect(collectors.size).toBe(2);
      const jobs = JSON.parse(
        runMetre(['jobs', '--state', 'completed', '--format', 'json'], env).stdout,
      ) as {
        name: string;
        progress: { phase: string; done: number; total: number | null };
        data: { repositoryId?: string };
      }[];
      for (const repo of repos) {
        const id = (await store.findRepository(repo.name))!.id;
        const job = jobs.find((j) => j.name === 'collect' && j.data.repositoryId === id);
        expect(job?.progress).toMatchObject({
          phase: 'files',
          done: gitTruth(repo.dir).commitsAll,
        });
      }
      const listed = JSON.parse(runMetre(['repos', '--format', 'json'], env).stdout) as {
        name: string;
        status: string;
        job: unknown;
      }[];
      expect(listed.map((r) => [r.name, r.status, r.job]).sort()).toEqual([
        ['alpha', 'up-to-date', null],
        ['beta', 'up-to-date', null],
        ['gamma', 'up-to-date', null],
        ['gone', 'failed', null],
      ]);
    } finally {
      await shared.close();
    }

    // SIGTERM: each role stops within its bound and exits 0.
    const stopped = await Promise.all(roles.map((role) => role.stop()));
    for (const { code, ms } of stopped) {
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
    }
  }, 240_000);
});
