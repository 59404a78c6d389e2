/**
 * Crash safety of the distributed shape: the worker running a collection is SIGKILLed at points
 * spread over both passes (one per run, five runs); its job goes to the other worker once its
 * lock expires, and the collection resumes from the store's markers. Each repository ends with
 * exactly git's data: no duplicate, no missing commit or file change.
 */
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import { expectStoreMatchesGit } from '../../src/store/testing/collect-contract.js';
import { collectJobId } from '../../src/worker/index.js';
import { gitTruth } from '../support/git.js';
import {
  RoleProcess,
  describeWithServices,
  distributedSpace,
  openShared,
  until,
} from './support.js';

/** Where to kill: the pass, and how far into it (share of its commits stored). */
const PLAN: readonly [phase: 'commits' | 'files', share: number][] = [
  ['commits', 0.25],
  ['commits', 0.6],
  ['files', 0.15],
  ['files', 0.45],
  ['files', 0.75],
];

describeWithServices('distributed crash safety', (urls) => {
  const space = distributedSpace('crash', urls, {
    METRE_BATCH_SIZE: '100',
    METRE_QUEUE_LOCK_MS: '2000',
  });
  const { env, schema, keys, ws } = space;
  const repo = join(ws.path, 'big');
  const workers = space.roles;

  beforeAll(async () => {
    await makeRepo(repo, { commits: 4000, seed: 11 });
  }, 120_000);

  const startWorker = () => new RoleProcess(['worker', '--queues', 'collect'], env);

  it('resumes each killed collection on the other worker, to exactly git’s data', async () => {
    const total = gitTruth(repo).commitsAll;
    workers.push(startWorker(), startWorker());
    const shared = await openShared(schema.url, urls.redis, keys.prefix);
    const killedAt: string[] = [];
    try {
      const { store, queue } = shared;
      for (const [index, [phase, share]] of PLAN.entries()) {
        const name = `run-${index}`;
        const { id } = await store.saveRepository({ name, source: repo });
        const job = await queue.enqueue(
          'collect',
          { repositoryId: id },
          { jobId: collectJobId(id) },
        );
        const jobId = job.id;

        // Wait for the kill point, then kill whichever worker holds the job.
        let progress: { phase: string; done: number } | null = null;
        await until(async () => {
          progress = (await queue.getJob(jobId))?.progress ?? null;
          return progress !== null && progress.phase === phase && progress.done >= share * total;
        }, 60_000);
        await Promise.all(workers.map((w) => w.waitForLog((l) => l.msg === 'worker started')));
        const holder = workers.find(
          (w) => w.running && w.lines.some((l) => l.msg === 'collecting' && l.job === jobId),
        );
        expect(holder).toBeDefined();
        await holder!.kill();
        const seen = progress as { phase: string; done: number } | null;
        killedAt.push(`${seen?.phase} ${seen?.done}/${total}`);

        // The other worker picks it up when the lock expires, and finishes it.
        const done = await queue.waitForJob(jobId, 90_000);
        expect(done).toMatchObject({ state: 'completed' });
        expect(done!.attempts).toBeGreaterThanOrEqual(2);
        const finisher = workers.find(
          (w) => w !== holder && w.lines.some((l) => l.msg === 'collected' && l.job === jobId),
        );
        expect(finisher?.running).toBe(true);
        await expectStoreMatchesGit(store, repo, name);
        workers.splice(workers.indexOf(holder!), 1);
        workers.push(startWorker()); // ready long before the next kill point
      }
    } finally {
      await shared.close();
    }
    expect(killedAt).toHaveLength(PLAN.length);
    expect(killedAt.filter((at) => at.startsWith('commits'))).toHaveLength(2);
    expect(killedAt.filter((at) => at.startsWith('files'))).toHaveLength(3);
  }, 400_000);
});
