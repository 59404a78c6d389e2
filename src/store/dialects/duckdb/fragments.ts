import type { SqlFragments } from '../../port.js';

/** DuckDB's way of writing what the backends do not share. */
export const duckdbFragments: SqlFragments = {
  isoWeekday: (timestamp) => `CAST(isodow(${timestamp}) AS INTEGER)`,
  addMinutes: (timestamp, minutes) => `(${timestamp} + to_minutes(CAST(${minutes} AS BIGINT)))`,
  fullMatch: (text, regex) => `regexp_full_match(${text}, ${regex})`,
  commitTime: (parameter) => `CAST(${parameter} AS TIMESTAMP)`,
};
