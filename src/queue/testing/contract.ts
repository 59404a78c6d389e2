import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MetreError, isMetreError } from '../../errors/index.js';
import { UnrecoverableError } from '../errors.js';
import type { QueueOptions } from '../open-queue.js';
import type { JobInfo, JobName, Queue, QueueEvent } from '../port.js';

/** How the suite reaches an adapter. */
export interface QueueContractTarget {
  /** Opens a queue; every call with the same `prefix` must reach the same jobs when `shared`. */
  open(options: QueueOptions): Promise<Queue>;
  /**
   * Whether two queues opened with one prefix share their jobs (BullMQ, across processes). The
   * in-process adapter keeps its jobs in its own memory, so the tests needing two are skipped.
   */
  readonly shared: boolean;
  /** Removes what a test left under its prefix. */
  cleanup?(prefix: string): Promise<void>;
}

/** Short waits so the suite runs in seconds. */
const FAST_RETRY = { attempts: 3, backoffMs: 40, jitter: 0.5 };

/** Resolves when `check` holds, polling; fails after `ms`. */
async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(20);
  }
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMetreError(error) ? error.code : error;
}

const collect = (repositoryId: string) => ({ repositoryId });

/**
 * The Queue contract: both adapters run these same tests. Each test opens its queues under a
 * prefix of its own and closes them after.
 *
 * @example describeQueueContract('in-process', { open: (o) => openQueue(undefined, o), shared: false })
 */
