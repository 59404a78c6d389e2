/**
 * The PostgreSQL family of the Store port: one store (`PgFamilyStore`) over a small driver seam
 * (`SqlClient`), with what differs per backend gathered in a dialect record. PostgreSQL is `pg`
 * with COPY; PGlite (`../pglite`) and CrateDB reuse the store, the SQL and (CrateDB) the `pg`
 * client. Loaded lazily by `openStore`; `pg` itself loads only when a server is opened.
 *
 * @example
 * const store = await openPostgresStore({ url: 'postgres://metre@db/metre', schema: null, name: 'postgres://metre@db/metre' });
 */
export { copyLines, copyText, copyWriter, unnestWriter, type BulkWriter } from './bulk.js';
export {
  postgresDialect,
  withBulk,
  type PgFamilyCapabilities,
  type PgFamilyDialect,
} from './dialect.js';
export { postgresFragments } from './fragments.js';
export {
  openPostgresStore,
  quoteIdentifier,
  type OpenPostgresOptions,
  type PostgresConnection,
} from './open-postgres-store.js';
export { createPgClient, type PgClientOptions } from './pg-client.js';
export { PgFamilyStore, type PgFamilyStoreParts } from './pg-family-store.js';
export {
  migrate,
  postgresMigrations,
  postgresSchemaHistory,
  schemaVersion,
  type Migration,
  type SchemaHistory,
  type SchemaVersions,
} from './schema.js';
export type { Param, Row, SqlClient, SqlResult, SqlSession } from './sql-client.js';
export { postgresStatements, type PgStatements } from './sql.js';
export { toPgStoreError } from './store-error.js';
export * from './tables.js';
export { typeParsers } from './type-parsers.js';

import { postgresMigrations } from './schema.js';

/** The schema version this code expects of a PostgreSQL or PGlite store. */
export const latestVersion = postgresMigrations.at(-1)?.version ?? 0;
