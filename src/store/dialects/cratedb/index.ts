/**
 * The CrateDB dialect: the PostgreSQL family's store and SQL over CrateDB's PostgreSQL wire
 * protocol (the same `pg` client), differing only where CrateDB differs: its DDL (sharding,
 * replicas, unindexed long texts, OBJECT results, no secondary constraints), `unnest` bulk writes
 * in bounded batches, REFRESH TABLE after each write, no transactions, and the few statements and
 * SQL fragments it writes its own way. Loaded lazily by `openStore` for `crate://` URLs.
 *
 * @example const store = await openStore('crate://crate@db:5432/metre?shards=6&replicas=1')
 */
export {
  batches,
  cratedbUnnestWriter,
  MAX_STATEMENT_CHARS,
  UNNEST_LIMITS,
  unnestInsert,
} from './bulk.js';
export { cratedbClient } from './cratedb-client.js';
export { cratedbDialect, refreshTables } from './dialect.js';
export { cratedbFragments } from './fragments.js';
export {
  cratedbStore,
  openCratedbStore,
  type CratedbConnection,
  type CratedbStoreOptions,
} from './open-cratedb-store.js';
export {
  CRATEDB_TABLES,
  cratedbMigrations,
  cratedbSchemaHistory,
  defaultTableOptions,
  type CratedbTableOptions,
} from './schema.js';
export { cratedbStatements } from './sql.js';

import { cratedbMigrations, defaultTableOptions } from './schema.js';

/** The schema version this code expects of a CrateDB store. */
export const latestVersion = cratedbMigrations(defaultTableOptions).at(-1)?.version ?? 0;
