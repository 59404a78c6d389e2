import type { Row, SqlClient, SqlResult } from '../postgres/index.js';

/**
 * A `SqlClient` as the CrateDB store needs it over any driver: no transactions (none is offered,
 * so the store never sends BEGIN, COMMIT or ROLLBACK), and OBJECT values (a cached result) handed
 * back as the JSON text the store wrote, since `pg` parses CrateDB's objects (sent as `json`)
 * into JS objects.
 *
 * @example const client = cratedbClient(await createPgClient({ connectionString, setup: [], copy: false, transactions: false }))
 */
export function cratedbClient(client: SqlClient): SqlClient {
  return {
    query: async (sql, params) => objectsAsJson(await client.query(sql, params)),
    close: () => client.close(),
  };
}

function objectsAsJson(result: SqlResult): SqlResult {
  if (!result.rows.some(hasObject)) return result;
  return { ...result, rows: result.rows.map(rowAsJson) };
}

function hasObject(row: Row): boolean {
  return Object.values(row).some(isPlainObject);
}

function rowAsJson(row: Row): Row {
  const entries = Object.entries(row).map(([k, v]) => [
    k,
    isPlainObject(v) ? JSON.stringify(v) : v,
  ]);
  return Object.fromEntries(entries) as Row;
}

function isPlainObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}
