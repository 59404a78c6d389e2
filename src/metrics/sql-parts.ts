import type { Granularity } from './params.js';

/**
 * The start of a commit's bucket, in UTC (the store's session time zone). `granularity` is one of
 * the validated choices, never user text.
 */
export const bucketOf = (granularity: Granularity, time = 't'): string =>
  `date_trunc('${granularity}', ${time})`;
