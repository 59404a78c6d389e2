/**
 * The schedule role: each repository's schedule (`hourly`, `daily`, `weekly` or cron, UTC) kept as
 * a repeatable job of the queue, keyed by the repository, so several schedulers never double-fire.
 *
 * @example
 * const schedule = checkSchedule(flags.schedule ?? DEFAULT_SCHEDULE);
 * const scheduler = startScheduler({ store, queue, log }, { syncIntervalMs: 30_000 });
 * await scheduler.stop();
 */
export { DEFAULT_SCHEDULE, NAMED_SCHEDULES, checkSchedule, scheduleCron } from './schedule.js';
export {
  Scheduler,
  startScheduler,
  type SchedulerDeps,
  type SchedulerOptions,
  type SyncReport,
} from './scheduler.js';
