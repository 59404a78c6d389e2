/**
 * How result values arrive in JS, the same for every PostgreSQL-family driver: counts and sums
 * (INT8, NUMERIC) as numbers (metre's stay far below 2^53), timestamps as Dates. A timestamp
 * without time zone or a date is read as UTC, the session's time zone, never the process's.
 */
export const OIDS = {
  int8: 20,
  numeric: 1700,
  int8Array: 1016,
  numericArray: 1231,
  timestamp: 1114,
  timestampArray: 1115,
  date: 1082,
} as const;

export const toNumber = (text: string): number => Number(text);

/** `2024-01-01 12:00:00.5` (a TIMESTAMP) as that instant in UTC. */
export const utcTimestamp = (text: string): Date => new Date(`${text.replace(' ', 'T')}Z`);

/** `2024-01-01` (a DATE) as midnight UTC. */
export const utcDate = (text: string): Date => new Date(`${text}T00:00:00Z`);

/**
 * A one-dimensional array literal of elements holding no comma, quote or brace (numbers,
 * timestamps), e.g. `{1,NULL,3}` or `{"2024-01-01 12:00:00"}`.
 */
export function simpleArray<T>(element: (text: string) => T): (text: string) => (T | null)[] {
  return (text) => {
    const inner = text.slice(1, -1);
    if (inner === '') return [];
    return inner
      .split(',')
      .map((item) => (item === 'NULL' ? null : element(item.replace(/^"(.*)"$/, '$1'))));
  };
}

/** Text-format parsers of the types whose drivers' defaults metre overrides, by type OID. */
export const typeParsers: Readonly<Record<number, (text: string) => unknown>> = {
  [OIDS.int8]: toNumber,
  [OIDS.numeric]: toNumber,
  [OIDS.timestamp]: utcTimestamp,
  [OIDS.date]: utcDate,
  [OIDS.int8Array]: simpleArray(toNumber),
  [OIDS.numericArray]: simpleArray(toNumber),
  [OIDS.timestampArray]: simpleArray(utcTimestamp),
};
