/** The BullMQ adapter of the Queue port (Redis); bullmq and ioredis load only inside it. */
export { openBullmqQueue } from './bullmq-queue.js';
export { removeKeys } from './remove-keys.js';
