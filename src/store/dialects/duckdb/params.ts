import {
  BIGINT,
  LIST,
  TIMESTAMPTZ,
  VARCHAR,
  listValue,
  timestampTZValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

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

/** A BIGINT parameter. */
export function bigint(value: number | null): Param {
  return [value === null ? null : BigInt(value), BIGINT];
}

/** A TIMESTAMPTZ parameter. */
export function timestamp(value: Date | null): Param {
  return [value === null ? null : toTimestamp(value.getTime() / 1000), TIMESTAMPTZ];
}

/** Seconds since the epoch as DuckDB's microsecond timestamp. */
export function toTimestamp(seconds: number): DuckDBValue {
  return timestampTZValue(BigInt(Math.round(seconds * 1_000_000)));
}
