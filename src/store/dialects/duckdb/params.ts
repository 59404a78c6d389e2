import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { duckdb } from './driver.js';
import type { SqlValue } from '../../port.js';

const {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  LIST,
  TIMESTAMPTZ,
  VARCHAR,
  listValue,
  timestampTZValue,
  timestampValue,
} = duckdb;

/**
 * A bound parameter and its type. Types are given rather than inferred because DuckDB cannot
 * infer one from a NULL or an empty list, and every value goes through binding, never into SQL.
 */
export type Param = readonly [DuckDBValue, DuckDBType];

/** A VARCHAR parameter. */
export function text(value: string | null): Param {
  return [value, VARCHAR];
}

/** A VARCHAR[] parameter. */
export function texts(values: readonly string[] | null): Param {
  return [values === null ? null : listValue([...values]), LIST(VARCHAR)];
}

/** A VARCHAR[] parameter whose items may be NULL. */
export function nullableTexts(values: readonly (string | null)[]): Param {
  return [listValue([...values]), LIST(VARCHAR)];
}

/** A BIGINT[] parameter. */
export function bigints(values: readonly number[]): Param {
  return [listValue(values.map(BigInt)), LIST(BIGINT)];
}

/** A BIGINT parameter. */
export function bigint(value: number | null): Param {
  return [value === null ? null : BigInt(value), BIGINT];
}

/** A TIMESTAMPTZ parameter. */
export function timestamp(value: Date | null): Param {
  return [value === null ? null : toTimestamp(value.getTime() / 1000), TIMESTAMPTZ];
}

/** Seconds since the epoch as a plain (UTC) TIMESTAMP value, for commit times. */
export function toPlainTimestamp(seconds: number): DuckDBValue {
  return timestampValue(BigInt(Math.round(seconds * 1_000_000)));
}

/** Seconds since the epoch as DuckDB's microsecond timestamp. */
export function toTimestamp(seconds: number): DuckDBValue {
  return timestampTZValue(BigInt(Math.round(seconds * 1_000_000)));
}

/** A DOUBLE parameter. */
export function double(value: number | null): Param {
  return [value, DOUBLE];
}

/**
 * A portable query's parameter, typed from its JS value: integers as BIGINT, other numbers as
 * DOUBLE, Dates as TIMESTAMPTZ, arrays as lists of their first element's type (VARCHAR when empty
 * or null: queries cast such parameters, e.g. `$1::TIMESTAMPTZ`).
 */
export function inferParam(value: SqlValue): Param {
  if (value === null || typeof value === 'string') return text(value);
  if (typeof value === 'boolean') return [value, BOOLEAN];
  if (typeof value === 'number') return Number.isInteger(value) ? bigint(value) : double(value);
  if (value instanceof Date) return timestamp(value);
  return inferList(value);
}

function inferList(values: readonly (string | number | Date)[]): Param {
  const first = values[0];
  if (first === undefined || typeof first === 'string') return texts(values.map(String));
  if (first instanceof Date) {
    const items = values.map((v) => toTimestamp((v as Date).getTime() / 1000));
    return [listValue(items), LIST(TIMESTAMPTZ)];
  }
  const numbers = values as readonly number[];
  if (numbers.every(Number.isInteger)) return [listValue(numbers.map(BigInt)), LIST(BIGINT)];
  return [listValue([...numbers]), LIST(DOUBLE)];
}
