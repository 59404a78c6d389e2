/**
 * Deletes the Redis keys of a queue prefix (a test's or a benchmark's own), loading the BullMQ
 * adapter's Redis client only when called.
 *
 * @example afterAll(() => removeQueueKeys('redis://127.0.0.1:6379', prefix))
 */
export async function removeQueueKeys(url: string, prefix: string): Promise<void> {
  const { removeKeys } = await import('../adapters/bullmq/index.js');
  await removeKeys(url, prefix);
}
