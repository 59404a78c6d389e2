import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Reads a closed metre DuckDB file with the driver directly, so tests check what was stored
 * without going through the store code under test.
 */
export async function queryDuckDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    connection.closeSync();
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    instance.closeSync();
  }
}
