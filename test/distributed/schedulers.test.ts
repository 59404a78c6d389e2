/**
 * Two schedulers at once, as separate processes on the same PostgreSQL and Redis: each due
 * collection of each repository runs exactly once (every two seconds here, a 6-field cron).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import type { JobInfo } from '../../src/queue/index.js';

import {
  RoleProcess,
  describeWithServices,
  distributedSpace,
  openShared,
  until,
} from './support.js';

const EVERY_TWO_SECONDS = '*/2 * * * * *';

describeWithServices('two schedulers at once', (urls) => {
  const { ws, schema, keys, env, roles } = distributedSpace('schedulers', urls);
  const repos = [31, 32].map((seed) => ({
    name: `repo-${seed}`,
    dir: join(ws.path, `r${seed}`),
    seed,
  }));

  beforeAll(async () => {
    await Promise.all(repos.map((r) => makeRepo(r.dir, { commits: 50, seed: r.seed })));
  }, 60_000);

  it('run each due collection exactly once', async () => {
    const shared = await openShared(schema.url, urls.redis, keys.prefix);
    try {
      const { store, queue } = shared;
      const ids: string[] = [];
      for (const repo of repos) {
        const saved = await store.saveRepository({
          name: repo.name,
          source: repo.dir,
          schedule: EVERY_TWO_SECONDS,
        });
        ids.push(saved.id);
      }
      const worker = new RoleProcess(['worker', '--queues', 'collect'], env);
      const schedulers = [new RoleProcess(['scheduler'], env), new RoleProcess(['scheduler'], env)];
      roles.push(worker, ...schedulers);
      for (const role of roles) await role.waitForLog((l) => / started$/.test(l.msg));
      const detail = () => roles.map((r) => r.stderr).join('\n');

      const fired = async () =>
        (await queue.listJobs()).filter((job) => job.name === 'collect' && job.repeat !== null);
      await until(async () => (await fired()).length >= 10, 60_000, detail);
      await Promise.all(schedulers.map((s) => s.stop()));
      await sleep(2_500); // a tick already in Redis may still arrive: let the worker finish it
      await until(async () => (await queue.counts()).active === 0, 30_000, detail);

      const jobs = await fired();
      const byDue = new Map<string, JobInfo[]>();
      for (const job of jobs) {
        const key = `${(job.data as { repositoryId: string }).repositoryId}@${job.repeat!.dueAt.toISOString()}`;
        byDue.set(key, [...(byDue.get(key) ?? []), job]);
      }
      // Each due time of each repository enqueued one collection, run once, on even seconds.
      expect([...byDue.values()].filter((same) => same.length > 1)).toEqual([]);
      expect(jobs.every((job) => job.repeat!.dueAt.getTime() % 2_000 === 0)).toBe(true);
      expect(jobs.every((job) => job.state === 'completed' && job.attempts === 1)).toBe(true);
      for (const id of ids) {
        const mine = jobs.filter(
          (job) => (job.data as { repositoryId: string }).repositoryId === id,
        );
        expect(mine.length).toBeGreaterThanOrEqual(4);
      }
      const runs = worker.lines.filter(
        (l) => l.msg === 'collecting' && jobs.some((j) => j.id === l.job),
      );
      expect(runs).toHaveLength(jobs.length);
      // Both schedulers held the repeats (each synced them), yet nothing fired twice.
      for (const scheduler of schedulers) {
        expect(scheduler.lines.some((l) => l.msg === 'scheduler sync failed')).toBe(false);
      }
    } finally {
      await shared.close();
    }
  }, 180_000);
});
