import type { SqlFragments } from '../../port.js';

/**
 * PostgreSQL's way of writing what the backends do not share (PGlite is PostgreSQL: the same).
 * `isodow` is already 1 = Monday … 7 = Sunday; `dow` would count from Sunday = 0.
 */
export const postgresFragments: SqlFragments = {
  isoWeekday: (timestamp) => `CAST(extract(isodow FROM ${timestamp}) AS INTEGER)`,
  addMinutes: (timestamp, minutes) =>
    `(${timestamp} + make_interval(mins => CAST(${minutes} AS INTEGER)))`,
  fullMatch: (text, regex) => `(${text} ~ ('^(?:' || CAST(${regex} AS TEXT) || ')$'))`,
  commitTime: (parameter) => `CAST(${parameter} AS TIMESTAMPTZ)`,
};
