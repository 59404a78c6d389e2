import { CronExpressionParser } from 'cron-parser';
import { MetreError } from '../errors/index.js';

/** A hashed field (`H`, `H/5`): each process would draw its own value, so schedulers disagree. */
const HASHED = /(^|[^A-Za-z])H/;

/**
 * Checks a cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first,
 * read in UTC. Hashed fields (`H`) and `@` shortcuts are refused.
 *
 * @example checkCron('0 3 * * 1') // every Monday at 03:00 UTC
 */
export function checkCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  const invalid = (why: string) =>
    new MetreError('METRE_SCHEDULE_INVALID', `Invalid cron expression "${cron}": ${why}`);
  if (fields.length !== 5 && fields.length !== 6) {
    throw invalid('5 fields (minute hour day month weekday) or 6 with seconds first');
  }
  if (fields.some((field) => HASHED.test(field)))
    throw invalid('hashed fields (H) are not allowed');
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC', strict: false });
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  return fields.join(' ');
}

/**
 * The first time after `from` the expression is due.
 *
 * @example nextDue('0 * * * *', new Date('2024-01-01T10:20:00Z')) // 2024-01-01T11:00:00Z
 */
export function nextDue(cron: string, from: Date): Date {
  return parse(cron, from).next().toDate();
}

/**
 * The last time at or before `from` the expression was due.
 *
 * @example previousDue('0 * * * *', new Date('2024-01-01T10:20:00Z')) // 2024-01-01T10:00:00Z
 */
export function previousDue(cron: string, from: Date): Date {
  // prev() is strictly before its start, so start one millisecond later to include `from`.
  return parse(cron, new Date(from.getTime() + 1))
    .prev()
    .toDate();
}

function parse(cron: string, from: Date) {
  return CronExpressionParser.parse(checkCron(cron), { tz: 'UTC', currentDate: from });
}
