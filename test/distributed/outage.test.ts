/**
 * Outages during a run: Redis (a redis-server of the test's own, persisting with AOF, so other
 * tests on the machine's Redis are not disturbed) is restarted, then PostgreSQL is made
 * unreachable for a few seconds (a TCP proxy in front of it is closed, its connections cut, and
 * reopened). Work resumes by itself once they are back, with nothing lost; while the store is
 * down, the worker logs the failure and the job is retried, and no process exits.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import { expectStoreMatchesGit } from '../../src/store/testing/collect-contract.js';
import { collectJobId } from '../../src/worker/index.js';
import { tempDir } from '../support/git.js';
import {
  OwnRedis,
  RoleProcess,
  TcpProxy,
  describeWithServices,
  openShared,
  pgSchema,
  roleEnv,
  until,
} from './support.js';

describeWithServices('distributed outages: Redis restarted, PostgreSQL unreachable', (urls) => {
  const ws = tempDir('metre-outage-');
  const schema = pgSchema(urls.postgres);
  const redis = new OwnRedis(ws.path);
  const repos = [21, 22, 23].map((seed) => ({
    name: `repo-${seed}`,
    seed,
    dir: join(ws.path, `r${seed}`),
  }));
  const roles: RoleProcess[] = [];
  let proxy: TcpProxy;

  beforeAll(async () => {
    await Promise.all(repos.map((r) => makeRepo(r.dir, { commits: 2500, seed: r.seed })));
    await redis.start();
    proxy = await TcpProxy.start(Number(new URL(urls.postgres).port || 5432));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(roles.map((role) => role.kill()));
    await proxy?.cut();
    await redis.stop();
    await schema.drop();
    ws.remove();
  });

  it('resumes by itself after both come back, with nothing lost', async () => {
    const viaProxy = new URL(schema.url);
    viaProxy.port = String(proxy.port);
    const env = roleEnv(viaProxy.toString(), redis.url, 'metre', join(ws.path, 'home'), {
      METRE_BATCH_SIZE: '100',
      METRE_QUEUE_LOCK_MS: '8000',
    });
    roles.push(new RoleProcess(['scheduler'], env));
    roles.push(new RoleProcess(['worker'], env), new RoleProcess(['worker'], env));
    for (const role of roles) await role.waitForLog((l) => / started$/.test(l.msg));
    const detail = () => roles.map((r) => r.stderr).join('\n');

    let shared = await openShared(schema.url, redis.url, 'metre');
    const ids: string[] = [];
    for (const repo of repos) {
      const { id } = await shared.store.saveRepository({ name: repo.name, source: repo.dir });
      await shared.queue.enqueue('collect', { repositoryId: id }, { jobId: collectJobId(id) });
      ids.push(id);
    }
    const collecting = async () =>
      (await shared.queue.listJobs(['active'])).some(
        (job) => job.name === 'collect' && job.progress !== null,
      );

    // Redis goes away for a second in the middle of collections, and comes back with its data.
    await until(collecting, 60_000, detail);
    await shared.queue.close({ timeoutMs: 200 });
    await redis.stop();
    await sleep(1_000);
    await redis.start();
    await shared.store.close();
    shared = await openShared(schema.url, redis.url, 'metre');

    // Then PostgreSQL becomes unreachable for a few seconds while a collection runs.
    await until(collecting, 60_000, detail);
    await proxy.cut();
    await sleep(3_000);
    await proxy.restore();

    try {
      const { store } = shared;
      await until(
        async () =>
          (await Promise.all(ids.map((id) => store.findRepository(id)))).every(
            (r) => r?.status === 'up-to-date',
          ),
        180_000,
        detail,
      );
      for (const repo of repos) await expectStoreMatchesGit(store, repo.dir, repo.name);
      const jobs = (await shared.queue.listJobs(['completed'])).filter(
        (job) => job.name === 'collect',
      );
      expect(
        new Set(jobs.map((job) => (job.data as { repositoryId: string }).repositoryId)),
      ).toEqual(new Set(ids));
      expect(jobs.some((job) => job.attempts >= 2)).toBe(true);
    } finally {
      await shared.close();
    }

    const workers = roles.slice(1);
    const retried = workers.flatMap((w) =>
      w.lines.filter((l) => l.msg === 'collection failed; the queue retries it'),
    );
    expect(retried.some((l) => String(l.error).startsWith('METRE_STORE_UNAVAILABLE'))).toBe(true);
    expect(roles.every((role) => role.running)).toBe(true);
    const stopped = await Promise.all(roles.map((role) => role.stop()));
    expect(stopped.map((s) => s.code)).toEqual([0, 0, 0]);
  }, 300_000);
});
