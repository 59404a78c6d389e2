import type { SqlFragments } from '../../port.js';

/**
 * CrateDB's way of writing what the backends do not share.
 *
 * - `extract(day_of_week …)` already counts 1 = Monday … 7 = Sunday (PostgreSQL's `dow` would
 *   count from Sunday = 0).
 * - CrateDB keeps a timestamp as milliseconds since the epoch and casts both ways between it and
 *   BIGINT, so moving by minutes is integer arithmetic: no interval type or constructor needed.
 * - Its `~` is implicitly anchored (the whole text must match) and reads the port's regex subset
 *   alike whichever engine it picks (Lucene's, or java.util.regex for PCRE features): the subset
 *   escapes every ASCII punctuation literal, so Lucene's extra operators (`#`, `@`, `&`, `<>`,
 *   `~`) never appear unescaped.
 */
export const cratedbFragments: SqlFragments = {
  isoWeekday: (timestamp) => `CAST(extract(day_of_week FROM ${timestamp}) AS INTEGER)`,
  addMinutes: (timestamp, minutes) =>
    `CAST(CAST(${timestamp} AS BIGINT) + CAST(${minutes} AS BIGINT) * 60000 AS TIMESTAMPTZ)`,
  fullMatch: (text, regex) => `(${text} ~ CAST(${regex} AS TEXT))`,
  commitTime: (parameter) => `CAST(${parameter} AS TIMESTAMPTZ)`,
};