export function describeQueueContract(name: string, target: QueueContractTarget): void {
  describe(`Queue contract: ${name}`, () => {
    let prefix = '';
    const opened: Queue[] = [];
    const open = async (options: QueueOptions = {}) => {
      const queue = await target.open({ prefix, retry: FAST_RETRY, lockMs: 2_000, ...options });
      opened.push(queue);
      return queue;
    };
    /** A queue reading the same jobs: another instance when shared, else the same one. */
    const reader = async (queue: Queue) => (target.shared ? open() : queue);
    const sharedIt = target.shared ? it : it.skip;

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close({ timeoutMs: 200 })));
      await target.cleanup?.(prefix);
    });
    const fresh = () => (prefix = `metre-test-${randomUUID().slice(0, 8)}`);

    it('runs a job and reports its result', async () => {
      fresh();
      const queue = await open();
      queue.process('collect', async (job) => ({ got: job.data.repositoryId }));
      const job = await queue.enqueue('collect', collect('r1'));
      expect(job).toMatchObject({ name: 'collect', data: { repositoryId: 'r1' }, repeat: null });
      expect(job.id).toMatch(/^collect-/);
      const done = await queue.waitForJob(job.id, 5_000);
      expect(done).toMatchObject({
        id: job.id,
        state: 'completed',
        attempts: 1,
        error: null,
        result: { got: 'r1' },
      });
      expect(done?.finishedAt).toBeInstanceOf(Date);
      expect(await queue.getJob('collect-none')).toBeUndefined();
      expect(await queue.getJob('nonsense')).toBeUndefined();
    });

    it('deduplicates by job id while a job is pending, not after it finished', async () => {
      fresh();
      const queue = await open();
      const first = await queue.enqueue('collect', collect('a'), { jobId: 'collect:a' });
      const second = await queue.enqueue('collect', collect('a'), { jobId: 'collect:a' });
      const other = await queue.enqueue('collect', collect('b'), { jobId: 'collect:b' });
      expect(second.id).toBe(first.id);
      expect(other.id).not.toBe(first.id);
      queue.process('collect', async () => 'ok');
      await queue.waitForJob(first.id, 5_000);
      await queue.waitForJob(other.id, 5_000);
      const third = await queue.enqueue('collect', collect('a'), { jobId: 'collect:a' });
      expect(third.id).not.toBe(first.id);
      expect((await queue.waitForJob(third.id, 5_000))?.state).toBe('completed');
    });

    it('runs jobs without priority first, then by priority', async () => {
      fresh();
      const queue = await open();
      const order: string[] = [];
      const add = (id: string, priority?: number) =>
        queue.enqueue('collect', collect(id), priority === undefined ? {} : { priority });
      await add('plain-1');
      await add('low', 5);
      await add('high', 1);
      const last = await add('plain-2');
      queue.process('collect', async (job) => void order.push(job.data.repositoryId));
      await until(() => order.length === 4);
      expect(order).toEqual(['plain-1', 'plain-2', 'high', 'low']);
      expect((await queue.getJob(last.id))?.state).toBe('completed');
    });

    it('reports progress as events and on the job', async () => {
      fresh();
      const queue = await open();
      const events: QueueEvent[] = [];
      queue.on((event) => events.push(event));
      queue.process('collect', async (_job, { progress }) => {
        await progress({ phase: 'commits', done: 10, total: 40 });
        await progress({ phase: 'files', done: 40, total: 40 });
        return 'done';
      });
      const job = await queue.enqueue('collect', collect('p'));
      await queue.waitForJob(job.id, 5_000);
      await until(() => events.some((e) => e.type === 'completed' && e.job.id === job.id));
      const mine = events.filter((e) => e.job.id === job.id);
      const progress = mine.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
      expect(progress).toEqual([
        { phase: 'commits', done: 10, total: 40 },
        { phase: 'files', done: 40, total: 40 },
      ]);
      expect(mine[0]?.type).toBe('active');
      expect(mine.at(-1)?.job.state).toBe('completed');
      expect((await queue.getJob(job.id))?.progress).toEqual({
        phase: 'files',
        done: 40,
        total: 40,
      });
    });

    it('retries a failing job with growing waits, then succeeds', async () => {
      fresh();
      const queue = await open();
      const starts: number[] = [];
      const events: QueueEvent['type'][] = [];
      queue.on((event) => events.push(event.type));
      queue.process('collect', async () => {
        starts.push(Date.now());
        if (starts.length < 3) throw new MetreError('METRE_STORE_UNAVAILABLE', 'store down');
        return 'third time';
      });
      const job = await queue.enqueue('collect', collect('r'));
      const done = await queue.waitForJob(job.id, 10_000);
      expect(done).toMatchObject({ state: 'completed', attempts: 3, result: 'third time' });
      const waits = [starts[1]! - starts[0]!, starts[2]! - starts[1]!];
      // Exponential with 50 % jitter: at least half of 40 ms, then of 80 ms.
      expect(waits[0]).toBeGreaterThanOrEqual(19);
      expect(waits[1]).toBeGreaterThanOrEqual(39);
      await until(() => events.filter((type) => type === 'retrying').length === 2);
    });

    it('fails a job after its last attempt with the coded error', async () => {
      fresh();
      const queue = await open();
      let runs = 0;
      queue.process('collect', async () => {
        runs += 1;
        throw new MetreError('METRE_GIT_FAILED', `attempt ${runs}`);
      });
      const job = await queue.enqueue('collect', collect('r'));
      const done = await queue.waitForJob(job.id, 10_000);
      expect(done).toMatchObject({
        state: 'failed',
        attempts: 3,
        error: 'METRE_GIT_FAILED: attempt 3',
      });
      expect(runs).toBe(3);
    });

    it('fails at once, without retries, on an unrecoverable error', async () => {
      fresh();
      const queue = await open();
      let runs = 0;
      queue.process('collect', async () => {
        runs += 1;
        throw new UnrecoverableError(new MetreError('METRE_REPO_NOT_FOUND', 'gone upstream'));
      });
      const job = await queue.enqueue('collect', collect('r'));
      const done = await queue.waitForJob(job.id, 10_000);
      expect(done).toMatchObject({
        state: 'failed',
        attempts: 1,
        error: 'METRE_REPO_NOT_FOUND: gone upstream',
      });
      expect(runs).toBe(1);
    });

    it('waits for a job up to a time limit, then answers its state', async () => {
      fresh();
      const queue = await open();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      queue.process('compute', async () => {
        await held;
        return { value: 42 };
      });
      const job = await queue.enqueue('compute', {
        metric: 'commits',
        repositories: ['r'],
        params: {},
      });
      const started = Date.now();
      const early = await queue.waitForJob(job.id, 300);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(early?.state).toMatch(/^(waiting|active)$/);
      release();
      expect(await queue.waitForJob(job.id, 5_000)).toMatchObject({
        state: 'completed',
        result: { value: 42 },
      });
      expect(await queue.waitForJob('compute-none', 100)).toBeUndefined();
    });

    it('counts and lists jobs by state', async () => {
      fresh();
      const queue = await open();
      queue.process('collect', async (job) => {
        if (job.data.repositoryId === 'bad') throw new UnrecoverableError(new Error('no'));
        return null;
      });
      const good = await queue.enqueue('collect', collect('good'));
      const bad = await queue.enqueue('collect', collect('bad'));
      await queue.waitForJob(good.id, 5_000);
      await queue.waitForJob(bad.id, 5_000);
      const waiting = await queue.enqueue('compute', {
        metric: 'm',
        repositories: ['x'],
        params: {},
      });
      expect(await queue.counts()).toEqual({
        waiting: 1,
        active: 0,
        delayed: 0,
        completed: 1,
        failed: 1,
      });
      const ids = (jobs: JobInfo[]) => jobs.map((job) => job.id).sort();
      expect(ids(await queue.listJobs(['completed', 'failed']))).toEqual([bad.id, good.id].sort());
      expect(ids(await queue.listJobs(['waiting']))).toEqual([waiting.id]);
      expect(await queue.listJobs()).toHaveLength(3);
      await queue.ping();
    });

    it('fires a repeat at each due time, with its key and due time, until removed', async () => {
      fresh();
      const queue = await open();
      const fired: JobInfo[] = [];
      queue.process('collect', async (job) => void fired.push(job));
      const spec = {
        key: 'repeat:r',
        name: 'collect' as JobName,
        data: collect('r'),
        cron: '* * * * * *',
      };
      await queue.repeat({ ...spec, jobId: 'collect:r' });
      expect(await queue.listRepeats()).toEqual([
        expect.objectContaining({ key: 'repeat:r', cron: '* * * * * *', jobId: 'collect:r' }),
      ]);
      await until(() => fired.length >= 2, 6_000);
      await queue.removeRepeat('repeat:r');
      expect(await queue.listRepeats()).toEqual([]);
      const count = fired.length;
      await sleep(1_500);
      expect(fired.length).toBeLessThanOrEqual(count + 1); // one may have been on its way
      const dues = fired.map((job) => job.repeat?.dueAt.getTime() ?? NaN);
      expect(fired.every((job) => job.repeat?.key === 'repeat:r')).toBe(true);
      expect(dues.every((due) => due % 1000 === 0)).toBe(true);
      expect(new Set(dues).size).toBe(dues.length);
      await expect(queue.repeat({ ...spec, key: 'x', cron: 'H * * * *' })).rejects.toThrow(
        /hashed/,
      );
    });

    it('lets a running job finish when it closes in time', async () => {
      fresh();
      const queue = await open();
      const seen = await reader(queue);
      queue.process('collect', async () => {
        await sleep(200);
        return 'finished';
      });
      const job = await queue.enqueue('collect', collect('r'));
      await until(async () => (await queue.getJob(job.id))?.state === 'active');
      await queue.close({ timeoutMs: 5_000 });
      expect(await seen.getJob(job.id)).toMatchObject({ state: 'completed', result: 'finished' });
      expect(await codeOf(queue.enqueue('collect', collect('late')))).toBe(
        'METRE_QUEUE_UNAVAILABLE',
      );
    });

    it('releases a job still running when its time is up, aborting its signal', async () => {
      fresh();
      const queue = await open();
      const seen = await reader(queue);
      let aborted = false;
      queue.process('collect', async (_job, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        await sleep(60_000); // ignores its signal: the queue must not wait for it
      });
      const job = await queue.enqueue('collect', collect('r'));
      await until(async () => (await queue.getJob(job.id))?.state === 'active');
      const started = Date.now();
      await queue.close({ timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(aborted).toBe(true);
      expect((await seen.getJob(job.id))?.state).toBe('waiting');
    });

    sharedIt('hands a released job to another worker', async () => {
      fresh();
      const first = await open();
      const second = await open();
      first.process('collect', async (_job, { signal }) => {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        throw new Error('stopped');
      });
      const job = await first.enqueue('collect', collect('r'));
      await until(async () => (await first.getJob(job.id))?.state === 'active');
      second.process('collect', async () => 'second');
      await first.close({ timeoutMs: 100 });
      expect(await second.waitForJob(job.id, 10_000)).toMatchObject({
        state: 'completed',
        result: 'second',
      });
    });

    sharedIt('fires each due time once, however many queues hold the repeat', async () => {
      fresh();
      const queues = [await open(), await open()];
      const spec = {
        key: 'repeat:r',
        name: 'collect' as JobName,
        data: collect('r'),
        cron: '* * * * * *',
      };
      for (const queue of queues) await queue.repeat(spec);
      const fired: JobInfo[] = [];
      queues.forEach((queue) => queue.process('collect', async (job) => void fired.push(job)));
      await until(() => fired.length >= 3, 8_000);
      for (const queue of queues) await queue.repeat(spec); // re-upserting changes nothing
      await until(() => fired.length >= 5, 8_000);
      const dues = fired.map((job) => job.repeat?.dueAt.getTime());
      expect(new Set(dues).size).toBe(dues.length);
    });
  });
}
