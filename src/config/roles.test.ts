import { describe, expect, it } from 'vitest';
import { loadConfig } from './index.js';

describe('role settings', () => {
  it('default to the in-process queue, both worker queues and bounded waits', () => {
    const config = loadConfig({ HOME: '/h' });
    expect(config.queue).toEqual({
      url: undefined,
      prefix: 'metre',
      retry: { attempts: 6, backoffMs: 1000, jitter: 0.5 },
      lockMs: 30_000,
    });
    expect(config.worker).toEqual({ queues: ['collect', 'metrics'], concurrency: 1 });
    expect(config.computeWaitMs).toBe(2000);
    expect(config.shutdownTimeoutMs).toBe(10_000);
    expect(config.schedule.syncIntervalMs).toBe(30_000);
  });

  it('read the environment, flags winning', () => {
    const env = {
      HOME: '/h',
      METRE_QUEUE: 'redis://127.0.0.1:6379',
      METRE_QUEUE_PREFIX: 'p1',
      METRE_QUEUE_ATTEMPTS: '3',
      METRE_QUEUE_BACKOFF_MS: '50',
      METRE_QUEUE_LOCK_MS: '4000',
      METRE_WORKER_QUEUES: 'metrics',
      METRE_WORKER_CONCURRENCY: '2',
      METRE_COMPUTE_WAIT_MS: '0',
      METRE_SHUTDOWN_TIMEOUT_MS: '500',
      METRE_SCHEDULER_SYNC_MS: '1000',
    };
    const config = loadConfig(env, {
      queue: 'in-process',
      queues: 'collect, metrics',
      concurrency: 4,
    });
    expect(config.queue).toMatchObject({ url: undefined, prefix: 'p1', lockMs: 4000 });
    expect(config.queue.retry).toMatchObject({ attempts: 3, backoffMs: 50 });
    expect(config.worker).toEqual({ queues: ['collect', 'metrics'], concurrency: 4 });
    expect(loadConfig(env).queue.url).toBe('redis://127.0.0.1:6379');
    expect(loadConfig(env).worker).toEqual({ queues: ['metrics'], concurrency: 2 });
    expect(loadConfig(env).computeWaitMs).toBe(0);
    expect(loadConfig(env).shutdownTimeoutMs).toBe(500);
  });

  it('refuse what they cannot use', () => {
    const invalid = { code: 'METRE_CONFIG_INVALID' };
    expect(() => loadConfig({ METRE_QUEUE: 'amqp://x' })).toThrow(expect.objectContaining(invalid));
    expect(() => loadConfig({}, { queue: 'kafka://x' })).toThrow(expect.objectContaining(invalid));
    expect(() => loadConfig({}, { queues: 'collect,email' })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => loadConfig({}, { concurrency: 0 })).toThrow(expect.objectContaining(invalid));
    expect(() => loadConfig({ METRE_QUEUE_LOCK_MS: '10' })).toThrow(
      expect.objectContaining(invalid),
    );
  });
});
