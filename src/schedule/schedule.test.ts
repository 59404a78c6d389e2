import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueue, type Queue } from '../queue/index.js';
import { openStore, type Store } from '../store/index.js';
import { silentLogger } from '../worker/index.js';
import { Scheduler, checkSchedule, scheduleCron } from './index.js';

describe('schedules', () => {
  it('normalises named schedules and checks cron expressions', () => {
    expect(checkSchedule(' Weekly ')).toBe('weekly');
    expect(checkSchedule('0  3 * * 1')).toBe('0 3 * * 1');
    for (const bad of ['monthly', '', '0 3 * *', '99 * * * *']) {
      expect(() => checkSchedule(bad)).toThrow(
        expect.objectContaining({ code: 'METRE_SCHEDULE_INVALID' }),
      );
    }
  });

  it('spreads named schedules over their period by repository, the same in every process', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `repo-${i}`);
    const hourly = ids.map((id) => scheduleCron('hourly', id));
    expect(hourly.every((cron) => /^\d{1,2} \* \* \* \*$/.test(cron))).toBe(true);
    expect(new Set(hourly).size).toBeGreaterThan(10);
    expect(scheduleCron('daily', 'a')).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
    expect(scheduleCron('weekly', 'a')).toMatch(/^\d{1,2} \d{1,2} \* \* [0-6]$/);
    expect(scheduleCron('daily', 'a')).toBe(scheduleCron('daily', 'a'));
    expect(scheduleCron('*/5 * * * *', 'a')).toBe('*/5 * * * *');
  });
});

describe('Scheduler', () => {
  let store: Store;
  let queue: Queue;
  beforeEach(async () => {
    store = await openStore('duckdb::memory:');
    queue = await openQueue(undefined);
  });
  afterEach(async () => {
    await queue.close({ timeoutMs: 100 });
    await store.close();
  });

  it('keeps one repeat per repository, following schedule changes and deletions', async () => {
    const a = await store.saveRepository({ name: 'a', source: '/src/a' });
    const b = await store.saveRepository({ name: 'b', source: '/src/b', schedule: '0 3 * * 1' });
    const scheduler = new Scheduler(
      { store, queue, log: silentLogger },
      { syncIntervalMs: 60_000 },
    );
    expect(await scheduler.sync()).toEqual({ scheduled: 2, removed: 0, invalid: 0 });
    const repeats = async () =>
      Object.fromEntries(
        (await queue.listRepeats()).map((r) => [r.key, [r.cron, r.jobId, r.data]]),
      );
    expect(await repeats()).toEqual({
      [`schedule:${a.id}`]: [
        scheduleCron('daily', a.id),
        `collect:${a.id}`,
        { repositoryId: a.id },
      ],
      [`schedule:${b.id}`]: ['0 3 * * 1', `collect:${b.id}`, { repositoryId: b.id }],
    });
    await store.updateRepository(a.id, { schedule: 'hourly' });
    await store.deleteRepository(b.id);
    expect(await scheduler.sync()).toEqual({ scheduled: 1, removed: 1, invalid: 0 });
    expect(await repeats()).toEqual({
      [`schedule:${a.id}`]: [
        scheduleCron('hourly', a.id),
        `collect:${a.id}`,
        { repositoryId: a.id },
      ],
    });
  });

  it('catches up on repositories never collected or past their due time, not failed ones', async () => {
    const fresh = await store.saveRepository({ name: 'fresh', source: '/src/fresh' });
    const overdue = await store.saveRepository({
      name: 'overdue',
      source: '/src/o',
      schedule: '0 * * * *',
    });
    const recent = await store.saveRepository({
      name: 'recent',
      source: '/src/r',
      schedule: '0 * * * *',
    });
    const failed = await store.saveRepository({ name: 'failed', source: '/src/f' });
    const now = new Date('2024-05-01T10:30:00Z');
    await store.updateRepository(overdue.id, {
      status: 'up-to-date',
      lastCollectedAt: new Date('2024-05-01T09:59:00Z'),
    });
    await store.updateRepository(recent.id, {
      status: 'up-to-date',
      lastCollectedAt: new Date('2024-05-01T10:01:00Z'),
    });
    await store.updateRepository(failed.id, { status: 'failed', lastError: 'METRE_X: no' });
    const scheduler = new Scheduler(
      { store, queue, log: silentLogger },
      { syncIntervalMs: 60_000 },
    );
    const ids = await scheduler.catchUp(now);
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    expect(jobs.map((job) => (job?.data as { repositoryId: string }).repositoryId).sort()).toEqual(
      [fresh.id, overdue.id].sort(),
    );
    expect(await scheduler.catchUp(now)).toEqual(ids); // pending: the same jobs, not new ones
  });

  it('fires due collections through the queue, with their repository dedup id', async () => {
    const a = await store.saveRepository({ name: 'a', source: '/src/a', schedule: '* * * * * *' });
    const scheduler = new Scheduler(
      { store, queue, log: silentLogger },
      { syncIntervalMs: 60_000 },
    );
    await scheduler.sync();
    const fired: string[] = [];
    queue.process('collect', async (job) => void fired.push(job.repeat?.key ?? ''));
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect(fired.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fired)).toEqual(new Set([`schedule:${a.id}`]));
  });
});
