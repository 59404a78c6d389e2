import { afterAll, describe, expect, it } from 'vitest';
import { loadTestServices } from '../../../config/index.js';
import { openQueue } from '../../index.js';
import { describeQueueContract } from '../../testing/contract.js';
import { removeKeys } from './remove-keys.js';

const services = loadTestServices(process.env);
const redisUrl = services.redisUrl;

if (redisUrl === undefined) {
  describe('Queue contract: bullmq', () => {
    const reason = 'set METRE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)';
    if (services.requireServices) {
      it(`needs Redis: ${reason} (METRE_REQUIRE_SERVICES=1)`, () => expect.fail(reason));
    } else {
      it.skip(`is skipped: ${reason} to run it`, () => undefined);
    }
  });
} else {
  describeQueueContract('bullmq', {
    open: (options) => openQueue(redisUrl, options),
    shared: true,
    cleanup: (prefix) => removeKeys(redisUrl, prefix),
  });

  describe('bullmq adapter', () => {
    const closing: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const close of closing) await close();
    });

    it('reports an unreachable Redis as METRE_QUEUE_UNAVAILABLE within its time limit', async () => {
      const queue = await openQueue('redis://127.0.0.1:1', { prefix: 'metre-test-unreachable' });
      closing.push(() => queue.close({ timeoutMs: 100 }));
      const started = Date.now();
      await expect(queue.ping()).rejects.toMatchObject({ code: 'METRE_QUEUE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
}
