/**
 * The embedded DuckDB dialect of the Store port. Loaded lazily by `openStore`, so the driver is
 * only imported when a `duckdb:` store is used.
 *
 * @example
 * const store = await openDuckDBStore('/data/metre.duckdb');
 */
export { DuckDBStore, type DuckDBStoreParts } from './duckdb-store.js';
export { MEMORY, openDuckDBStore } from './open-duckdb-store.js';
export { latestVersion, migrations, type Migration } from './schema.js';
export { toStoreError } from './store-error.js';
