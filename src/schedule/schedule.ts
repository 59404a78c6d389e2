import { createHash } from 'node:crypto';
import { MetreError } from '../errors/index.js';
import { checkCron } from '../queue/index.js';

/** The named schedules; anything else must be a cron expression. */
export const NAMED_SCHEDULES = ['hourly', 'daily', 'weekly'] as const;

/** A repository's schedule when none is given. */
export const DEFAULT_SCHEDULE = 'daily';

/**
 * Checks a schedule and returns it normalised: `hourly`, `daily`, `weekly`, or a cron expression
 * (5 fields, or 6 with seconds first, UTC).
 *
 * @example checkSchedule('Weekly') // 'weekly'
 * @example checkSchedule('0 3 * * 1') // '0 3 * * 1'
 */
export function checkSchedule(schedule: string): string {
  const trimmed = schedule.trim();
  const named = trimmed.toLowerCase();
  if ((NAMED_SCHEDULES as readonly string[]).includes(named)) return named;
  if (!/\s/.test(trimmed)) {
    throw new MetreError(
      'METRE_SCHEDULE_INVALID',
      `Invalid schedule "${schedule}": hourly, daily, weekly or a cron expression such as "0 3 * * *"`,
    );
  }
  return checkCron(trimmed);
}

/**
 * The cron expression of a repository's schedule. A named schedule runs at a minute (hour, day)
 * drawn from the repository's id, so repositories spread over the period instead of all starting
 * at once, and every scheduler computes the same expression.
 *
 * @example scheduleCron('daily', 'a1b2') // e.g. '17 4 * * *'
 */
export function scheduleCron(schedule: string, repositoryId: string): string {
  const normalised = checkSchedule(schedule);
  const digest = createHash('sha256').update(repositoryId).digest();
  const minute = digest.readUInt16BE(0) % 60;
  const hour = digest.readUInt16BE(2) % 24;
  const weekday = digest.readUInt16BE(4) % 7;
  if (normalised === 'hourly') return `${minute} * * * *`;
  if (normalised === 'daily') return `${minute} ${hour} * * *`;
  if (normalised === 'weekly') return `${minute} ${hour} * * ${weekday}`;
  return normalised;
}
