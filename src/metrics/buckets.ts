import type { Granularity } from './params.js';
import type { TimePoint } from './metric.js';

const DAY = 86_400_000;

/** The UTC start of the bucket holding `time`, as date_trunc computes it in the store. */
export function bucketStart(time: Date, granularity: Granularity): Date {
  const y = time.getUTCFullYear();
  const m = time.getUTCMonth();
  switch (granularity) {
    case 'day':
      return new Date(Date.UTC(y, m, time.getUTCDate()));
    case 'week': {
      const day = Date.UTC(y, m, time.getUTCDate());
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
      return new Date(day - sinceMonday * DAY);
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1));
    case 'quarter':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'year':
      return new Date(Date.UTC(y, 0, 1));
  }
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: Date, granularity: Granularity): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  switch (granularity) {
    case 'day':
      return new Date(start.getTime() + DAY);
    case 'week':
      return new Date(start.getTime() + 7 * DAY);
    case 'month':
      return new Date(Date.UTC(y, m + 1, 1));
    case 'quarter':
      return new Date(Date.UTC(y, m + 3, 1));
    case 'year':
      return new Date(Date.UTC(y + 1, 0, 1));
  }
}

/** `YYYY-MM-DD` of a UTC instant. */
export const isoDay = (time: Date): string => time.toISOString().slice(0, 10);

/** A date as a store returns it (a Date, or an ISO string), as a Date. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(String(value));
}

/** The buckets to show: those of `[from, to)` when given, else from the first to the last seen. */
export function bucketRange(
  seen: readonly Date[],
  granularity: Granularity,
  range: { from?: string | undefined; to?: string | undefined },
): Date[] {
  const times = seen.map((t) => t.getTime());
  const first = range.from !== undefined ? new Date(range.from) : minDate(times);
  const last = range.to !== undefined ? new Date(Date.parse(range.to) - 1) : maxDate(times);
  if (first === undefined || last === undefined || first > last) return [];
  const buckets: Date[] = [];
  const end = bucketStart(last, granularity).getTime();
  for (
    let b = bucketStart(first, granularity);
    b.getTime() <= end;
    b = nextBucket(b, granularity)
  ) {
    buckets.push(b);
  }
  return buckets;
}

const minDate = (times: number[]) => (times.length ? new Date(Math.min(...times)) : undefined);
const maxDate = (times: number[]) => (times.length ? new Date(Math.max(...times)) : undefined);

/**
 * A complete series: one point per bucket of the range, with each field of `fields` taken from
 * the row of that bucket (`t`), zero when no row has it.
 *
 * @example fillSeries(rows, ['commits'], 'month', { from: '2020-01-01T00:00:00.000Z' })
 */
export function fillSeries(
  rows: readonly Readonly<Record<string, unknown>>[],
  fields: readonly string[],
  granularity: Granularity,
  range: { from?: string | undefined; to?: string | undefined },
): TimePoint[] {
  const byBucket = new Map(rows.map((row) => [isoDay(toDate(row.t)), row]));
  const buckets = bucketRange(
    rows.map((row) => toDate(row.t)),
    granularity,
    range,
  );
  return buckets.map((bucket) => {
    const t = isoDay(bucket);
    const row = byBucket.get(t);
    const point: Record<string, string | number> = { t };
    for (const field of fields) point[field] = Number(row?.[field] ?? 0);
    return point as TimePoint;
  });
}
