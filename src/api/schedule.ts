import { MetreError } from '../errors/index.js';
import { checkCron } from '../queue/index.js';

const NAMED = new Set(['hourly', 'daily', 'weekly']);

/**
 * Checks a collection schedule: `hourly`, `daily`, `weekly` or a cron expression (UTC), as the
 * scheduler reads it.
 *
 * @example checkSchedule('0 3 * * 1') // '0 3 * * 1'
 */
export function checkSchedule(schedule: string): string {
  const text = schedule.trim();
  if (NAMED.has(text)) return text;
  if (!/^[0-9A-Za-z*/,?\- ]+$/.test(text)) {
    throw new MetreError(
      'METRE_SCHEDULE_INVALID',
      'A schedule is hourly, daily, weekly or a cron expression (UTC)',
    );
  }
  return checkCron(text);
}
