/** The in-process adapter of the Queue port: the embedded default, no service. */
export { InProcessQueue } from './in-process-queue.js';
