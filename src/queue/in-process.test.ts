import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  checkCron,
  nextDue,
  openQueue,
  parseQueueUrl,
  previousDue,
} from './index.js';
import { describeQueueContract } from './testing/contract.js';

describeQueueContract('in-process', {
  open: (options) => openQueue(undefined, options),
  shared: false,
});

describe('queue URLs', () => {
  it('reads in-process and Redis URLs, keeping the password out of names', () => {
    expect(parseQueueUrl(undefined)).toEqual({ kind: 'in-process' });
    expect(parseQueueUrl('in-process')).toEqual({ kind: 'in-process' });
    expect(parseQueueUrl('redis://:secret@127.0.0.1:6380/2?prefix=t1')).toEqual({
      kind: 'bullmq',
      url: 'redis://:secret@127.0.0.1:6380/2',
      prefix: 't1',
      name: 'redis://:***@127.0.0.1:6380/2',
    });
    for (const bad of ['amqp://x', 'redis://h?prefix=a:b', 'not a url']) {
      expect(() => parseQueueUrl(bad)).toThrow(
        expect.objectContaining({ code: 'METRE_QUEUE_URL_INVALID' }),
      );
    }
  });
});

describe('retry waits', () => {
  it('doubles after each failure, the jitter share drawn at random', () => {
    const policy = { attempts: 5, backoffMs: 1000, jitter: 0.5 };
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([
      999, 1999, 3999,
    ]);
    expect(backoffDelay(2, { ...policy, jitter: 0 }, () => 0.7)).toBe(2000);
  });
});

describe('cron expressions', () => {
  it('accepts 5 or 6 fields in UTC, refuses hashed and malformed ones', () => {
    const at = new Date('2024-03-10T10:20:30Z');
    expect(nextDue('0 * * * *', at).toISOString()).toBe('2024-03-10T11:00:00.000Z');
    expect(previousDue('0 * * * *', at).toISOString()).toBe('2024-03-10T10:00:00.000Z');
    expect(previousDue('0 10 * * *', new Date('2024-03-10T10:00:00Z')).toISOString()).toBe(
      '2024-03-10T10:00:00.000Z',
    );
    expect(nextDue('*/10 * * * * *', at).toISOString()).toBe('2024-03-10T10:20:40.000Z');
    expect(nextDue('0 3 * * THU', at).toISOString()).toBe('2024-03-14T03:00:00.000Z');
    for (const bad of ['H * * * *', '* * * *', '61 * * * *', '@daily', 'every day']) {
      expect(() => checkCron(bad)).toThrow(
        expect.objectContaining({ code: 'METRE_SCHEDULE_INVALID' }),
      );
    }
  });
});
